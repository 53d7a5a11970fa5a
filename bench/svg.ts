// A latency chart written by hand (no dependency): one row per measurement,
// a box from p25 to p75, whiskers p1..p99, a tick at p50, on a log-scale axis.
export interface ChartRow {
  label: string;
  samples: number[];
  color?: string;
  /** Shown after the p50, e.g. its ratio to the row's baseline. */
  note?: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function q(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function latencySvg(title: string, subtitle: string, rows: ChartRow[]): string {
  const left = 300;
  // Room right of the plot for the p50 and its ratio, written after the p99 whisker.
  const right = 240;
  const width = 1160;
  const rowH = 34;
  const top = 64;
  const plotW = width - left - right;
  const height = top + rows.length * rowH + 50;
  const all = rows.flatMap((r) => r.samples).filter((x) => x > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const x = (v: number) => left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="40" fill="#555">${esc(subtitle)}</text>`);
  // Grid: 1, 2, 5 × powers of ten.
  for (let d = lo; d <= hi; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi) break;
      const gx = x(v).toFixed(1);
      out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="${m === 1 ? '#bbb' : '#e4e4e4'}"/>`);
      out.push(`<text x="${gx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
  }
  out.push(`<text x="${left + plotW / 2}" y="${top + rows.length * rowH + 36}" text-anchor="middle" fill="#333">milliseconds (log scale) · box p25–p75, whiskers p1–p99, tick p50</text>`);
  rows.forEach((r, i) => {
    const s = [...r.samples].sort((a, b) => a - b);
    const cy = top + i * rowH + rowH / 2;
    const color = r.color ?? '#3572b0';
    out.push(`<text x="${left - 10}" y="${cy + 4}" text-anchor="end">${esc(r.label)}</text>`);
    if (s.length === 0) return;
    const [p1, p25, p50, p75, p99] = [1, 25, 50, 75, 99].map((p) => x(q(s, p)));
    out.push(`<line x1="${p1!.toFixed(1)}" y1="${cy}" x2="${p99!.toFixed(1)}" y2="${cy}" stroke="${color}" stroke-width="1.5"/>`);
    out.push(`<rect x="${p25!.toFixed(1)}" y="${cy - 9}" width="${Math.max(1, p75! - p25!).toFixed(1)}" height="18" fill="${color}" fill-opacity="0.35" stroke="${color}"/>`);
    out.push(`<line x1="${p50!.toFixed(1)}" y1="${cy - 11}" x2="${p50!.toFixed(1)}" y2="${cy + 11}" stroke="#000" stroke-width="2"/>`);
    out.push(`<text x="${(p99! + 6).toFixed(1)}" y="${cy + 4}" fill="#333">${q(s, 50).toFixed(2)} ms${r.note ? ` · ${esc(r.note)}` : ''}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
