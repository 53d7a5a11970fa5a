// A smoke run of `npm run bench` (few iterations) so the bench cannot rot: every
// row must be there with sane numbers. No timing thresholds: CI machines vary.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './support/cobc.ts';

const run = promisify(execFile);

describe('bench smoke run', () => {
  it('writes every row with sane numbers, and the chart', async () => {
    const out = tempDir('bench-out');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], {
      env: { ...process.env, COBOLAMBDA_BENCH_OUT: out },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 600_000,
    });
    expect(stdout).toContain('| goal |');
    const r = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    expect(r.quick).toBe(true);

    const ids = r.latency.map((l: { id: string }) => l.id);
    expect(ids).toEqual([
      'limit', 'limit-fork',
      'runner-fork-server', 'runner-native', 'runner-node', 'runner-execa',
      'dev-fork-server', 'dev-native', 'dev-node', 'dev-execa',
    ]);
    for (const l of r.latency) {
      expect(l.n, l.id).toBeGreaterThan(0);
      expect(l.errors, l.id).toBe(0);
      expect(l.p50, l.id).toBeGreaterThan(0);
      expect(l.p90, l.id).toBeGreaterThanOrEqual(l.p50);
      expect(l.p99, l.id).toBeGreaterThanOrEqual(l.p90);
      expect(Number.isFinite(l.ratio) && l.ratio > 0, l.id).toBe(true);
    }
    expect(r.latency[0].ratio).toBe(1);

    expect(r.throughput.map((t: { path: string; concurrency: number }) => `${t.path}x${t.concurrency}`)).toEqual([
      'limitx1', 'limitx2', 'limitx8', 'fork-serverx1', 'fork-serverx2', 'fork-serverx8', 'nativex1', 'nativex2', 'nativex8',
    ]);
    for (const t of r.throughput) {
      expect(t.perSecond, t.id).toBeGreaterThan(0);
      expect(t.errors, t.id).toBe(0);
    }

    expect(r.coldStart.map((c: { id: string }) => c.id)).toEqual(['node-e-0', 'bootstrap', 'bootstrap-before', 'exec-wrapper', 'expose-gc', 'dev-init']);
    for (const c of r.coldStart) expect(c.p50 > 0 && Number.isFinite(c.ratio), c.id).toBe(true);

    expect(r.linking.map((l: { strategy: string }) => l.strategy)).toEqual(['noop', 'dynamic', 'static', 'shared-noicu', 'static-libcob']);
    for (const l of r.linking) {
      expect(l.p50, l.strategy).toBeGreaterThan(0);
      expect(l.programBytes, l.strategy).toBeGreaterThan(0);
    }
    expect(r.linking.find((l: { strategy: string }) => l.strategy === 'static-libcob').loadsOnLambda).toBe('yes');

    expect(r.machineScaling.map((m: { id: string }) => m.id)).toEqual(['cpu', 'fork']);
    for (const m of r.machineScaling) expect(m.ratio > 0 && Number.isFinite(m.ratio), m.id).toBe(true);
    // Every sample ran within its configured memory (hello: 128 MB).
    expect(r.memory.map((m: { fn: string }) => m.fn)).toEqual(expect.arrayContaining(['hello', 'loan', 'custbal', 'payslip', 'guestbook']));
    for (const m of r.memory) {
      expect(m.maxMemoryUsedMb, m.fn).toBeGreaterThan(0);
      expect(m.maxMemoryUsedMb, m.fn).toBeLessThan(m.memorySizeMb);
    }
    expect(r.memory.find((m: { fn: string }) => m.fn === 'hello').memorySizeMb).toBe(128);
    expect(r.goals.map((g: { goal: string }) => g.goal)).toEqual(expect.arrayContaining([
      'warm invoke through dev p99 / limit p50 (fork server, default)',
      'cold start p50 / `node -e 0` of the same Node',
    ]));
    for (const g of r.goals) expect(Number.isFinite(g.value) && g.value > 0, g.goal).toBe(true);

    const svg = readFileSync(join(out, 'latency.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('limit (C launcher)');
  }, 900_000);
});
