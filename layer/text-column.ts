// The fixed-format right margin cobc reads a program's text with (`-ftext-column`,
// or the `text-column` of a `-conf` file), so copybooks are read with the same one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_TEXT_COLUMN } from '../runtime/src/codecs/copybook/source.ts';
import type { ProgramSpec } from './programs.ts';

/** The value of a cobc option given as `-name=v`, `--name=v` or `-name v`, each time it appears. */
function optionValues(flags: string[], name: string): Array<{ at: number; value: string }> {
  const found: Array<{ at: number; value: string }> = [];
  flags.forEach((flag, at) => {
    const m = flag.match(new RegExp(`^--?${name}(?:=(.*))?$`));
    if (m) found.push({ at, value: m[1] ?? flags[at + 1] ?? '' });
  });
  return found;
}

/**
 * The last column of program text in fixed format, as cobc sets it: -f options apply after
 * -std and -conf, so the last `-ftext-column=N` wins (cobc accepts digits in 72..255 only, and so
 * does this); else a `-conf` file's `text-column`, which cobc itself is asked for (a config
 * file may include others, found as cobc finds them); else 72, the value of every -std config.
 */
export function textColumnFor(spec: Pick<ProgramSpec, 'source' | 'std' | 'cobcFlags'>): number {
  const given = optionValues(spec.cobcFlags, 'ftext-column').pop();
  if (given) {
    const column = /^[0-9]+$/.test(given.value) ? Number(given.value) : NaN;
    if (!(column >= 72 && column <= 255)) {
      throw new Error(`cobcFlags: -ftext-column=${given.value} is not a column cobc accepts (72..255)`);
    }
    return column;
  }
  if (optionValues(spec.cobcFlags, 'conf').length === 0) return DEFAULT_TEXT_COLUMN;
  return textColumnOfCobc([...(spec.std ? [`-std=${spec.std}`] : []), ...dialectFlags(spec.cobcFlags)], dirname(spec.source));
}

/** The -std and -conf options among `flags`, in their order (the last one loaded is the configuration). */
function dialectFlags(flags: string[]): string[] {
  return [...optionValues(flags, 'std'), ...optionValues(flags, 'conf')]
    .sort((a, b) => a.at - b.at)
    .map(({ at, value }) => `${flags[at]!.match(/^--?(std|conf)/)![0]}=${value}`);
}

/** cobc -E on a line of 248 characters from column 8: what it keeps of them ends at the text column. */
function textColumnOfCobc(dialect: string[], cwd: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'cobolambda-text-column-'));
  try {
    const probe = join(dir, 'probe.cob');
    writeFileSync(probe, `       ${'A'.repeat(248)}\n`);
    let out: string;
    try {
      out = execFileSync('cobc', ['-E', '-fixed', ...dialect, probe], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } }).toString('latin1');
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`cobcFlags: cobc ${dialect.join(' ')} cannot be read for its text-column: ${stderr || (err as Error).message}`);
    }
    const kept = out.split('\n').find((l) => !l.startsWith('#') && l.includes('A'));
    return 7 + (kept?.match(/A+/)?.[0].length ?? 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
