// The execution environments of one function: warm ones are reused, at most
// `concurrency` run at once, and a reload retires every environment of the old build.
import { ExecutionEnvironment, type EnvironmentInvocation, type EnvironmentResult, type FunctionSettings } from './execution-environment.ts';
import type { InvocationOutcome } from './runtime-api-server.ts';

export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
}

export interface InvocationReport extends EnvironmentResult {
  requestId: string;
  /** The whole log of the invocation: START, the runtime's lines, END, REPORT. */
  log: string[];
}

export class FunctionPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private busy = 0;
  private generation = 0;
  private readonly generationOf = new WeakMap<ExecutionEnvironment, number>();
  /** Set while the program does not compile: invocations get this error instead. */
  private buildError: string | undefined;

  constructor(
    public settings: FunctionSettings,
    public concurrency: number,
    private readonly writeLog: (line: string) => void,
  ) {}

  get inFlight(): number {
    return this.busy;
  }

  /** A new build: environments started from here on run it; old idle ones go now, busy ones when done. */
  reload(settings: FunctionSettings, buildError?: string): void {
    this.settings = settings;
    this.buildError = buildError;
    this.generation++;
    for (const env of this.idle.splice(0)) env.kill();
  }

  async invoke(inv: EnvironmentInvocation): Promise<InvocationReport> {
    if (this.busy >= this.concurrency) throw new TooManyRequestsError(`${this.settings.name} is running ${this.busy} invocations, its limit`);
    this.busy++;
    try {
      return await this.invokeInEnvironment(inv);
    } finally {
      this.busy--;
    }
  }

  close(): void {
    for (const env of this.idle.splice(0)) env.kill();
    this.generation++;
  }

  private async invokeInEnvironment(inv: EnvironmentInvocation): Promise<InvocationReport> {
    const s = this.settings;
    const start = `START RequestId: ${inv.requestId} Version: $LATEST`;
    this.writeLog(`${s.name} ${start}`);
    if (this.buildError !== undefined) {
      const body = { errorType: 'Runtime.BuildError', errorMessage: `function ${s.name} does not compile:\n${this.buildError}` };
      return this.report(inv.requestId, start, {
        outcome: { kind: 'error', errorType: 'Runtime.BuildError', body: Buffer.from(JSON.stringify(body)) },
        durationMs: 0,
        maxMemoryMb: 0,
        reset: false,
        logLines: [body.errorMessage],
      });
    }
    let env = this.idle.pop();
    let result: EnvironmentResult | undefined;
    try {
      if (!env) {
        env = new ExecutionEnvironment(s, this.writeLog);
        this.generationOf.set(env, this.generation);
        const started = await env.start();
        if (!started.ok) return this.report(inv.requestId, start, initFailure(started.outcome));
      }
      result = await env.invoke(inv);
    } finally {
      // Every way out gives the environment back or resets it; one that threw is never reused.
      if (env && result && !result.reset && env.alive && this.generationOf.get(env) === this.generation) this.idle.push(env);
      else env?.kill();
    }
    return this.report(inv.requestId, start, result);
  }

  private report(requestId: string, start: string, result: EnvironmentResult): InvocationReport {
    const s = this.settings;
    const duration = result.durationMs;
    const lines = [
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(duration))} ms\tMemory Size: ${s.memorySizeMb} MB\tMax Memory Used: ${result.maxMemoryMb} MB${
        result.initDurationMs !== undefined ? `\tInit Duration: ${result.initDurationMs.toFixed(2)} ms` : ''
      }`,
    ];
    if (result.outcome.kind === 'error' && result.outcome.errorType === 'Sandbox.Timedout') {
      lines.unshift(JSON.parse(result.outcome.body.toString()).errorMessage as string);
    }
    for (const l of lines) this.writeLog(`${s.name} ${l}`);
    return { ...result, requestId, log: [start, ...result.logLines, ...lines] };
  }
}

function initFailure(outcome: InvocationOutcome): EnvironmentResult {
  return { outcome, durationMs: 0, maxMemoryMb: 0, reset: true, logLines: [] };
}
