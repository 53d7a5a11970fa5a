// Talks to a program server (the protocol in runtime/native/program-pump.h):
// one long-lived process that starts each program, so Node.js never forks
// itself per invocation. Two kinds speak it: the spawn helper, which
// posix_spawns any executable, and a program built by `cobolambda build`
// started as its own fork server. One program runs at a time; runs queue up.
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
  /** The server died; `started` says whether the program had started. */
  | { kind: 'server-died'; started: boolean; message: string };

interface Current {
  hooks: HelperRunHooks;
  started: boolean;
  done: (r: HelperRunResult) => void;
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n as number, name]));
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

const STDERR_KEPT = 2048;

export class ProgramServer {
  private child: ChildProcess | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private current: Current | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private deathReason = '';
  private stderrTail = '';

  /**
   * @param file the server's executable
   * @param env its environment (a fork server's programs inherit what libcob read from it at start)
   * @param label names it in messages: "spawn helper", "fork server"
   */
  constructor(
    readonly file: string,
    private readonly env: Record<string, string>,
    private readonly label: string,
  ) {}

  /** Starts the server process now (otherwise the first run does). */
  start(): void {
    if (this.child) return;
    const child = spawn(this.file, [], { stdio: ['pipe', 'pipe', 'pipe'], env: this.env });
    this.child = child;
    this.pending = Buffer.alloc(0);
    this.deathReason = '';
    this.stderrTail = '';
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    // The server's own stderr (programs' stderr arrives in frames): a loader or libcob error at its start.
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_KEPT);
    });
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.onDeath(child, `${this.label} ${this.file} failed: ${err.message}`));
    // 'close', not 'exit': by then its stderr is read to the end.
    child.on('close', (code, signal) => this.onDeath(child, `${this.label} exited (${signal ?? `status ${code}`})`));
    this.holdEventLoop(false);
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
      this.holdEventLoop(true);
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
    this.holdEventLoop(false);
    current?.done(result);
  }

  private onDeath(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.deathReason ||= reason;
    const current = this.current;
    const said = this.stderrTail.trim();
    if (said) this.deathReason += `: ${said}`;
    if (current) this.finish({ kind: 'server-died', started: current.started, message: this.deathReason });
  }

  // The server must not keep an otherwise finished Node process alive: it is
  // referenced only while a program runs.
  private holdEventLoop(hold: boolean): void {
    const c = this.child;
    if (!c) return;
    const verb = hold ? 'ref' : 'unref';
    c[verb]();
    for (const stream of [c.stdout, c.stdin, c.stderr]) (stream as unknown as Record<string, (() => void) | undefined>)[verb]?.();
  }
}
