// Where a COPY name resolves, as cobc's -I search finds it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_TEXT_COLUMN, sourceSegments, type Segment, type SourceFormat } from '../runtime/src/codecs/copybook/source.ts';

const COPY_STATEMENT = /\bCOPY\s+(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9][A-Za-z0-9_.-]*))/gi;
const copyName = (m: RegExpMatchArray): string => (m[1] ?? m[2] ?? m[3] ?? '').replace(/\.$/, '');

const COPYBOOK_EXTENSIONS = ['', '.cpy', '.CPY', '.cob', '.COB', '.cbl', '.CBL'];

/** The file a COPY name resolves to in the first folder that has it. */
export function findCopybook(name: string, dirs: string[]): string | undefined {
  const candidates = dirs.flatMap((d) =>
    [name, name.toLowerCase(), name.toUpperCase()].flatMap((n) => COPYBOOK_EXTENSIONS.map((e) => join(d, n + e))),
  );
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The copybooks a source COPYs, transitively, as resolved files (missing ones by name). */
export function copybooksOf(source: string, dirs: string[], seen = new Set<string>()): string[] {
  const text = readFileSync(source, 'latin1');
  const found: string[] = [];
  for (const rawLine of text.split('\n')) {
    // Fixed-format comment lines (indicator * or / in column 7) and *> comments.
    if (/^.{6}[*/]/.test(rawLine)) continue;
    const line = rawLine.replace(/\*>.*$/, '');
    for (const m of line.matchAll(COPY_STATEMENT)) {
      const name = copyName(m);
      const file = findCopybook(name, [dirname(source), ...dirs]);
      const key = file ?? `missing:${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(key);
      if (file) found.push(...copybooksOf(file, dirs, seen));
    }
  }
  return found;
}


/** The reference format cobc starts a source in: fixed, unless the flags say free (the last of -free/-fixed wins). */
export function initialSourceFormat(cobcFlags: string[]): SourceFormat {
  let format: SourceFormat = 'fixed';
  for (const flag of cobcFlags) {
    if (['-free', '-F', '--free'].includes(flag)) format = 'free';
    if (['-fixed', '--fixed'].includes(flag)) format = 'fixed';
  }
  return format;
}

/**
 * The format cobc reads `copybookFile` in when `source` COPYs it: a copybook starts in the
 * format in effect at the COPY statement (`>>SOURCE FORMAT` before it counts). A source
 * that does not COPY it directly, or cannot be read as COBOL, leaves `initial`.
 */
export function formatAtCopy(source: string, copybookFile: string, dirs: string[], initial: SourceFormat, textColumn = DEFAULT_TEXT_COLUMN): SourceFormat {
  let segments: Segment[];
  try {
    segments = sourceSegments(readFileSync(source, 'latin1'), source, initial, textColumn);
  } catch {
    return initial; // cobc reports what is wrong with the program itself
  }
  for (const segment of segments) {
    for (const m of segment.text.matchAll(COPY_STATEMENT)) {
      if (findCopybook(copyName(m), [dirname(source), ...dirs]) === copybookFile) return segment.format;
    }
  }
  return initial;
}
