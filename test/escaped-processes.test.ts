// A program that leaves a process behind which escaped its process group
// (`setsid`), and a runtime that dies while a program runs: the answer still
// comes before the deadline, and no program outlives the runtime, on every
// spawn path (issue 15, items 1 and 3).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { runtimeDir, startBootstrap } from './support/runtime-harness.ts';
import { isProgramServer, leftBehind } from './support/processes.ts';
import { processesWithEnv } from '../dev/process-tree.ts';
import { buildSpawnHelper, buildSpawnHelperInto } from '../runtime/native/build-spawn-helper.ts';
import { configureSpawn, runProgram, spawnPath, type RunRequest, type SpawnPath } from '../runtime/src/program-runner.ts';
import { StderrLog } from '../runtime/src/stderr-log.ts';

const dir = tempDir('escape');
/** In the environment of every program this file starts, and so of all they start. */
const MARK = `COBOLAMBDA_PROGRAM_DIR=${dir}`;
const leftovers = (): string[] => leftBehind(MARK);
let helperFile: string;

function request(mode: string, killAtMs: number): RunRequest {
  return {
    file: join(dir, 'fail'),
    stdin: Buffer.from(`${mode}\n`),
    env: { PATH: '/usr/bin:/bin', COBOLAMBDA_PROGRAM_DIR: dir },
    killAtMs,
    maxStdoutBytes: 1_000_000,
    stderr: new StderrLog({ requestId: 'r', json: false, limitBytes: 65_536, tailLines: 20, write: () => {} }),
  };
}

/** Processes of this file's programs that a path could not kill (escaped ones on the node paths). */
function killLeftovers(): void {
  for (const pid of processesWithEnv(MARK)) {
    if (pid === process.pid || isProgramServer(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

beforeAll(async () => {
  helperFile = await buildSpawnHelper(join(tempDir('escape-helper'), 'spawn-helper'));
  compileTestProgram('fail.cbl', dir);
});
afterAll(() => configureSpawn({}));

describe.each(['fork-server', 'native', 'node', 'execa'] as SpawnPath[])('through %s', (mode) => {
  beforeAll(() => configureSpawn({ mode, helperFile }));
  afterEach(killLeftovers);

  it('takes that path', () => {
    expect(spawnPath(join(dir, 'fail'))).toBe(mode);
  });

  it('a program that exits leaving an escaped process holding stdout is answered at once', async () => {
    // Far from the 303 s the escaped process holds stdout; room for a loaded machine (and execa's first import).
    const killAtMs = Date.now() + 5_000;
    const out = await runProgram(request('escape-and-exit', killAtMs));
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('left an escaped child\n') });
    expect(Date.now()).toBeLessThan(killAtMs);
    // The program servers are subreapers: they kill what escaped. node:child_process cannot.
    if (mode === 'fork-server' || mode === 'native') await expect.poll(leftovers, { timeout: 2_000, interval: 20 }).toEqual([]);
  });

  it('a program that hangs beside an escaped process is stopped and answered within the margin', async () => {
    const killAtMs = Date.now() + 1_500;
    const out = await runProgram(request('escape-and-hang', killAtMs));
    expect(out.kind).toBe('timed-out');
    // The runtime kills at the deadline less a 500 ms margin: the answer must come within it.
    expect(Date.now()).toBeLessThan(killAtMs + 400);
    if (mode === 'fork-server' || mode === 'native') await expect.poll(leftovers, { timeout: 2_000, interval: 20 }).toEqual([]);
  });
});

describe.each(['fork-server', 'native'] as SpawnPath[])('the runner closes its %s while a program runs', (mode) => {
  afterEach(killLeftovers);

  it('the program and what it forked die with the server', async () => {
    configureSpawn({ mode, helperFile });
    const pending = runProgram(request('fork-and-hang', Date.now() + 20_000));
    await expect.poll(() => leftovers().some((c) => c.includes('sleep 301')), { timeout: 10_000, interval: 20 }).toBe(true);
    configureSpawn({ mode, helperFile }); // closes the servers
    expect((await pending).kind).toBe('interrupted');
    await expect.poll(leftovers, { timeout: 3_000, interval: 20 }).toEqual([]);
  });
});

describe.each(['fork-server', 'native', 'node'])('the runtime dies while a program runs (COBOLAMBDA_SPAWN=%s)', (spawn) => {
  beforeAll(async () => {
    await buildSpawnHelperInto(await runtimeDir());
  });
  afterEach(killLeftovers);

  it('the program and what it forked die with it', async () => {
    const bootstrap = await startBootstrap({ handler: 'fail', programDir: dir, env: { COBOLAMBDA_SPAWN: spawn } });
    void bootstrap.invoke('fork-and-hang');
    await expect.poll(() => leftovers().some((c) => c.includes('sleep 301')), { timeout: 10_000, interval: 20 }).toBe(true);
    await bootstrap.stop(); // SIGKILL
    // On the node path a guard process does it: a Node start-up away on a loaded machine.
    await expect.poll(leftovers, { timeout: 10_000, interval: 20 }).toEqual([]);
  });

  if (spawn !== 'node') {
    it('so does what escaped its group', async () => {
      const bootstrap = await startBootstrap({ handler: 'fail', programDir: dir, env: { COBOLAMBDA_SPAWN: spawn } });
      void bootstrap.invoke('escape-and-hang');
      await expect.poll(() => leftovers().some((c) => c.includes('sleep 304')), { timeout: 10_000, interval: 20 }).toBe(true);
      await bootstrap.stop();
      await expect.poll(leftovers, { timeout: 3_000, interval: 20 }).toEqual([]);
    });
  }
});
