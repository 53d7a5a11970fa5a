// `cobolambda dev`: every program in cobol/ served as a Lambda function on the
// Invoke API, each invocation run by the real bootstrap bundle in an execution
// environment of its own, rebuilt when its sources change.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { join, resolve } from 'node:path';
import { bundleRuntime } from '../runtime/bundle.ts';
import { discoverPrograms, hasFunctionUrl, type FunctionUrls, type ProgramSpec } from '../layer/programs.ts';
import { defaultCacheDir } from '../layer/build-cache.ts';
import { CompileQueue } from '../layer/compile-queue.ts';
import type { CompileResult } from '../layer/compile.ts';
import { progressReporter } from '../layer/progress.ts';
import { copyLibraries, detectToolchain, LINKING, runtimeLibraries } from '../layer/toolchain.ts';
import { programMetadata, MetadataError } from '../layer/metadata.ts';
import { FunctionPool } from './function-pool.ts';
import { InvokeApi } from './invoke-api.ts';
import { usesS3 } from '../layer/batch.ts';
import { s3Environment } from './s3-credentials.ts';
import type { EventQueueSettings } from './event-queue.ts';
import { LOCAL_ACCOUNT_ID, type FunctionSettings } from './execution-environment.ts';

export interface DevServerOptions {
  cobolDir: string;
  /** Where `dev` keeps its build: the runtime bundle and the compiled programs. */
  workDir: string;
  /** The build cache, shared with `cobolambda build` and synth; default defaultCacheDir(). */
  cacheDir?: string;
  host: string;
  port: number;
  concurrency: number;
  region: string;
  /** Overrides every function's timeout (seconds). */
  timeoutSeconds?: number;
  /** SAM-style `--env-vars` file: `{ "Parameters": {...}, "<function>": {...} }`. */
  envVarsFile?: string;
  /** S3 endpoint for functions that use S3 (their AWS_ENDPOINT_URL_S3), e.g. a local S3-compatible server. */
  s3Endpoint?: string;
  watch: boolean;
  log: (line: string) => void;
  /** Which functions get a Function URL at /fn/<name>/, as deploy decides (cdk.json's `functionUrls`). Default `http`. */
  functionUrls?: FunctionUrls;
  /** Event invocations: queue bound, retries, maximum age (Lambda's by default). */
  events?: Partial<EventQueueSettings>;
}

export const ACCOUNT_ID = LOCAL_ACCOUNT_ID;

type EnvVars = Record<string, Record<string, string>>;

export class DevServer {
  readonly pools = new Map<string, FunctionPool>();
  private readonly api: InvokeApi;
  private runtimeDir = '';
  private programsDir = '';
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private rebuild: Promise<void> = Promise.resolve();
  private specs: ProgramSpec[] = [];

  constructor(private readonly options: DevServerOptions) {
    this.api = new InvokeApi({ functions: () => this.pools, writeLog: options.log, region: options.region, accountId: ACCOUNT_ID, events: options.events });
  }

  async start(): Promise<string> {
    const work = resolve(this.options.workDir);
    this.runtimeDir = join(work, 'runtime');
    this.programsDir = join(work, 'programs');
    await bundleRuntime(this.runtimeDir);
    // The shared libraries programs load, as the runtime layer has them in /opt/lib.
    copyLibraries(await runtimeLibraries(LINKING, await detectToolchain(), this.cacheDir), join(this.runtimeDir, 'lib'));
    // Serve at once: a program still compiling is Pending, and its first invocation waits for it.
    this.rebuild = this.build().catch((err: Error) => this.options.log(`dev: build failed: ${err.message}`));
    const url = await this.api.listen(this.options.port, this.options.host);
    if (this.options.watch) await this.watch();
    return url;
  }

  /** Waits for Event invocations and any rebuild under way. */
  async settle(): Promise<void> {
    await this.rebuild;
    await this.api.drain();
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    clearTimeout(this.reloadTimer);
    await this.api.close();
    for (const pool of this.pools.values()) pool.close();
  }

  /** Rebuilds now (what the watcher does on a change). */
  reload(): Promise<void> {
    this.rebuild = this.rebuild.then(() => this.build()).catch((err: Error) => this.options.log(`dev: rebuild failed: ${err.message}`));
    return this.rebuild;
  }

  get programs(): ProgramSpec[] {
    return this.specs;
  }

  private get cacheDir(): string {
    return resolve(this.options.cacheDir ?? defaultCacheDir());
  }

  /** Whether every program has been built at least once. */
  ready(): Promise<void> {
    return this.rebuild;
  }

  private async build(): Promise<void> {
    const { log } = this.options;
    const specs = discoverPrograms(this.options.cobolDir, { keepGoing: true });
    const binDir = join(this.programsDir, 'bin');
    const metaDir = join(this.programsDir, 'cobolambda', 'programs');
    mkdirSync(metaDir, { recursive: true });
    const progress = progressReporter(log, undefined);
    const queue = new CompileQueue(specs, {
      binDir,
      cacheDir: this.cacheDir,
      onResult: (spec, r, p) => {
        if (!r.cached && r.ok) log(`dev: compiled ${spec.name} in ${r.compileMs} ms`);
        if (specs.length > 40) progress.update(p);
      },
    });
    this.specs = specs;
    const envVars = this.readEnvVars();
    const installed = new Map(
      specs.map((spec) => [spec.name, queue.result(spec.name)!.then((r) => this.install(spec, r, binDir, metaDir, envVars))] as const),
    );
    for (const spec of specs) {
      const pool = this.pools.get(spec.name);
      if (pool && pool.state !== 'Pending') continue; // it serves its last build until the new one is installed
      const waiting = pool ?? this.pools.set(spec.name, new FunctionPool(this.functionSettings(spec, binDir, envVars), this.options.concurrency, log)).get(spec.name)!;
      waiting.waitForBuild(installed.get(spec.name)!, () => void queue.result(spec.name));
    }
    const seen = new Set(specs.map((s) => s.name));
    for (const [name, pool] of this.pools) {
      if (!seen.has(name)) {
        pool.close();
        this.pools.delete(name);
        log(`dev: ${name} is gone from ${this.options.cobolDir}`);
      }
    }
    await Promise.all(installed.values());
    if (specs.length > 40) progress.end(queue.progress());
  }

  /** A program's build result goes live: new invocations run it, or get its compile error. */
  private install(spec: ProgramSpec, compiled: CompileResult, binDir: string, metaDir: string, envVars: EnvVars): void {
    let result = compiled;
    if (result.ok) {
      try {
        writeFileSync(join(metaDir, `${spec.name}.json`), JSON.stringify(programMetadata(spec)));
      } catch (err) {
        if (!(err instanceof MetadataError)) throw err;
        result = { ...result, ok: false, messages: err.message };
      }
    }
    if (!result.ok) this.options.log(`dev: ${spec.name} does not compile; its invocations fail until it does:\n${result.messages}`);
    this.pools.get(spec.name)?.reload(this.functionSettings(spec, binDir, envVars), result.ok ? undefined : result.messages);
  }

  private functionSettings(spec: ProgramSpec, binDir: string, envVars: EnvVars): FunctionSettings {
    return {
      name: spec.name,
      runtimeDir: this.runtimeDir,
      programDir: binDir,
      memorySizeMb: spec.memorySizeMb,
      timeoutSeconds: this.options.timeoutSeconds ?? spec.timeoutSeconds,
      environment: {
        ...(usesS3(spec.batch) ? s3Environment(process.env, this.options.s3Endpoint) : {}),
        ...spec.environment,
        ...envVars.Parameters,
        ...envVars[spec.name],
      },
      region: this.options.region,
      accountId: ACCOUNT_ID,
      functionUrl: hasFunctionUrl(spec, this.options.functionUrls ?? 'http'),
      lambdaRuntime: spec.runtime,
    };
  }

  private readEnvVars(): EnvVars {
    const file = this.options.envVarsFile;
    if (!file) return {};
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    const out: Record<string, Record<string, string>> = {};
    for (const [fn, vars] of Object.entries(parsed)) {
      out[fn] = Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, String(v)]));
    }
    return out;
  }

  /** Resolves once the watcher has read the folder, so changes from here on are seen. */
  private watch(): Promise<void> {
    // chokidar, not fs.watch: once a file has been replaced by rename (sed -i, atomic
    // saves), Linux's recursive fs.watch in Node 20 no longer sees writes to it.
    this.watcher = watch(this.options.cobolDir, { ignoreInitial: true });
    // A save often arrives as several events: rebuild once they settle.
    this.watcher.on('all', () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload(), 150);
    });
    this.watcher.on('error', (err) => this.options.log(`dev: watching ${this.options.cobolDir}: ${(err as Error).message}`));
    return new Promise((resolve) => this.watcher!.once('ready', () => resolve()));
  }
}
