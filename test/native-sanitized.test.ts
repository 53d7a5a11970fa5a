// The native code (runtime/native: the spawn helper, the fork server linked into
// every program) built once under AddressSanitizer and UndefinedBehaviorSanitizer,
// fed hostile frames, and run through the spawn and fork-server paths. Any
// finding aborts the process, which the assertions see (issue 15, item 6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { buildSpawnHelper } from '../runtime/native/build-spawn-helper.ts';
import { configureSpawn, runProgram, spawnPath, type RunRequest, type SpawnPath } from '../runtime/src/program-runner.ts';
import { StderrLog } from '../runtime/src/stderr-log.ts';

const dir = tempDir('sanitized');
let helperFile: string;
const lines: string[] = [];

beforeAll(async () => {
  helperFile = await buildSpawnHelper(join(dir, 'spawn-helper'), { sanitize: true });
  for (const source of ['echo.cbl', 'fail.cbl', 'nostdin.cbl', 'whoami.cbl']) compileTestProgram(source, dir, undefined, { sanitize: true });
});
afterAll(() => configureSpawn({}));

/** A server started by hand, with what it answered so far. */
function startServer(command: string, args: string[] = []): { child: ChildProcess; out: () => Buffer; err: () => string; exit: Promise<number | null> } {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
  let out = Buffer.alloc(0);
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out = Buffer.concat([out, c])));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin!.on('error', () => {});
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

function frame(type: string, body: Buffer, length = body.length): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(length, 1);
  return Buffer.concat([head, body]);
}

const READY = frame('H', Buffer.alloc(0));
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('hostile frames to the sanitized spawn helper', () => {
  it('a length of 0xFFFFFFFF is refused: the helper exits with status 4, no overflow', async () => {
    const s = startServer(helperFile);
    await expect.poll(s.out).toEqual(READY);
    // A first request leaves a body buffer that the wrapped size check (len + 1 == 0) would reuse.
    s.child.stdin!.write(frame('R', Buffer.from('/bin/true\0\0\0')));
    await expect.poll(() => s.out().includes(frame('X', Buffer.alloc(8)))).toBe(true);
    s.child.stdin!.write(frame('R', Buffer.alloc(100, 'x'), 0xffffffff));
    expect(await s.exit).toBe(4);
    expect(s.err()).toBe('');
  });

  it('a body whose environment lists do not end is refused with EINVAL, and the helper serves on', async () => {
    const s = startServer(helperFile);
    await expect.poll(s.out).toEqual(READY);
    s.child.stdin!.write(frame('R', Buffer.from('/bin/true\0A=1\0')));
    await expect.poll(s.out).toEqual(Buffer.concat([READY, frame('F', Buffer.from([22, 0, 0, 0]))]));
    s.child.stdin!.write(frame('R', Buffer.from('/bin/true\0\0\0')));
    await expect.poll(() => s.out().includes(frame('X', Buffer.alloc(8)))).toBe(true);
    s.child.stdin!.end();
    expect(await s.exit).toBe(0);
    expect(s.err()).toBe('');
  });

  it('the second pipe failing (EMFILE) leaks no descriptor', async () => {
    // Descriptors 0-3 are the helper's (stdio, its signalfd): 7 leaves room for one pipe of three.
    const s = startServer('/bin/sh', ['-c', 'ulimit -n 7; exec "$0"', helperFile]);
    await expect.poll(s.out).toEqual(READY);
    const before = openFds(s.child.pid!);
    for (let i = 1; i <= 3; i++) {
      s.child.stdin!.write(frame('R', Buffer.from('/bin/true\0\0\0')));
      await expect.poll(() => s.out().length).toBe(READY.length + i * 9);
      expect(s.out().subarray(-9)).toEqual(frame('F', Buffer.from([24, 0, 0, 0]))); // EMFILE
      expect(openFds(s.child.pid!)).toBe(before);
    }
    s.child.stdin!.end();
    expect(await s.exit).toBe(0);
    expect(s.err()).toBe('');
  });
});

describe.each(['native', 'fork-server'] as SpawnPath[])('sanitized programs through %s', (mode) => {
  beforeAll(() => configureSpawn({ mode, helperFile }));
  const request = (program: string, stdin: string | Buffer, extra: Partial<RunRequest> = {}): RunRequest => ({
    file: join(dir, program),
    stdin: Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin),
    // libcob leaves its allocations to exit: leak reports are not about this code.
    env: { PATH: '/usr/bin:/bin', ASAN_OPTIONS: 'detect_leaks=0', COBOLAMBDA_PROGRAM_DIR: dir },
    killAtMs: Date.now() + 10_000,
    maxStdoutBytes: 1_000_000,
    stderr: new StderrLog({ requestId: 'r', json: false, limitBytes: 262_144, tailLines: 20, write: (l) => lines.push(l) }),
    ...extra,
  });

  it('takes that path', () => {
    expect(spawnPath(join(dir, 'echo'))).toBe(mode);
  });

  it('echoes, with the invocation’s own variables', async () => {
    for (let i = 0; i < 3; i++) {
      const out = await runProgram(request('echo', `n=${i}\n`, { invocationEnv: { AWS_REQUEST_ID: `r${i}` } }));
      expect(out).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from(`n=${i}\n`) });
    }
  });

  it('a 5 MB event the program does not read, a flood over the cap, a deadline, an escaped process', async () => {
    expect(await runProgram(request('nostdin', Buffer.alloc(5 * 1024 * 1024, 'a')))).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('did not read\n') });
    expect(await runProgram(request('fail', 'flood', { maxStdoutBytes: 100_000 }))).toEqual({ kind: 'output-too-large', limit: 100_000 });
    expect((await runProgram(request('fail', 'hang', { killAtMs: Date.now() + 300 }))).kind).toBe('timed-out');
    expect(await runProgram(request('fail', 'escape-and-exit'))).toEqual({ kind: 'exited', code: 0, stdout: Buffer.from('left an escaped child\n') });
  });

  it('a changed shared environment, and a large one', async () => {
    const env = (user: string) => ({ ...request('whoami', '').env, USERNAME: user, BIG: 'x'.repeat(100_000) });
    expect(await runProgram(request('whoami', '', { env: env('one') }))).toMatchObject({ stdout: Buffer.from('user=one\ntmpdir=\n') });
    expect(await runProgram(request('whoami', '', { env: env('two') }))).toMatchObject({ stdout: Buffer.from('user=two\ntmpdir=\n') });
    expect(lines.filter((l) => /Sanitizer|runtime error/.test(l))).toEqual([]);
  });
});
