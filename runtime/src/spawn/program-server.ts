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
  /** The server died; `mayHaveStarted` unless it died before it could read the request. */
  | { kind: 'server-died'; mayHaveStarted: boolean; message: string };

interface Current {
  hooks: HelperRunHooks;
  done: (r: HelperRunResult) => void;
}

const FRAME_HEAD = 5;
const STDOUT = 0x4f; // 'O'
const STDERR = 0x45; // 'E'

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n as number, name]));
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

const STDERR_KEPT = 2048;

export class ProgramServer {
  private child: ChildProcess | undefined;
  /** The server close() ended, until it is gone. */
  private closing: ChildProcess | undefined;
  /** The server said it is ready ('H'): from then on a request it was sent may have started a program. */
  private ready = false;
  // The frame being read: its head (which may arrive split), then `left` bytes of its payload.
  private readonly head = Buffer.alloc(FRAME_HEAD);
  private headBytes = 0;
  private type = 0;
  private left = -1;
  private parts: Buffer[] = [];
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
    this.ready = false;
    this.headBytes = 0;
    this.left = -1;
    this.parts = [];
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

  /**
   * Runs one program with `env` (shared by invocations: what a fork server
   * compares with its own) and `invocationEnv` (this invocation's own) on top;
   * resolves once it has exited and its stdout and stderr are drained.
   */
  run(file: string, env: Record<string, string>, invocationEnv: Record<string, string>, stdin: Buffer, hooks: HelperRunHooks): Promise<HelperRunResult> {
    const result = this.queue.then(() => this.runNow(file, env, invocationEnv, stdin, hooks));
    this.queue = result;
    return result;
  }

  /**
   * Ends the server. SIGTERM, which it handles as it handles the runtime's death:
   * a program it runs now dies with it, and what that program left (SIGKILL
   * would orphan a spawned program).
   */
  close(): void {
    const child = this.child;
    this.child = undefined;
    // A run in progress still ends (interrupted) when this server dies.
    this.closing = child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.stdin?.destroy();
      child.kill('SIGTERM');
    }
  }

  private runNow(
    file: string,
    env: Record<string, string>,
    invocationEnv: Record<string, string>,
    stdin: Buffer,
    hooks: HelperRunHooks,
  ): Promise<HelperRunResult> {
    this.start();
    const child = this.child!;
    const parts: string[] = [`${file}\0`];
    for (const [list, skip] of [
      [env, invocationEnv],
      [invocationEnv, undefined],
    ] as const) {
      for (const [key, value] of Object.entries(list)) {
        // As Node's spawn: a NUL cannot be passed in the environment.
        if (value === undefined || key.includes('\0') || key.includes('=') || String(value).includes('\0')) continue;
        if (skip && key in skip) continue;
        parts.push(`${key}=${value}\0`);
      }
      parts.push('\0');
    }
    const head = Buffer.from(parts.join(''));
    const frame = Buffer.allocUnsafe(5);
    frame[0] = 0x52; // 'R'
    frame.writeUInt32LE(head.length + stdin.length, 1);
    return new Promise<HelperRunResult>((done) => {
      this.current = { hooks, done };
      this.holdEventLoop(true);
      child.stdin!.write(frame);
      child.stdin!.write(head);
      if (stdin.length > 0) child.stdin!.write(stdin);
    });
  }

  // Frames are parsed as they arrive; stdout and stderr are handed on as views
  // of the chunks read, never copied (a 6 MB response is copied once, when the
  // runner joins it).
  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.left < 0) {
        const take = Math.min(FRAME_HEAD - this.headBytes, chunk.length - offset);
        chunk.copy(this.head, this.headBytes, offset, offset + take);
        this.headBytes += take;
        offset += take;
        if (this.headBytes < FRAME_HEAD) return;
        this.headBytes = 0;
        this.type = this.head[0]!;
        this.left = this.head.readUInt32LE(1);
        this.parts = [];
      }
      const take = Math.min(this.left, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      this.left -= take;
      if (this.type === STDOUT || this.type === STDERR) {
        if (take > 0) this.onOutput(this.type, piece);
      } else {
        this.parts.push(piece);
      }
      if (this.left === 0) {
        this.left = -1;
        if (this.type !== STDOUT && this.type !== STDERR) {
          this.onFrame(this.type, this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts));
        }
      }
    }
  }

  private onOutput(type: number, piece: Buffer): void {
    const current = this.current;
    if (!current) return;
    if (type === STDOUT) current.hooks.onStdout(piece);
    else current.hooks.onStderr(piece);
  }

  private onFrame(type: number, payload: Buffer): void {
    if (type === 0x48) {
      // 'H'
      this.ready = true;
      return;
    }
    const current = this.current;
    if (!current) return;
    switch (type) {
      case 0x53: // 'S'
        current.hooks.onStart(payload.readUInt32LE(0));
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
    if (this.child !== child && this.closing !== child) return;
    if (this.child === child) this.child = undefined;
    else this.closing = undefined;
    this.deathReason ||= reason;
    const current = this.current;
    const said = this.stderrTail.trim();
    if (said) this.deathReason += `: ${said}`;
    // Dead before it was ready, it never read the request; once ready, it may have started the program.
    if (current) this.finish({ kind: 'server-died', mayHaveStarted: this.ready, message: this.deathReason });
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
