// Where a COPY name resolves, as cobc's -I search finds it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
    for (const m of line.matchAll(/\bCOPY\s+(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9][A-Za-z0-9_.-]*))/gi)) {
      const name = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\.$/, '');
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

