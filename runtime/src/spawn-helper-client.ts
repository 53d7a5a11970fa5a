// Talks to the native spawn helper (runtime/native/spawn-helper.c): one
// long-lived process that posix_spawns each program, so Node.js never forks
// itself per invocation. One program runs at a time; runs queue up.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface HelperRunHooks {
  onStart(pid: number): void;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export type HelperRunResult =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: string }
  | { kind: 'failed'; errno: string }
  /** The helper died; `started` says whether the program had started. */
  | { kind: 'helper-died'; started: boolean; message: string };

interface Current {
  hooks: HelperRunHooks;
  started: boolean;
  done: (r: HelperRunResult) => void;
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n as number, name]));
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

export class SpawnHelper {
  private child: ChildProcess | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private current: Current | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private deathReason = '';

  constructor(readonly helperFile: string) {}

  /** Starts the helper process now (otherwise the first run does). */
  start(): void {
    if (this.child) return;
    const child = spawn(this.helperFile, [], { stdio: ['pipe', 'pipe', 'inherit'], env: {} });
    this.child = child;
    this.pending = Buffer.alloc(0);
    this.deathReason = '';
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.onDeath(child, `spawn helper ${this.helperFile} failed: ${err.message}`));
    child.on('exit', (code, signal) => this.onDeath(child, `spawn helper exited (${signal ?? `status ${code}`})`));
    this.idle();
  }

  /** Runs one program; resolves once it has exited and its stdout and stderr are drained. */
  run(file: string, env: Record<string, string>, stdin: Buffer, hooks: HelperRunHooks): Promise<HelperRunResult> {
    const result = this.queue.then(() => this.runNow(file, env, stdin, hooks));
    this.queue = result;
    return result;
  }

  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  private runNow(file: string, env: Record<string, string>, stdin: Buffer, hooks: HelperRunHooks): Promise<HelperRunResult> {
    this.start();
    const child = this.child!;
    const parts: Buffer[] = [Buffer.from(`${file}\0`)];
    for (const [key, value] of Object.entries(env)) {
      // As Node's spawn: a NUL cannot be passed in the environment.
      if (value === undefined || key.includes('\0') || key.includes('=') || String(value).includes('\0')) continue;
      parts.push(Buffer.from(`${key}=${value}\0`));
    }
    parts.push(Buffer.from([0]));
    const head = Buffer.concat(parts);
    const frame = Buffer.allocUnsafe(5);
    frame[0] = 0x52; // 'R'
    frame.writeUInt32LE(head.length + stdin.length, 1);
    return new Promise<HelperRunResult>((done) => {
      this.current = { hooks, started: false, done };
      this.busy();
      child.stdin!.write(frame);
      child.stdin!.write(head);
      if (stdin.length > 0) child.stdin!.write(stdin);
    });
  }

  private onData(chunk: Buffer): void {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (buf.length - offset >= 5) {
      const len = buf.readUInt32LE(offset + 1);
      if (buf.length - offset - 5 < len) break;
      const type = buf[offset]!;
      const payload = buf.subarray(offset + 5, offset + 5 + len);
      offset += 5 + len;
      this.onFrame(type, payload);
    }
    this.pending = offset === buf.length ? Buffer.alloc(0) : buf.subarray(offset);
  }

  private onFrame(type: number, payload: Buffer): void {
    const current = this.current;
    if (!current) return;
    switch (type) {
      case 0x53: // 'S'
        current.started = true;
        current.hooks.onStart(payload.readUInt32LE(0));
        return;
      case 0x4f: // 'O'
        current.hooks.onStdout(Buffer.from(payload));
        return;
      case 0x45: // 'E'
        current.hooks.onStderr(Buffer.from(payload));
        return;
      case 0x46: {
        // 'F'
        const errno = payload.readUInt32LE(0);
        this.finish({ kind: 'failed', errno: ERRNO_NAMES.get(-errno) ?? ERRNO_NAMES.get(errno) ?? `errno ${errno}` });
        return;
      }
      case 0x58: {
        // 'X'
        const kind = payload.readUInt32LE(0);
        const value = payload.readUInt32LE(4);
        this.finish(kind === 1 ? { kind: 'signaled', signal: SIGNAL_NAMES.get(value) ?? `SIG${value}` } : { kind: 'exited', code: value });
        return;
      }
    }
  }

  private finish(result: HelperRunResult): void {
    const current = this.current;
    this.current = undefined;
    this.idle();
    current?.done(result);
  }

  private onDeath(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.deathReason ||= reason;
    const current = this.current;
    if (current) this.finish({ kind: 'helper-died', started: current.started, message: this.deathReason });
  }

  // The helper must not keep an otherwise finished Node process alive.
  private idle(): void {
    const c = this.child;
    if (!c) return;
    c.unref();
    (c.stdout as unknown as { unref?: () => void }).unref?.();
    (c.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    const c = this.child;
    if (!c) return;
    c.ref();
    (c.stdout as unknown as { ref?: () => void }).ref?.();
    (c.stdin as unknown as { ref?: () => void }).ref?.();
  }
}
