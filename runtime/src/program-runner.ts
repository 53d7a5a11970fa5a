// Runs one program once: bytes in on stdin, bytes out on stdout. It knows
// processes and nothing about HTTP or the Runtime API; it only chooses which
// strategy in spawn/ starts the program (COBOLAMBDA_SPAWN):
// - `fork-server` (default): a program built by `cobolambda build` is started
//   once as its own fork server (spawn/fork-servers.ts), which forks a fresh
//   child per invocation. A program that lacks the fork server (plain `cobc -x`)
//   takes `native`, as does one whose fork server would not start or died;
// - `native`: the spawn helper (runtime/native/spawn-helper.c, shipped beside
//   the bundle as `spawn-helper`), one long-lived process that posix_spawns
//   each program, so Node.js does not fork its whole process per invocation.
//   Its stdio are real pipes, which record-mode programs need: libcob cannot
//   OPEN /dev/stdout when it is a socket, which is what libuv's 'pipe' stdio is.
//   When the helper is missing or cannot run, `node` is used;
// - `node`: node:child_process.spawn (spawn/node.ts);
// - `execa`: the original path (spawn/execa.ts).
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgramServer } from './spawn/program-server.ts';
import { ForkServers } from './spawn/fork-servers.ts';
import { runWithServer } from './spawn/through-server.ts';
import { runWithNode } from './spawn/node.ts';
import { runWithExeca } from './spawn/execa.ts';
import { startGuard } from './spawn/orphan-guard.ts';
import type { RunOutcome, RunRequest } from './spawn/run.ts';

export type { RunOutcome, RunRequest } from './spawn/run.ts';

export type SpawnPath = 'fork-server' | 'native' | 'node' | 'execa';

interface SpawnConfig {
  mode: SpawnPath;
  helperFile: string | undefined;
}

const MODES: readonly SpawnPath[] = ['fork-server', 'native', 'node', 'execa'];

function modeFromEnv(): SpawnPath {
  const v = process.env.COBOLAMBDA_SPAWN as SpawnPath | undefined;
  return v && MODES.includes(v) ? v : 'fork-server';
}

function defaultHelperFile(): string | undefined {
  if (process.env.COBOLAMBDA_SPAWN_HELPER) return process.env.COBOLAMBDA_SPAWN_HELPER;
  try {
    // In the layer: /opt/cobolambda/runtime.cjs beside /opt/cobolambda/spawn-helper.
    return join(dirname(fileURLToPath(import.meta.url)), 'spawn-helper');
  } catch {
    return undefined;
  }
}

let config: SpawnConfig | undefined;
let helper: ProgramServer | undefined;
const forkServers = new ForkServers();

function currentConfig(): SpawnConfig {
  config ??= { mode: modeFromEnv(), helperFile: defaultHelperFile() };
  return config;
}

function isExecutable(file: string | undefined): file is string {
  if (!file) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Chooses the spawn path (tests and the bench; the runtime reads COBOLAMBDA_SPAWN and COBOLAMBDA_SPAWN_HELPER). */
export function configureSpawn(options: { mode?: SpawnPath; helperFile?: string }): void {
  helper?.close();
  helper = undefined;
  forkServers.closeAll();
  config = { mode: options.mode ?? modeFromEnv(), helperFile: options.helperFile ?? defaultHelperFile() };
}

/** The path the next run of `file` takes. */
export function spawnPath(file?: string): SpawnPath {
  const c = currentConfig();
  if (c.mode === 'fork-server' && file !== undefined && forkServers.serves(file)) return 'fork-server';
  if (c.mode !== 'native' && c.mode !== 'fork-server') return c.mode;
  if (helper) return 'native';
  return isExecutable(c.helperFile) ? 'native' : 'node';
}

/**
 * Starts the server that will run `file` ahead of the first invocation (it is
 * otherwise started by the first run). `env` is the environment every
 * invocation shares: a fork server initialises libcob with it.
 */
export function prepareSpawn(file: string, env: Record<string, string>): void {
  if (currentConfig().mode === 'fork-server') forkServers.forgetIfChanged(file);
  const path = spawnPath(file);
  if (path === 'fork-server') forkServers.serverFor(file, env).start();
  else if (path === 'native') nativeHelper().start();
  else startGuard();
}

function nativeHelper(): ProgramServer {
  helper ??= new ProgramServer(currentConfig().helperFile!, {}, 'spawn helper');
  return helper;
}

/** The helper cannot be used (it would not start, or died): node:child_process from now on. */
function abandonHelper(): void {
  helper?.close();
  helper = undefined;
  config = { ...currentConfig(), mode: 'node' };
}

export async function runProgram(req: RunRequest): Promise<RunOutcome> {
  if (currentConfig().mode === 'fork-server') forkServers.forgetIfChanged(req.file);
  let path = spawnPath(req.file);
  if (path === 'fork-server') {
    const result = await runWithServer(forkServers.serverFor(req.file, req.env), req);
    if (result !== 'retry') {
      if (result.serverDied) forkServers.abandon(req.file);
      return result.outcome;
    }
    forkServers.abandon(req.file);
    path = spawnPath(req.file);
  }
  if (path === 'native') {
    const result = await runWithServer(nativeHelper(), req);
    if (result !== 'retry') {
      if (result.serverDied) abandonHelper();
      return result.outcome;
    }
    abandonHelper();
  }
  return path === 'execa' ? runWithExeca(req) : runWithNode(req);
}
