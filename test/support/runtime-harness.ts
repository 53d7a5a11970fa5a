// Drives the real bootstrap process (the esbuild bundle that goes in the layer)
// through a real Runtime API over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bundleRuntime } from '../../runtime/bundle.ts';
import { MANAGED_NODE_ARGS } from '../../dev/execution-environment.ts';
import { RuntimeApiServer, type InvocationRequest, type InvocationOutcome, type InitError } from '../../dev/runtime-api-server.ts';
import { tempDir } from './cobc.ts';

let bundled: Promise<string> | undefined;

/** Bundles the runtime once per test file; returns the folder holding `bootstrap`. */
export function runtimeDir(): Promise<string> {
  bundled ??= (async () => {
    const dir = tempDir('runtime');
    await bundleRuntime(dir);
    return dir;
  })();
  return bundled;
}

export interface BootstrapHandle {
  api: RuntimeApiServer;
  process: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  invoke(event: string | Buffer, request?: Partial<InvocationRequest>): Promise<InvocationOutcome>;
  initError: Promise<InitError>;
  stop(): Promise<void>;
}

export async function startBootstrap(options: {
  handler: string;
  programDir: string;
  env?: Record<string, string>;
  api?: RuntimeApiServer;
  apiAddress?: string;
  /** A command the bootstrap is started through (e.g. `unshare` with a script that ends in exec "$@"). */
  wrap?: string[];
  /**
   * How Lambda starts the runtime: `bootstrap` on provided.al2023, or `exec-wrapper` on the managed
   * Node.js runtime, which runs AWS_LAMBDA_EXEC_WRAPPER with its Node, its flags and its own entry.
   */
  launch?: 'bootstrap' | 'exec-wrapper';
}): Promise<BootstrapHandle> {
  const dir = await runtimeDir();
  const api = options.api ?? new RuntimeApiServer();
  const address = options.apiAddress ?? (await api.listen());
  const [base, baseArgs]: [string, string[]] =
    options.launch === 'exec-wrapper'
      ? [join(dir, 'exec-wrapper'), [process.execPath, ...MANAGED_NODE_ARGS]]
      : [join(dir, 'bootstrap'), []];
  const [command, ...args] = [...(options.wrap ?? []), base, ...baseArgs];
  return launchRuntime(api, command!, args, {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_LAMBDA_RUNTIME_API: address,
    _HANDLER: options.handler,
    COBOLAMBDA_PROGRAM_DIR: options.programDir,
    COBOLAMBDA_NODE: process.execPath,
    ...options.env,
  });
}

/** Starts `command` as a runtime serving `api` (already listening; its address is in `env`), with exactly `env`. */
export function launchRuntime(api: RuntimeApiServer, command: string, args: string[], env: Record<string, string>): BootstrapHandle {
  const initError = new Promise<InitError>((resolve) => api.onInitError(resolve));
  const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    api,
    process: child,
    stderr: () => stderr,
    exited,
    initError,
    invoke(event, request = {}) {
      return api.invoke({
        event: Buffer.isBuffer(event) ? event : Buffer.from(event),
        deadlineMs: Date.now() + 30_000,
        ...request,
      }).outcome;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await api.close();
    },
  };
}

export function errorBody(outcome: InvocationOutcome): { errorType: string; errorMessage: string; stackTrace: string[] } {
  if (outcome.kind !== 'error') throw new Error(`expected an error, got response ${outcome.body.toString()}`);
  return JSON.parse(outcome.body.toString());
}
