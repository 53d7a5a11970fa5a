// Many programs compiled at once, `jobs` at a time (one per core by default).
// A caller that needs one program now (dev, on its first invocation) moves it
// to the front; everyone gets each program's result as soon as it is ready.
import { compileProgram, type CompileOptions, type CompileResult } from './compile.ts';
import type { ProgramSpec } from './programs.ts';
import { defaultJobs, type ProgressSnapshot } from './progress.ts';

export interface CompileQueueOptions extends CompileOptions {
  /** Where each executable is placed (`binDir/<name>`); only the cache when absent. */
  binDir?: string;
  jobs?: number;
  onResult?: (spec: ProgramSpec, result: CompileResult, progress: ProgressSnapshot) => void;
}

interface Entry {
  spec: ProgramSpec;
  promise: Promise<CompileResult>;
  resolve: (r: CompileResult) => void;
  started: boolean;
}

export class CompileQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: Entry[] = [];
  private readonly started = performance.now();
  private done = 0;
  private compiled = 0;
  private failed = 0;

  constructor(
    specs: ProgramSpec[],
    private readonly options: CompileQueueOptions = {},
  ) {
    for (const spec of specs) {
      let resolve!: (r: CompileResult) => void;
      const promise = new Promise<CompileResult>((r) => (resolve = r));
      const entry: Entry = { spec, promise, resolve, started: false };
      this.entries.set(spec.name, entry);
      this.waiting.push(entry);
    }
    const jobs = Math.max(1, options.jobs ?? defaultJobs());
    for (let i = 0; i < jobs; i++) this.next();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The result of one program; moves it to the front when it has not started. */
  result(name: string): Promise<CompileResult> | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    if (!entry.started) {
      const i = this.waiting.indexOf(entry);
      if (i > 0) this.waiting.unshift(...this.waiting.splice(i, 1));
    }
    return entry.promise;
  }

  /** Every result, in the order the programs were given. */
  all(): Promise<CompileResult[]> {
    return Promise.all([...this.entries.values()].map((e) => e.promise));
  }

  progress(): ProgressSnapshot {
    return { done: this.done, total: this.entries.size, compiled: this.compiled, failed: this.failed, elapsedMs: performance.now() - this.started };
  }

  private next(): void {
    const entry = this.waiting.shift();
    if (!entry) return;
    entry.started = true;
    compileProgram(entry.spec, this.options.binDir, this.options)
      .catch((err: Error): CompileResult => ({ ok: false, binary: '', cachedBinary: '', key: '', messages: err.message, cached: false, compileMs: 0 }))
      .then((result) => {
        this.done++;
        if (!result.ok) this.failed++;
        else if (!result.cached) this.compiled++;
        this.options.onResult?.(entry.spec, result, this.progress());
        entry.resolve(result);
        this.next();
      });
  }
}
