// Event (asynchronous) invocations, run as Lambda runs them: queued (a bounded
// queue per function), retried when throttled until they are too old, retried
// twice after a function error with a back-off, and otherwise dropped with a
// logged line saying why. Each attempt keeps the event's request id, as Lambda's do.
import type { EnvironmentInvocation } from './execution-environment.ts';
import { TooManyRequestsError, type FunctionPool } from './function-pool.ts';

export interface EventQueueSettings {
  /** Events waiting or running per function; one more is refused (429). */
  maxEventsPerFunction: number;
  /** Waits before the retries after a function error; its length is the number of retries (Lambda: 2, about 1 and 2 minutes). */
  retryDelaysMs: number[];
  /** An event not run by this age is dropped (Lambda's MaximumEventAgeInSeconds, 6 hours by default). */
  maxEventAgeMs: number;
  /** Back-off while the function is throttled: from the first value, doubling, up to the second. */
  throttleBackoffMs: [number, number];
}

export const LAMBDA_EVENT_SETTINGS: EventQueueSettings = {
  maxEventsPerFunction: 100,
  retryDelaysMs: [60_000, 120_000],
  maxEventAgeMs: 6 * 3600_000,
  throttleBackoffMs: [20, 1_000],
};

interface QueuedEvent {
  functionName: string;
  invocation: EnvironmentInvocation;
  enqueuedAt: number;
}

export class EventQueue {
  private readonly running = new Map<string, Set<Promise<void>>>();
  private readonly wakers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly functions: () => Map<string, FunctionPool>,
    private readonly settings: EventQueueSettings,
    private readonly writeLog: (line: string) => void,
  ) {}

  /** Takes an event; false when the function's queue is full. */
  enqueue(functionName: string, invocation: EnvironmentInvocation): boolean {
    const tasks = this.running.get(functionName) ?? new Set<Promise<void>>();
    if (this.closed || tasks.size >= this.settings.maxEventsPerFunction) return false;
    this.running.set(functionName, tasks);
    const task = this.run({ functionName, invocation, enqueuedAt: Date.now() });
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
    return true;
  }

  queued(functionName: string): number {
    return this.running.get(functionName)?.size ?? 0;
  }

  /** Resolves when every event taken so far has run, failed or been dropped. */
  async drain(): Promise<void> {
    for (;;) {
      const all = [...this.running.values()].flatMap((s) => [...s]);
      if (all.length === 0) return;
      await Promise.allSettled(all);
    }
  }

  /** Drops what is still waiting (dev is stopping). */
  close(): void {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  private async run(event: QueuedEvent): Promise<void> {
    const { functionName, invocation } = event;
    const id = invocation.requestId;
    const log = (what: string) => this.writeLog(`${functionName} Event ${id} ${what}`);
    let failures = 0;
    let throttleWait = this.settings.throttleBackoffMs[0];
    for (let attempt = 1; ; ) {
      const age = Date.now() - event.enqueuedAt;
      if (this.closed) return log(`dropped: dev stopped before it ran (${attempt - 1} attempts)`);
      if (age > this.settings.maxEventAgeMs) {
        return log(`dropped: older than the maximum event age (${this.settings.maxEventAgeMs / 1000} s) after ${attempt - 1} attempts`);
      }
      const pool = this.functions().get(functionName);
      if (!pool) return log(`dropped: function ${functionName} is gone`);
      let failed: string | undefined;
      try {
        const report = await pool.invoke(invocation);
        if (report.outcome.kind === 'response') return log(attempt === 1 ? 'succeeded' : `succeeded on attempt ${attempt}`);
        failed = `${report.outcome.errorType}: ${report.outcome.body.toString('utf8', 0, 300)}`;
      } catch (err) {
        if (!(err instanceof TooManyRequestsError)) failed = `dev could not run it: ${(err as Error).message}`;
      }
      if (failed === undefined) {
        // Throttled: not an attempt; waits, backing off, until the event is too old.
        const left = this.settings.maxEventAgeMs - (Date.now() - event.enqueuedAt);
        await this.sleep(Math.max(0, Math.min(throttleWait, left + 1)));
        throttleWait = Math.min(throttleWait * 2, this.settings.throttleBackoffMs[1]);
        continue;
      }
      failures++;
      const retriesLeft = this.settings.retryDelaysMs.length - (failures - 1);
      if (retriesLeft <= 0) return log(`dropped after ${attempt} attempts: the function failed each time; last error ${failed}`);
      const delay = this.settings.retryDelaysMs[failures - 1]!;
      log(`failed (attempt ${attempt}), retried in ${delay / 1000} s: ${failed}`);
      await this.sleep(delay);
      attempt++;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
