// Progress of a long run of compiles: a count, the rate and the time left. On
// a terminal it is one line redrawn in place (at most every 100 ms); elsewhere
// (CI logs, pipes) a plain line every 10 % or 15 s, so a log stays short.
import { availableParallelism } from 'node:os';

export interface ProgressSnapshot {
  done: number;
  total: number;
  /** Programs compiled (not taken from the cache) so far. */
  compiled: number;
  failed: number;
  elapsedMs: number;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** `[412/1000] 412 compiled, 7.9/s, 1m14s left` */
export function formatProgress(p: ProgressSnapshot): string {
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const left = rate > 0 ? duration(((p.total - p.done) / rate) * 1000) : '?';
  const cached = p.done - p.compiled - p.failed;
  return (
    `[${p.done}/${p.total}] ${p.compiled} compiled${cached ? `, ${cached} cached` : ''}${p.failed ? `, ${p.failed} FAILED` : ''}, ` +
    `${rate.toFixed(1)}/s, ${p.done === p.total ? `took ${duration(p.elapsedMs)}` : `${left} left`}`
  );
}

export interface ProgressReporter {
  update(p: ProgressSnapshot): void;
  /** Prints a line above the progress line (on a terminal the line is redrawn below it). */
  line(text: string): void;
  end(p: ProgressSnapshot): void;
}

export function progressReporter(log: (line: string) => void, stream: NodeJS.WriteStream | undefined = process.stderr): ProgressReporter {
  const tty = Boolean(stream?.isTTY);
  let lastDraw = 0;
  let lastTenth = 0;
  let current = '';
  if (tty) {
    return {
      update(p) {
        current = formatProgress(p);
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        stream!.write(`\r\x1b[K${current}`);
      },
      line(text) {
        stream!.write(`\r\x1b[K`);
        log(text);
        if (current) stream!.write(current);
      },
      end(p) {
        stream!.write(`\r\x1b[K`);
        log(formatProgress(p));
      },
    };
  }
  return {
    update(p) {
      const tenth = Math.floor((p.done / p.total) * 10);
      const now = Date.now();
      if (p.done < p.total && tenth === lastTenth && now - lastDraw < 15_000) return;
      lastTenth = tenth;
      lastDraw = now;
      if (p.done < p.total) log(formatProgress(p));
    },
    line: log,
    end(p) {
      log(formatProgress(p));
    },
  };
}

/** How many compiles to run at once: one per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}
