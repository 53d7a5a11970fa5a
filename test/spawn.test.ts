// The spawn paths of program-runner.ts. Every path must give the same outcomes;
// the native helper is also driven through the real bootstrap (COBOLAMBDA_SPAWN=native),
// since the default path is what test/runtime.test.ts and test/dev.test.ts cover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { leftBehind } from './support/processes.ts';
import { errorBody, runtimeDir, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';
import { buildSpawnHelper, buildSpawnHelperInto } from '../runtime/native/build-spawn-helper.ts';
import { configureSpawn, runProgram, spawnPath, type RunRequest, type SpawnPath } from '../runtime/src/program-runner.ts';
import { StderrLog } from '../runtime/src/stderr-log.ts';

const programDir = tempDir('spawn-programs');
let helperFile: string;

function childrenOf(pid: number): Array<{ pid: number; cmd: string }> {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .flatMap((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) return [];
        return [{ pid: Number(e), cmd: readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0')[0]! }];
      } catch {
        return [];
      }
    });
}

/** Every program this file runs carries this in its environment, and so does what it forks. */
const MARK = `COBOLAMBDA_TEST_RUN=${programDir}`;
/** What this file's programs left running, wherever it was reparented (bootstraps' program servers excluded). */
const leftovers = (): string[] => [...leftBehind(MARK), ...leftBehind(`COBOLAMBDA_PROGRAM_DIR=${programDir}`)];
const noLeftovers = () => expect.poll(leftovers, { timeout: 2_000, interval: 20 }).toEqual([]);

beforeAll(async () => {
  helperFile = await buildSpawnHelper(join(tempDir('spawn-helper'), 'spawn-helper'));
  for (const source of ['echo.cbl', 'context.cbl', 'fail.cbl', 'nostdin.cbl']) compileTestProgram(source, programDir);
});

afterAll(() => configureSpawn({}));

describe.each(['node', 'native', 'execa'] as SpawnPath[])('runProgram through %s', (mode) => {
  const lines: string[] = [];
  const request = (file: string, stdin: string | Buffer, extra: Partial<RunRequest> = {}): RunRequest => ({
    file,
    stdin: Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin),
    env: { PATH: '/usr/bin:/bin', ONLY: 'this', COBOLAMBDA_TEST_RUN: programDir },
    killAtMs: Date.now() + 10_000,
    maxStdoutBytes: 1_000_000,
    stderr: new StderrLog({ requestId: 'r1', json: false, limitBytes: 262_144, tailLines: 20, write: (l) => lines.push(l) }),
    ...extra,
  });
  beforeAll(() => configureSpawn({ mode, helperFile }));

  it('takes the chosen path', () => {
    expect(spawnPath()).toBe(mode);
  });

  it('passes stdin, stdout, stderr and exactly the given environment', async () => {
    const out = await runProgram(request('/bin/sh', 'echo err >&2; env | sort; exit 3\n'));
    expect(out).toEqual({ kind: 'exited', code: 3, stdout: Buffer.from(`${MARK}\nONLY=this\nPATH=/usr/bin:/bin\nPWD=${process.cwd()}\n`) });
    expect(lines.at(-1)).toMatch(/\tr1\terr$/);
  });

  it('echoes through a COBOL program', async () => {
    const out = await runProgram(request(join(programDir, 'echo'), 'one\ntwo\n'));
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('one\ntwo\n') });
  });

  it('reports a signal', async () => {
    const out = await runProgram(request('/bin/sh', 'kill -9 $$\n'));
    expect(out).toMatchObject({ kind: 'signaled', signal: 'SIGKILL' });
  });

  it('kills the whole group at the deadline', async () => {
    const out = await runProgram(request('/bin/sh', `sleep 297.${mode.length} & sleep 296.${mode.length}\n`, { killAtMs: Date.now() + 300 }));
    expect(out.kind).toBe('timed-out');
    await noLeftovers();
  });

  it('kills what the program left in its group when it exits', async () => {
    const out = await runProgram(request('/bin/sh', `sleep 295.${mode.length} >/dev/null 2>&1 &\necho done\n`));
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('done\n') });
    await noLeftovers();
  });

  it('stops a program over the output cap', async () => {
    const out = await runProgram(request('/usr/bin/yes', ''));
    expect(out).toEqual({ kind: 'output-too-large', limit: 1_000_000 });
  });

  it('survives EPIPE on a large stdin the program does not read', async () => {
    const out = await runProgram(request(join(programDir, 'nostdin'), Buffer.alloc(5 * 1024 * 1024, 'a')));
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('did not read\n') });
  });

  it('reports a program that cannot start', async () => {
    const file = join(tempDir('not-exec'), 'data');
    writeFileSync(file, 'not a program', { mode: 0o644 });
    const out = await runProgram(request(file, ''));
    expect(out).toEqual({ kind: 'did-not-start', message: `spawn ${file} EACCES` });
  });

  it('no deadline header (far deadline) does not kill the program at once', async () => {
    const out = await runProgram(request('/bin/sh', 'sleep 0.05; echo late\n', { killAtMs: Number.MAX_SAFE_INTEGER - 500 }));
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('late\n') });
  });
});

describe('native helper fallbacks', () => {
  it('a missing helper means node:child_process', () => {
    configureSpawn({ mode: 'native', helperFile: '/nonexistent/spawn-helper' });
    expect(spawnPath()).toBe('node');
  });

  it('a helper that cannot run: the program runs through node:child_process', async () => {
    configureSpawn({ mode: 'native', helperFile: '/bin/false' });
    expect(spawnPath()).toBe('native');
    const out = await runProgram({
      file: '/bin/echo',
      stdin: Buffer.alloc(0),
      env: {},
      killAtMs: Date.now() + 5000,
      maxStdoutBytes: 1000,
      stderr: new StderrLog({ requestId: 'r', json: false, limitBytes: 1000, tailLines: 5, write: () => {} }),
    });
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('\n') });
    expect(spawnPath()).toBe('node');
  });
});

describe('the bootstrap with COBOLAMBDA_SPAWN=native', () => {
  let fail: BootstrapHandle;
  let ctx: BootstrapHandle;
  beforeAll(async () => {
    await buildSpawnHelperInto(await runtimeDir());
    fail = await startBootstrap({ handler: 'fail', programDir, env: { COBOLAMBDA_SPAWN: 'native', AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    ctx = await startBootstrap({ handler: 'context', programDir, env: { COBOLAMBDA_SPAWN: 'native' } });
  });
  afterAll(async () => {
    await fail?.stop();
    await ctx?.stop();
  });

  async function stillServing(): Promise<void> {
    const out = await fail.invoke('ok');
    expect(out.kind === 'response' && out.body.toString()).toBe('still serving\n');
  }

  it('runs programs from the helper, and hands COBOL the context', async () => {
    const deadlineMs = Date.now() + 20_000;
    const out = await ctx.invoke('', { requestId: 'req-n', deadlineMs, traceId: 'Root=1-x', invokedFunctionArn: 'arn:x' });
    expect(out.kind === 'response' && out.body.toString()).toBe(`request=req-n\ndeadline=${deadlineMs}\ntrace=Root=1-x\narn=arn:x\napi=\n`);
    expect(childrenOf(ctx.process.pid!).map((c) => c.cmd)).toEqual([expect.stringMatching(/\/cobolambda\/spawn-helper$/)]);
  });

  it('every failure is reported as on the default path', async () => {
    expect(errorBody(await fail.invoke('return-code'))).toMatchObject({ errorType: 'Function.ProgramExitError', errorMessage: 'program fail exited with status 3', stackTrace: ['giving up with 3'] });
    expect(errorBody(await fail.invoke('missing-module')).errorMessage).toBe("program fail exited with status 1: libcob: error: module 'NOSUCHMOD' not found");
    expect(errorBody(await fail.invoke('segv')).errorType).toBe('Function.ProgramSignaled');
    expect(errorBody(await fail.invoke('sigkill')).errorMessage).toBe('program fail was killed by signal SIGKILL (9)');
    expect(errorBody(await fail.invoke('flood')).errorType).toBe('Function.ResponseSizeTooLarge');
    await stillServing();
  });

  it('the deadline kills the program and its group', async () => {
    const deadlineMs = Date.now() + 2_500;
    const body = errorBody(await fail.invoke('fork-and-hang', { deadlineMs }));
    expect(body.errorType).toBe('Function.ProgramTimeout');
    expect(Date.now()).toBeLessThan(deadlineMs);
    await noLeftovers();
    await stillServing();
  });

  it('a program without the execute bit', async () => {
    chmodSync(join(programDir, 'fail'), 0o644);
    try {
      const body = errorBody(await fail.invoke('ok'));
      expect(body.errorType).toBe('Runtime.ProgramStartError');
      expect(body.errorMessage).toMatch(/^program fail could not start: .*EACCES/);
    } finally {
      chmodSync(join(programDir, 'fail'), 0o755);
    }
    await stillServing();
  });

  it('a killed helper is replaced by node:child_process and the runtime keeps serving', async () => {
    const helper = childrenOf(fail.process.pid!).find((c) => c.cmd.endsWith('spawn-helper'))!;
    process.kill(helper.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    await stillServing();
    expect(fail.process.exitCode).toBeNull();
  });
});
