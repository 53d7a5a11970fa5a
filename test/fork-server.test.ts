// The fork server that `cobolambda build` links into every program
// (runtime/native/fork-server.c): started once, it forks a fresh child per
// invocation. Each run must be as fresh and as isolated as an exec'd one, and
// whatever goes wrong with the server itself falls back to the spawn helper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { buildSpawnHelper } from '../runtime/native/build-spawn-helper.ts';
import { configureSpawn, runProgram, spawnPath, type RunRequest } from '../runtime/src/program-runner.ts';
import { canServeForks } from '../runtime/src/spawn/fork-server-note.ts';
import { StderrLog } from '../runtime/src/stderr-log.ts';
import { processTree } from '../dev/process-tree.ts';
import { errorBody, startBootstrap } from './support/runtime-harness.ts';
import { isProgramServer } from './support/processes.ts';

const dir = tempDir('fork-server');
const file = (name: string) => join(dir, name);
const lines: string[] = [];

function request(program: string, stdin: string | Buffer, extra: Partial<RunRequest> = {}): RunRequest {
  return {
    file: file(program),
    stdin: Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin),
    env: { PATH: '/usr/bin:/bin' },
    killAtMs: Date.now() + 10_000,
    maxStdoutBytes: 1_000_000,
    stderr: new StderrLog({ requestId: 'r1', json: false, limitBytes: 262_144, tailLines: 20, write: (l) => lines.push(l) }),
    ...extra,
  };
}

/** Our children that are program files from `dir`, long-lived (servers) or not. */
function programProcesses(): Array<{ pid: number; ppid: number }> {
  return processTree(process.pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').startsWith(dir);
    } catch {
      return false;
    }
  });
}

let helperFile: string;
beforeAll(async () => {
  helperFile = await buildSpawnHelper(join(tempDir('fork-helper'), 'spawn-helper'));
  for (const source of ['echo.cbl', 'context.cbl', 'fail.cbl', 'counter.cbl', 'nostdin.cbl', 'whoami.cbl']) compileTestProgram(source, dir);
  compileTestProgram('echo.cbl', dir, 'plainecho', { forkServer: false });
  configureSpawn({ mode: 'fork-server', helperFile });
});
afterAll(() => configureSpawn({}));

describe('which programs have a fork server', () => {
  it('programs compiled as cobolambda build does carry the note; plain cobc -x ones do not', () => {
    expect(canServeForks(file('echo'))).toBe(true);
    expect(canServeForks(file('plainecho'))).toBe(false);
    expect(canServeForks('/bin/sh')).toBe(false);
    expect(canServeForks(file('nonexistent'))).toBe(false);
  });

  it('a program with the note takes the fork server; one without it, the spawn helper', () => {
    expect(spawnPath(file('echo'))).toBe('fork-server');
    expect(spawnPath(file('plainecho'))).toBe('native');
  });

  it('run plainly, without COBOLAMBDA_FORK_SERVER, the program is just the program', async () => {
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync(file('echo'), { input: 'plain\n' }).toString()).toBe('plain\n');
  });
});

describe('runs through the fork server', () => {
  it('echoes, and the program is a child of one long-lived server', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await runProgram(request('echo', `n=${i}\n`))).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from(`n=${i}\n`) });
    }
    const servers = programProcesses().filter((p) => p.ppid === process.pid);
    expect(servers.map((p) => readFileSync(`/proc/${p.pid}/cmdline`, 'utf8'))).toContain(`${file('echo')}\0`);
  });

  it('every invocation is a fresh process: WORKING-STORAGE starts at its VALUE, and the pid is new', async () => {
    const pids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const out = await runProgram(request('counter', ''));
      expect(out.kind).toBe('exited');
      const text = out.kind === 'exited' ? out.stdout.toString() : '';
      expect(text).toMatch(/^count=0001\npid=\+?\d+\n$/);
      pids.add(text.split('\n')[1]!);
    }
    expect(pids.size).toBe(3);
  });

  it('each invocation sees exactly its own environment, not the first one the server started with', async () => {
    const first = await runProgram(request('context', '', { env: { AWS_REQUEST_ID: 'first', LAMBDA_DEADLINE_MS: '1' } }));
    const second = await runProgram(request('context', '', { env: { AWS_REQUEST_ID: 'second', _X_AMZN_TRACE_ID: 'Root=2' } }));
    expect(first).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('request=first\ndeadline=1\ntrace=\narn=\napi=\n') });
    expect(second).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('request=second\ndeadline=\ntrace=Root=2\narn=\napi=\n') });
  });

  it('exit statuses, libcob errors and signals are reported as when exec’d', async () => {
    expect(await runProgram(request('fail', 'return-code'))).toMatchObject({ kind: 'exited', code: 3 });
    expect(lines.at(-1)).toMatch(/giving up with 3$/);
    expect(await runProgram(request('fail', 'missing-module'))).toMatchObject({ kind: 'exited', code: 1 });
    expect(lines.join('\n')).toContain("libcob: error: module 'NOSUCHMOD' not found");
    expect(await runProgram(request('fail', 'sigkill'))).toMatchObject({ kind: 'signaled', signal: 'SIGKILL' });
    const segv = await runProgram(request('fail', 'segv'));
    expect(segv.kind === 'signaled' || (segv.kind === 'exited' && segv.code !== 0)).toBe(true);
  });

  it('the deadline kills the program and what it forked; the server stays', async () => {
    const out = await runProgram(request('fail', 'fork-and-hang', { killAtMs: Date.now() + 500 }));
    expect(out.kind).toBe('timed-out');
    await new Promise((r) => setTimeout(r, 50));
    const left = programProcesses().filter((p) => p.ppid !== process.pid);
    expect(left).toEqual([]);
    expect(await runProgram(request('fail', 'ok'))).toMatchObject({ kind: 'exited', code: 0 });
  });

  it('stops a program over the output cap', async () => {
    expect(await runProgram(request('fail', 'flood', { maxStdoutBytes: 100_000 }))).toEqual({ kind: 'output-too-large', limit: 100_000 });
  });

  it('a 5 MB event to a program that never reads stdin (EPIPE)', async () => {
    const out = await runProgram(request('nostdin', Buffer.alloc(5 * 1024 * 1024, 'a')));
    expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('did not read\n') });
  });
});

describe('through the bootstrap', () => {
  it.each(['fork-server', 'native', 'node'])('COBOLAMBDA_FORK_SERVER=1 in the function’s environment does not reach the program (%s)', async (mode) => {
    const h = await startBootstrap({ handler: 'echo', programDir: dir, env: { COBOLAMBDA_FORK_SERVER: '1', COBOLAMBDA_SPAWN: mode } });
    try {
      const out = await h.invoke('still a program', { deadlineMs: Date.now() + 5_000 });
      expect(out.kind === 'response' && out.body.toString()).toBe('still a program\n');
    } finally {
      await h.stop();
    }
  });

  it('a fork server killed while its program runs: Runtime.ProgramInterrupted, and the runtime serves on', async () => {
    const h = await startBootstrap({ handler: 'fail', programDir: dir });
    try {
      await h.invoke('ok');
      const pending = h.invoke('hang', { deadlineMs: Date.now() + 10_000 });
      let server: number | undefined;
      await expect
        .poll(() => {
          const tree = processTree(h.process.pid!);
          server = tree.find((p) => isProgramServer(p.pid) && tree.some((c) => c.ppid === p.pid))?.pid;
          return server !== undefined;
        }, { timeout: 3_000, interval: 20 })
        .toBe(true);
      process.kill(server!, 'SIGKILL');
      expect(errorBody(await pending)).toMatchObject({
        errorType: 'Runtime.ProgramInterrupted',
        errorMessage: 'program fail was interrupted: its fork server exited (SIGKILL) while it ran; it and every process it started were killed',
      });
      const next = await h.invoke('ok');
      expect(next.kind === 'response' && next.body.toString()).toBe('still serving\n');
    } finally {
      await h.stop();
    }
  });
});

describe('when the fork server is not to be trusted', () => {
  it('a program replaced on disk: the next run is the new program', async () => {
    const target = file('swapped');
    copyFileSync(file('echo'), target);
    expect(await runProgram(request('swapped', 'before\n'))).toMatchObject({ stdout: Buffer.from('before\n') });
    copyFileSync(file('nostdin'), `${target}.new`);
    renameSync(`${target}.new`, target);
    expect(await runProgram(request('swapped', 'after\n'))).toMatchObject({ stdout: Buffer.from('did not read\n') });
  });

  it('a program that lost its execute bit fails to start, as on every path, and runs again once it has it back', async () => {
    const target = file('flaky');
    copyFileSync(file('echo'), target);
    expect(await runProgram(request('flaky', 'one\n'))).toMatchObject({ stdout: Buffer.from('one\n') });
    chmodSync(target, 0o644);
    expect(await runProgram(request('flaky', 'two\n'))).toEqual({ kind: 'did-not-start', message: `spawn ${target} EACCES` });
    chmodSync(target, 0o755);
    expect(await runProgram(request('flaky', 'three\n'))).toMatchObject({ stdout: Buffer.from('three\n') });
    expect(spawnPath(target)).toBe('fork-server');
  });

  it('a fork server killed between invocations is started again by the next one', async () => {
    expect(await runProgram(request('echo', 'warm\n'))).toMatchObject({ stdout: Buffer.from('warm\n') });
    const server = programProcesses().find((p) => p.ppid === process.pid && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') === `${file('echo')}\0`)!;
    process.kill(server.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    expect(await runProgram(request('echo', 'after\n'))).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('after\n') });
    expect(spawnPath(file('echo'))).toBe('fork-server');
    const again = programProcesses().find((p) => p.ppid === process.pid && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') === `${file('echo')}\0`);
    expect(again?.pid).not.toBe(server.pid);
  });

  it('a fork server killed while its program runs: that invocation fails clearly, the next one runs', async () => {
    const pending = runProgram(request('fail', 'hang', { killAtMs: Date.now() + 5_000 }));
    let server: { pid: number } | undefined;
    await expect
      .poll(() => {
        const procs = programProcesses();
        server = procs.find((p) => p.ppid === process.pid && procs.some((c) => c.ppid === p.pid));
        return server !== undefined;
      }, { timeout: 3_000, interval: 20 })
      .toBe(true);
    process.kill(server!.pid, 'SIGKILL');
    const out = await pending;
    expect(out).toEqual({ kind: 'interrupted', message: 'fork server exited (SIGKILL)' });
    expect(await runProgram(request('fail', 'ok'))).toMatchObject({ kind: 'exited', code: 0 });
    expect(spawnPath(file('fail'))).toBe('native');
  });

  it('a fork server that dies with a request in flight: the program may have started, so it is reported, never run again', async () => {
    expect(await runProgram(request('echo', 'warm\n'))).toMatchObject({ kind: 'exited', code: 0 });
    const server = programProcesses().find((p) => p.ppid === process.pid && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') === `${file('echo')}\0`)!;
    // Stopped, it holds the request unread; killed, the runtime cannot know how far it got.
    process.kill(server.pid, 'SIGSTOP');
    const pending = runProgram(request('echo', 'once\n'));
    await new Promise((r) => setImmediate(r));
    process.kill(server.pid, 'SIGKILL');
    expect(await pending).toEqual({ kind: 'interrupted', message: 'fork server exited (SIGKILL)' });
    expect(await runProgram(request('echo', 'next\n'))).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('next\n') });
    configureSpawn({ mode: 'fork-server', helperFile });
  });

  it('settings libcob reads at start outside COB_* (the user name) are the invocation’s, not the server’s', async () => {
    const env = (user: string) => ({ PATH: '/usr/bin:/bin', USERNAME: user });
    expect(await runProgram(request('whoami', '', { env: env('server') }))).toMatchObject({ stdout: Buffer.from('user=server\ntmpdir=\n') });
    expect(await runProgram(request('whoami', '', { env: env('second') }))).toMatchObject({ stdout: Buffer.from('user=second\ntmpdir=\n') });
    // Per-invocation variables are the invocation's own, whichever way it starts.
    const out = await runProgram(request('context', '', { env: { PATH: '/usr/bin:/bin' }, invocationEnv: { AWS_REQUEST_ID: 'own', PATH: '/bin' } }));
    expect(out).toMatchObject({ stdout: Buffer.from('request=own\ndeadline=\ntrace=\narn=\napi=\n') });
  });

  // COB_RUNTIME_CONFIG naming a missing file makes cob_init fail, in a server and in an exec'd program alike.
  const badConfig = { PATH: '/usr/bin:/bin', COB_RUNTIME_CONFIG: '/nonexistent/runtime.cfg' };

  it('an invocation whose libcob settings differ from the server’s is exec’d afresh, so they take effect', async () => {
    expect(await runProgram(request('counter', ''))).toMatchObject({ kind: 'exited', code: 0 });
    lines.length = 0;
    expect(await runProgram(request('counter', '', { env: badConfig }))).toMatchObject({ kind: 'exited', code: 1 });
    expect(lines.join('\n')).toContain('/nonexistent/runtime.cfg');
    expect(await runProgram(request('counter', ''))).toMatchObject({ kind: 'exited', code: 0 });
    expect(spawnPath(file('counter'))).toBe('fork-server');
  });

  it('an invocation that must be exec’d afresh but cannot be fails to start exactly as on the spawn helper', async () => {
    // One variable over the kernel's 128 KiB limit per string: execve says E2BIG.
    const env = { PATH: '/usr/bin:/bin', COB_HUGE: 'x'.repeat(200_000) };
    expect(await runProgram(request('counter', '', { env }))).toEqual({ kind: 'did-not-start', message: `spawn ${file('counter')} E2BIG` });
    configureSpawn({ mode: 'native', helperFile });
    try {
      expect(await runProgram(request('counter', '', { env }))).toEqual({ kind: 'did-not-start', message: `spawn ${file('counter')} E2BIG` });
    } finally {
      configureSpawn({ mode: 'fork-server', helperFile });
    }
    expect(await runProgram(request('counter', ''))).toMatchObject({ kind: 'exited', code: 0 });
  });

  it('a fork server that cannot start (its libcob init fails): the spawn helper runs the program and reports why', async () => {
    const target = file('badconfig');
    copyFileSync(file('counter'), target);
    lines.length = 0;
    expect(await runProgram(request('badconfig', '', { env: badConfig }))).toMatchObject({ kind: 'exited', code: 1 });
    expect(lines.join('\n')).toContain('/nonexistent/runtime.cfg');
    expect(spawnPath(target)).toBe('native');
  });
});
