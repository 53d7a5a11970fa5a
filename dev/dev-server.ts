// `cobolambda dev`: every program in cobol/ served as a Lambda function on the
// Invoke API, each invocation run by the real bootstrap bundle in an execution
// environment of its own, rebuilt when its sources change.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { join, resolve } from 'node:path';
import { bundleRuntime } from '../runtime/bundle.ts';
import { discoverPrograms, hasFunctionUrl, type FunctionUrls, type ProgramSpec } from '../layer/programs.ts';
import { compileProgram } from '../layer/build.ts';
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
    await this.build();
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

  private async build(): Promise<void> {
    const { log } = this.options;
    const specs = discoverPrograms(this.options.cobolDir, { keepGoing: true });
    const envVars = this.readEnvVars();
    const binDir = join(this.programsDir, 'bin');
    const metaDir = join(this.programsDir, 'cobolambda', 'programs');
    mkdirSync(metaDir, { recursive: true });
    const seen = new Set<string>();
    for (const spec of specs) {
      seen.add(spec.name);
      let result = await compileProgram(spec, binDir, { cacheDir: join(resolve(this.options.workDir), 'cache') });
      if (result.ok) {
        try {
          writeFileSync(join(metaDir, `${spec.name}.json`), JSON.stringify(programMetadata(spec)));
        } catch (err) {
          if (!(err instanceof MetadataError)) throw err;
          result = { ...result, ok: false, messages: err.message };
        }
      }
      if (!result.ok) log(`dev: ${spec.name} does not compile; its invocations fail until it does:\n${result.messages}`);
      else if (!result.cached) log(`dev: compiled ${spec.name} in ${result.compileMs} ms`);
      const settings: FunctionSettings = {
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
      const buildError = result.ok ? undefined : result.messages;
      const pool = this.pools.get(spec.name);
      if (pool) pool.reload(settings, buildError);
      else this.pools.set(spec.name, new FunctionPool(settings, this.options.concurrency, log)).get(spec.name)!.reload(settings, buildError);
    }
    for (const [name, pool] of this.pools) {
      if (!seen.has(name)) {
        pool.close();
        this.pools.delete(name);
        log(`dev: ${name} is gone from ${this.options.cobolDir}`);
      }
    }
    this.specs = specs;
  }

  private readEnvVars(): Record<string, Record<string, string>> {
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
