// Copybook text → record layout: source expansion, then the item tree, then offsets and sizes.
import { computeLayout } from './compute-layout.ts';
import type { Dialect, RecordLayout } from './layout.ts';
import { parseItemTree } from './parser.ts';
import { applyReplacements, type Replacement } from './replacing.ts';
import { expandSource, operandTokens, type SourceFormat } from './source.ts';

export interface ParseOptions {
  fileName: string;
  format?: SourceFormat;
  /** cobc's `-ftext-column`: the last column of program text in fixed format (72 when not given). */
  textColumn?: number;
  /** Binary sizes follow cobc's `-std`: see `dialectForStd`. */
  dialect?: Dialect;
  /** Applied to the whole copybook as `COPY x REPLACING ==from== BY ==to==` would. `:TAG:` operands replace inside words. */
  replacing?: Array<[string, string]>;
  /** The 01/77 record to map when the copybook has several (its name after REPLACING). */
  record?: string;
  /** Which definition of a redefined area maps to JSON: redefined item's name → chosen item's name (either one). */
  redefinesChoice?: Record<string, string>;
  /** Text of a nested `COPY name`. */
  resolveCopy?: (name: string) => string;
}


export function parseCopybook(text: string, options: ParseOptions): RecordLayout {
  const file = options.fileName;
  const dialect = options.dialect ?? 'default';
  let tokens = expandSource(text, file, {
    resolveCopy: options.resolveCopy,
    format: options.format ?? 'fixed',
    textColumn: options.textColumn,
    depth: 0,
    chain: [],
  });
  if (options.replacing && options.replacing.length > 0) {
    const replacements: Replacement[] = options.replacing.map(([from, to]) => ({
      from: operandTokens(from, file),
      to: operandTokens(to, file),
      mode: 'whole',
    }));
    tokens = applyReplacements(tokens, replacements);
  }
  const root = parseItemTree(tokens, file, options.record);
  return computeLayout(root, file, dialect, options.redefinesChoice ?? {});
}
