// Copybook text → record layout: source expansion, then the item tree, then offsets and sizes.
import { computeLayout } from './compute-layout.ts';
import type { Dialect, RecordLayout } from './layout.ts';
import { parseItemTree } from './parser.ts';
import { applyReplacements, expandSource, operandTokens, type Replacement, type SourceFormat } from './source.ts';

export interface ParseOptions {
  fileName: string;
  format?: SourceFormat;
  /** Binary sizes follow cobc's `-std`: see `dialectForStd`. */
  dialect?: Dialect;
  /** Applied to the whole copybook as `COPY x REPLACING ==from== BY ==to==` would. `:TAG:` operands replace inside words. */
  replacing?: Array<[string, string]>;
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
    format: options.format ?? 'auto',
    depth: 0,
    chain: [],
  });
  if (options.replacing && options.replacing.length > 0) {
    const replacements: Replacement[] = options.replacing.map(([from, to]) => {
      const fromTokens = operandTokens(from, file);
      const isTag = fromTokens.length === 1 && /^(:[^:]+:|\([^()]+\))$/.test(from.trim());
      return { from: fromTokens, to: operandTokens(to, file), mode: isTag ? 'tag' : 'whole' };
    });
    tokens = applyReplacements(tokens, replacements);
  }
  const root = parseItemTree(tokens, file);
  return computeLayout(root, file, dialect, options.redefinesChoice ?? {});
}
