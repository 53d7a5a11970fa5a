// One execution environment, as Lambda has them: a real bootstrap process and
// the Runtime API it talks to. It runs one invocation at a time and keeps the
// lines its bootstrap logs for that invocation.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { RuntimeApiServer, type InvocationOutcome } from './runtime-api-server.ts';
import { killTree, rssKb, treeRssKb } from './process-tree.ts';
import { LineReader } from './log-lines.ts';
import { layerNodeForHost } from '../layer/build.ts';
import { RUNTIME_START_FD, taskRootCommand } from './task-root.ts';
import type { LambdaRuntime } from '../layer/config-schema.ts';

export interface FunctionSettings {
  name: string;
  /** Folder holding `bootstrap` (the runtime layer as unzipped). */
  runtimeDir: string;
  /** Folder holding the program executables. */
  programDir: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  region: string;
  accountId: string;
  /** Served at /fn/<name>/, as deploy gives it a Function URL. */
  functionUrl: boolean;
  /** How Lambda starts the runtime: `bootstrap` (provided.al2023), or Node with AWS_LAMBDA_EXEC_WRAPPER (nodejs24.x). */
  lambdaRuntime: LambdaRuntime;
}

/** What the managed nodejs24.x runtime passes its wrapper after its Node: flags, then its own entry. */
export const MANAGED_NODE_ARGS = ['--expose-gc', '--max-http-header-size', '81920', '/var/runtime/index.mjs'];

/** The account every `dev` function is in. */
export const LOCAL_ACCOUNT_ID = '123456789012';

export function functionArn(f: Pick<FunctionSettings, 'region' | 'accountId' | 'name'>): string {
  return `arn:aws:lambda:${f.region}:${f.accountId}:function:${f.name}`;
}

export interface EnvironmentInvocation {
  requestId: string;
  payload: Buffer;
  clientContext?: string;
  traceId?: string;
}

export interface EnvironmentResult {
  outcome: InvocationOutcome;
  durationMs: number;
  maxMemoryMb: number;
  initDurationMs?: number;
  /** The environment cannot be reused (timed out, crashed): the pool drops it. */
  reset: boolean;
  logLines: string[];
}

export class ExecutionEnvironment {
  readonly id = randomUUID().slice(0, 8);
  private readonly api = new RuntimeApiServer();
  private child: ChildProcess | undefined;
  private initDurationMs: number | undefined;
  private initReported = false;
  private dead = false;
  private exitListeners: Array<(reason: string) => void> = [];
  private currentLog: string[] | undefined;
  private lastRssKb = 0;
  private logBytes = 0;
  /** The log stream name is unique to this environment, and every process in it inherits it. */
  private readonly logStream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${this.id}`;
  private readonly marker = `AWS_LAMBDA_LOG_STREAM_NAME=${this.logStream}`;

  constructor(
    readonly settings: FunctionSettings,
    private readonly writeLog: (line: string) => void,
  ) {}

  get alive(): boolean {
    return !this.dead;
  }

  /** Starts the bootstrap and waits for its first `next` (the cold start), or its failure. */
  async start(): Promise<{ ok: true } | { ok: false; outcome: InvocationOutcome }> {
    const s = this.settings;
    const address = await this.api.listen();
    let started = performance.now();
    const firstNext = new Promise<void>((resolve) => this.api.onNext(resolve));
    const initError = new Promise<InvocationOutcome>((resolve) =>
      this.api.onInitError((e) => resolve({ kind: 'error', errorType: e.errorType, body: e.body })),
    );
    // As Lambda starts it: the bootstrap itself, or the exec wrapper given Lambda's Node and arguments.
    const [command, args] =
      s.lambdaRuntime === 'nodejs24.x'
        ? [join(s.runtimeDir, 'exec-wrapper'), [process.env.COBOLAMBDA_NODE ?? layerNodeForHost(), ...MANAGED_NODE_ARGS]]
        : [join(s.runtimeDir, 'bootstrap'), []];
    const start = taskRootCommand(command, args, s.programDir);
    const child = spawn(start.command, start.args, {
      cwd: start.cwd,
      env: this.lambdaEnvironment(address),
      stdio: start.readOnly ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      // Its own process group, so resetting the environment takes everything in it and nothing else.
      detached: true,
    });
    this.child = child;
    // Init Duration starts with the runtime, as Lambda's does, not with dev's read-only setup before it.
    const runtimeStart = start.readOnly ? (child.stdio[RUNTIME_START_FD] as Readable) : undefined;
    runtimeStart?.once('data', () => (started = performance.now()));
    runtimeStart?.resume();
    for (const stream of [child.stdout!, child.stderr!]) {
      const lines = new LineReader((line) => this.onLogLine(line));
      stream.on('data', (c: Buffer) => {
        this.logBytes += c.length;
        lines.write(c);
      });
      stream.on('end', () => lines.end());
    }
    let onExit: ((reason: string) => void) | undefined;
    const exited = new Promise<InvocationOutcome>((resolve) => {
      child.on('error', (err) => this.onExit(`Runtime exited with error: ${err.message}`));
      child.on('exit', (code, signal) =>
        this.onExit(signal ? `Runtime exited with error: signal: ${signal.toLowerCase()}` : `Runtime exited with error: exit status ${code}`),
      );
      onExit = (reason) => resolve(exitOutcome(reason));
      this.exitListeners.push(onExit);
    });
    const first = await Promise.race([firstNext.then(() => undefined), initError, exited]);
    this.removeExitListener(onExit);
    if (first !== undefined) {
      this.kill();
      return { ok: false, outcome: first };
    }
    this.initDurationMs = performance.now() - started;
    return { ok: true };
  }

  async invoke(inv: EnvironmentInvocation): Promise<EnvironmentResult> {
    const s = this.settings;
    const log: string[] = [];
    this.currentLog = log;
    const startedAt = performance.now();
    const deadlineMs = Date.now() + s.timeoutSeconds * 1000;
    const initDurationMs = this.initReported ? undefined : this.initDurationMs;
    this.initReported = true;

    // The whole tree is sampled while the program runs; at the edges only the
    // bootstrap is read, since a scan of /proc costs milliseconds on every invocation.
    let maxRssKb = this.lastRssKb;
    const sampler = setInterval(() => {
      if (this.child?.pid) maxRssKb = Math.max(maxRssKb, treeRssKb(this.child.pid));
    }, 20);
    let timer: NodeJS.Timeout | undefined;
    let onExit: ((reason: string) => void) | undefined;
    let result: { outcome: InvocationOutcome; reset: boolean } | undefined;
    try {
      const { outcome } = this.api.invoke({
        requestId: inv.requestId,
        event: inv.payload,
        deadlineMs,
        invokedFunctionArn: functionArn(s),
        traceId: inv.traceId,
        clientContext: inv.clientContext,
      });
      const exited = new Promise<{ outcome: InvocationOutcome; reset: true }>((resolve) => {
        onExit = (reason) => resolve({ outcome: exitOutcome(reason), reset: true });
        this.exitListeners.push(onExit);
      });
      const timedOut = new Promise<{ outcome: InvocationOutcome; reset: true }>((resolve) => {
        // Lambda's own limit, a little after the runtime's deadline so its own timeout answer normally wins.
        timer = setTimeout(() => {
          const message = `${new Date().toISOString()} ${inv.requestId} Task timed out after ${s.timeoutSeconds.toFixed(2)} seconds`;
          resolve({
            outcome: { kind: 'error', errorType: 'Sandbox.Timedout', body: Buffer.from(JSON.stringify({ errorMessage: message })) },
            reset: true,
          });
        }, s.timeoutSeconds * 1000 + 50);
      });
      result = await Promise.race([outcome.then((o) => ({ outcome: o, reset: false })), exited, timedOut]);
      await this.drainLog();
    } finally {
      // A listener left behind would keep this invocation's race, and with it the whole
      // response body, alive for as long as the environment lives: one per invocation.
      this.removeExitListener(onExit);
      clearTimeout(timer);
      clearInterval(sampler);
      this.currentLog = undefined;
      // Whatever failed here left the runtime holding an invocation nobody waits for:
      // the environment cannot be trusted with another one.
      if (result === undefined || result.reset) this.kill();
    }
    if (this.child?.pid && !this.dead) {
      this.lastRssKb = rssKb(this.child.pid);
      maxRssKb = Math.max(maxRssKb, this.lastRssKb);
    }
    return {
      outcome: result.outcome,
      durationMs: performance.now() - startedAt,
      maxMemoryMb: Math.max(1, Math.round(maxRssKb / 1024)),
      initDurationMs,
      reset: result.reset,
      logLines: log,
    };
  }

  kill(): void {
    if (this.child?.pid && !this.dead) killTree(this.child.pid, this.marker);
    this.dead = true;
    this.api.failAll(exitOutcome('Runtime exited with error: environment reset'));
    void this.api.close();
  }

  private removeExitListener(listener: ((reason: string) => void) | undefined): void {
    const i = listener ? this.exitListeners.indexOf(listener) : -1;
    if (i >= 0) this.exitListeners.splice(i, 1);
  }

  private onExit(reason: string): void {
    // The bootstrap is gone (and reaped): what it started is found by the environment it inherited.
    if (this.child?.pid) killTree(this.child.pid, this.marker);
    const wasDead = this.dead;
    this.dead = true;
    if (!wasDead) this.writeLog(`${this.settings.name} [${this.id}] ${reason}`);
    for (const l of this.exitListeners.splice(0)) l(reason);
  }

  /**
   * The runtime writes its log lines before it posts the result, but the pipe
   * they travel in may still hold the last of them when the result arrives:
   * read until two turns of the event loop bring nothing new, so the log tail
   * and REPORT see every line of this invocation.
   */
  private async drainLog(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < 50 && quiet < 2; turn++) {
      const before = this.logBytes;
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.logBytes === before ? quiet + 1 : 0;
    }
  }

  private onLogLine(line: string): void {
    this.currentLog?.push(line);
    this.writeLog(`${this.settings.name} ${line}`);
  }

  private lambdaEnvironment(address: string): Record<string, string> {
    const s = this.settings;
    // What Lambda sets for a provided.al2023 function; none of the developer's own
    // environment (AWS credentials included) leaks into the function.
    return {
      PATH: `${s.programDir}:/usr/local/bin:/usr/bin:/bin`,
      LD_LIBRARY_PATH: join(s.runtimeDir, 'lib'),
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_LAMBDA_RUNTIME_API: address,
      _HANDLER: s.name,
      LAMBDA_TASK_ROOT: s.programDir,
      LAMBDA_RUNTIME_DIR: s.runtimeDir,
      AWS_LAMBDA_FUNCTION_NAME: s.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(s.memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${s.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStream,
      AWS_REGION: s.region,
      AWS_DEFAULT_REGION: s.region,
      COBOLAMBDA_PROGRAM_DIR: s.programDir,
      COBOLAMBDA_NODE: process.env.COBOLAMBDA_NODE ?? layerNodeForHost(),
      ...(s.lambdaRuntime === 'nodejs24.x'
        ? { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_LAMBDA_EXEC_WRAPPER: join(s.runtimeDir, 'exec-wrapper') }
        : {}),
      ...s.environment,
    };
  }
}

function exitOutcome(reason: string): InvocationOutcome {
  return {
    kind: 'error',
    errorType: 'Runtime.ExitError',
    body: Buffer.from(JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: reason })),
  };
}
