// A smoke run of the soak (bench/soak.ts) in CI: 200 invocations at concurrency 8
// through a real `cobolambda dev` process. Every answer exact, none lost,
// duplicated or misrouted, nothing left running. The full 10,000 is run by hand.
import { describe, expect, it } from 'vitest';
import { runSoak, summary } from '../bench/soak.ts';

describe('soak (smoke)', () => {
  it('200 invocations at concurrency 8: every answer is its own request’s, exact; none lost or duplicated', async () => {
    const result = await runSoak({ invocations: 200, concurrency: 8, seed: 7, log: () => {} });
    console.log(summary(result));
    expect(result.wrongExamples).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.misrouted).toBe(0);
    expect(result.unattributed).toBe(0);
    expect(result.answered).toBe(200);
    for (const mode of Object.values(result.byMode)) expect(mode.wrong).toBe(0);
    expect(Object.values(result.byMode).every((m) => m.sent > 0)).toBe(true);
    // Environments are kept warm and bounded by the concurrency (8 per function, two functions),
    // and once every answer is in, no program is left running.
    expect(result.end.bootstraps).toBeLessThanOrEqual(16);
    expect(result.end.leftovers).toEqual([]);
  }, 300_000);
});
