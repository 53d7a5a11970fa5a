// An estate at CI size (issue 16): 60 programs from bench/estate.ts, in group
// sub-folders, of mixed sizes, some with copybooks and subprograms. One cold
// build; then every other step reuses its cache: an incremental build, `dev`,
// and a `cdk synth` split into stacks at a small limit.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { generateEstate, type Estate } from '../bench/estate.ts';
import { buildProject, type BuildResult } from '../layer/build.ts';
import { CACHE_DIR_ENV } from '../layer/build-cache.ts';
import { discoverPrograms } from '../layer/programs.ts';
import { DevServer } from '../dev/dev-server.ts';
import { createStacks, planStacks, templateLimitProblems } from '../infra/index.ts';
import { tempDir } from './support/cobc.ts';

const PROGRAMS = 60;
const host = process.arch === 'arm64' ? 'arm64' : 'x86_64';

let work: string;
let estate: Estate;
let cacheDir: string;
let first: BuildResult;
const firstLog: string[] = [];

const cachedExecutables = (): string[] => readdirSync(join(cacheDir, 'programs')).filter((f) => !f.endsWith('.elf-ok'));

function runProgram(build: BuildResult, name: string): string {
  const r = spawnSync(join(build.programsLayerDir, 'bin', name), [], {
    input: 'x\n',
    encoding: 'utf8',
    env: { LD_LIBRARY_PATH: join(build.runtimeLayerDir, 'lib') },
  });
  return `${r.stdout}${r.stderr}`.trim();
}

beforeAll(async () => {
  work = tempDir('estate');
  cacheDir = join(work, 'cache');
  estate = generateEstate(join(work, 'cobol'), PROGRAMS, 7);
  first = await buildProject({ cobolDir: estate.dir, outDir: join(work, 'dist'), cacheDir, log: (l) => firstLog.push(l) });
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('an estate of 60 programs', () => {
  it('builds every program, in parallel, into one code zip per function', () => {
    expect(first.errors).toEqual([]);
    expect(first.programs).toHaveLength(PROGRAMS);
    const groups = new Set(first.programs.map((p) => p.group));
    expect(groups.size).toBeGreaterThan(3);
    for (const p of first.programs) {
      expect(p.zip, p.name).toBe(join(work, 'dist', 'functions', `${p.name}.zip`));
      expect(existsSync(p.zip!), p.name).toBe(true);
      expect(p.group, p.name).toBe(estate.programs.find((e) => e.name === p.name)!.group);
    }
    const log = firstLog.join('\n');
    // Many programs: progress lines and totals instead of a line per program.
    expect(log).toMatch(new RegExp(`^\\[${PROGRAMS}/${PROGRAMS}\\] ${PROGRAMS} compiled, [\\d.]+/s, took \\d+`, 'm'));
    expect(log).toMatch(new RegExp(`^${PROGRAMS} programs: ${PROGRAMS} ok \\(0 from the cache\\), 0 failed; .*function zips`, 'm'));
    expect(log).not.toMatch(/compiled in \d+ ms/);
    expect(readFileSync(join(work, 'dist', 'README'), 'utf8')).toMatch(new RegExp(`${PROGRAMS} of ${PROGRAMS} program`));
  });

  it('gives each program the output the generator expects (copybooks and subprograms included)', () => {
    expect(estate.programs.some((p) => p.copybook) && estate.programs.some((p) => p.subprogram)).toBe(true);
    expect(new Set(estate.programs.map((p) => p.size))).toEqual(new Set(['small', 'medium', 'large']));
    for (const p of estate.programs) expect(runProgram(first, p.name), p.file).toBe(p.expected);
  });

  it('rebuilds only the program that changed, then only the programs that COPY a changed copybook', async () => {
    const before = cachedExecutables().length;
    const changed = estate.programs[3]!;
    appendFileSync(join(estate.dir, changed.file), '      *> a comment\n');
    const one = await buildProject({ cobolDir: estate.dir, outDir: join(work, 'dist'), cacheDir, log: () => {} });
    expect(one.ok).toBe(true);
    expect(one.programs.filter((p) => !p.cached).map((p) => p.name)).toEqual([changed.name]);

    const group = estate.programs.find((p) => p.group && p.copybook)!.group;
    const copiers = estate.programs.filter((p) => p.group === group && p.copybook);
    const index = ['accounts', 'billing', 'claims', 'ledger', 'payroll', 'policy', 'reports'].indexOf(group);
    writeFileSync(join(estate.dir, group, 'copybooks', `${group}rec.cpy`), `       01 GROUP-BASE PIC 9(6) VALUE ${100 + index + 50}.\n`);
    const two = await buildProject({ cobolDir: estate.dir, outDir: join(work, 'dist'), cacheDir, log: () => {} });
    expect(two.ok).toBe(true);
    expect(two.programs.filter((p) => !p.cached).map((p) => p.name).sort()).toEqual(copiers.map((p) => p.name).sort());
    const [name, total] = copiers[0]!.expected.split(' ') as [string, string];
    expect(runProgram(two, copiers[0]!.name)).toBe(`${name} ${String(Number(total) + 50).padStart(12, '0')}`);
    expect(cachedExecutables().length).toBe(before + 1 + copiers.length);
  }, 300_000);

  it('dev serves from the same cache without compiling; a new program is Pending until compiled, then answers', async () => {
    const logs: string[] = [];
    const server = new DevServer({ cobolDir: estate.dir, workDir: join(work, 'dev'), cacheDir, host: '127.0.0.1', port: 0, concurrency: 2, region: 'us-east-1', watch: false, log: (l) => logs.push(l) });
    const url = await server.start();
    try {
      const invoke = async (name: string) => {
        const res = await fetch(`${url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: '"x"' });
        return { status: res.status, body: (await res.text()).trim() };
      };
      const p = estate.programs.find((e) => e.subprogram && !e.copybook)!;
      expect(await invoke(p.name)).toEqual({ status: 200, body: p.expected });
      await server.ready();
      expect(logs.filter((l) => l.startsWith('dev: compiled'))).toEqual([]);

      // A program added while dev runs: visible at once as Pending (Lambda's state), served once compiled.
      mkdirSync(join(estate.dir, 'newgroup'));
      const plain = estate.programs.find((e) => !e.copybook && !e.subprogram)!;
      writeFileSync(join(estate.dir, 'newgroup', 'fresh01.cbl'), readFileSync(join(estate.dir, plain.file), 'utf8').replaceAll(plain.name.toUpperCase(), 'FRESH01'));
      const reloaded = server.reload();
      const config = await (await fetch(`${url}/2015-03-31/functions/fresh01/configuration`)).json();
      expect(config).toMatchObject({ FunctionName: 'fresh01', State: 'Pending', LastUpdateStatus: 'InProgress' });
      const answer = await invoke('fresh01');
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(plain.expected.replace(plain.name.toUpperCase(), 'FRESH01'));
      await reloaded;
      expect(await (await fetch(`${url}/2015-03-31/functions/fresh01/configuration`)).json()).toMatchObject({ State: 'Active' });
      expect(logs.filter((l) => l.startsWith('dev: compiled')).map((l) => l.split(' ')[2])).toEqual(['fresh01']);
    } finally {
      await server.close();
      rmSync(join(estate.dir, 'newgroup'), { recursive: true, force: true });
    }
  }, 300_000);

  it('synthesizes several stacks at a small limit from the same cache (nothing compiled), within CloudFormation limits, cdk-nag and cfn-lint clean', () => {
    const before = cachedExecutables().length;
    const outdir = join(work, 'cdk.out');
    const saved = process.env[CACHE_DIR_ENV];
    process.env[CACHE_DIR_ENV] = cacheDir;
    const app = new App({ outdir, context: { cobolDir: estate.dir, architecture: host, maxFunctionsPerStack: 8 } });
    let stacks: ReturnType<typeof createStacks>;
    try {
      stacks = createStacks(app);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app)); // a finding makes synth throw
      app.synth();
    } finally {
      if (saved === undefined) delete process.env[CACHE_DIR_ENV];
      else process.env[CACHE_DIR_ENV] = saved;
    }
    expect(cachedExecutables().length).toBe(before);

    // Every program in exactly one stack, no stack over the limit, groups as stack names.
    const placed = stacks.flatMap((s) => s.programs.map((p) => p.name)).sort();
    expect(placed).toEqual(discoverPrograms(estate.dir).map((p) => p.name).sort());
    for (const s of stacks) {
      expect(s.programs.length, s.stackName).toBeLessThanOrEqual(8);
      const group = s.programs[0]!.group;
      expect(s.programs.every((p) => p.group === group), s.stackName).toBe(true);
      expect(s.stackName.startsWith(group ? `Cobolambda-${group[0]!.toUpperCase()}${group.slice(1)}` : 'Cobolambda'), s.stackName).toBe(true);
    }
    expect(stacks.length).toBeGreaterThanOrEqual(Math.ceil(PROGRAMS / 8));
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates).toHaveLength(stacks.length);
    for (const t of templates) expect(templateLimitProblems(t, JSON.parse(readFileSync(join(outdir, t), 'utf8')))).toEqual([]);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations ?? [])).toEqual([]);
    const lint = spawnSync('cfn-lint', templates.map((t) => join(outdir, t)), { encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(lint.status! & 2, lint.stdout + lint.stderr).toBe(0);
  }, 300_000);

  it('splits deterministically: a new program moves no other, and a shard count only splits shards', () => {
    const specs = discoverPrograms(estate.dir);
    const where = (plan: ReturnType<typeof planStacks>) => new Map(plan.flatMap((s) => s.programs.map((p) => [p.name, s.name] as const)));
    const pinned = { accounts: 2, billing: 2, claims: 2, ledger: 2, payroll: 2, policy: 2, reports: 2 };
    const a = where(planStacks(specs, { stackName: 'Cobolambda', maxFunctionsPerStack: 60, shards: pinned }));
    const extra = { ...specs[0]!, name: 'zz-new', source: '/nowhere/zz-new.cbl' };
    const b = where(planStacks([...specs, extra], { stackName: 'Cobolambda', maxFunctionsPerStack: 60, shards: pinned }));
    for (const [name, stack] of a) expect(b.get(name), name).toBe(stack);
    const doubled = where(planStacks(specs, { stackName: 'Cobolambda', maxFunctionsPerStack: 60, shards: { ...pinned, accounts: 4 } }));
    for (const [name, stack] of a) {
      const now = doubled.get(name)!;
      if (!stack.startsWith('Cobolambda-Accounts')) expect(now, name).toBe(stack);
      else expect([stack, stack.replace(/-S(\d+)$/, (_, s: string) => `-S${Number(s) + 2}`)], name).toContain(now);
    }
    expect(() => planStacks(specs, { stackName: 'Cobolambda', shards: { accounts: 3 } })).toThrow(/power of two/);
    expect(() => planStacks(specs, { stackName: 'Cobolambda', shards: { nothing: 2 } })).toThrow(/no programs/);
  });
});
