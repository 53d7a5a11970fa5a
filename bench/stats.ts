// Percentiles and small formatting helpers shared by the benches.
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), min: s[0] ?? Number.NaN, max: s.at(-1) ?? Number.NaN };
}

export const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
export const mb = (n: number): string => (n / 1e6).toFixed(2);
