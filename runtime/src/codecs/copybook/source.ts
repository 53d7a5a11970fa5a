// Copybook text → tokens: reference format (fixed or free), comments,
// continuation lines, and COPY ... REPLACING expansion.
import { applyReplacements, type Replacement } from './replacing.ts';

export class CopybookError extends Error {
  override name = 'CopybookError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly clause: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${clause}: ${problem}`);
  }
}

/** cobc reads fixed format unless told otherwise (`-free`, `>>SOURCE FORMAT FREE`): there is no detection. */
export type SourceFormat = 'fixed' | 'free';

/** The last column of program text in fixed format: cobc's default, which `-ftext-column=N` (72..255) moves. */
export const DEFAULT_TEXT_COLUMN = 72;

export interface Token {
  kind: 'word' | 'literal' | 'period' | 'pseudo';
  /** Words: as written. Literals: the characters between the quotes, doubled quotes undone; for hex literals the bytes as latin1. */
  text: string;
  hex?: boolean;
  file: string;
  line: number;
}

export interface Segment {
  text: string;
  line: number;
  /** The reference format in effect on this line (a nested COPY is read in it, as cobc does). */
  format: SourceFormat;
}

// `>>SOURCE [FORMAT] [IS] FREE|FIXED`, or Micro Focus style `$SET SOURCEFORMAT"FREE"` / `SOURCEFORMAT(FREE)`.
const FORMAT_DIRECTIVE = /^(?:>>\s?SOURCE\s+(?:FORMAT\s+)?(?:IS\s+)?([A-Z]+)|\$SET\s+(?:.*\s)?SOURCE-?FORMAT\s*[("']\s*([A-Z]+))/i;

/**
 * The program text of each line, as cobc's preprocessor reads it: a DOS end-of-file
 * byte (^Z) at the start of a line is dropped (elsewhere it is a control character
 * like any other), CR LF ends a line. In fixed format a line shorter than 7 characters is blank (a lone sequence
 * number), columns 1-6 and those after `textColumn` (73- by default) are ignored and column 7 is
 * the indicator. Comments are removed and continuation lines joined.
 */
export function sourceSegments(text: string, file: string, format: SourceFormat, textColumn = DEFAULT_TEXT_COLUMN): Segment[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '').replace(/^\x1a+/, ''));
  let current = format;
  const segments: Segment[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fixed = current === 'fixed';
    const expanded = expandTabs(raw);
    if (fixed && expanded.length < 7) return;
    const area = (fixed ? expanded.slice(6, textColumn) : raw).trim();
    const directive = area.match(FORMAT_DIRECTIVE);
    if (directive) {
      const named = (directive[1] ?? directive[2]!).toUpperCase();
      if (named !== 'FREE' && named !== 'FIXED') {
        throw new CopybookError(file, line, 'source format', `source format ${named} is not supported (FIXED or FREE)`);
      }
      current = named === 'FREE' ? 'free' : 'fixed';
      return;
    }
    if (/^(>>|\$)/.test(area)) return; // other compiler directives
    if (!fixed) {
      segments.push({ text: stripFloatingComment(raw), line, format: current });
      return;
    }
    const indicator = expanded[6]!;
    const content = stripFloatingComment(expanded.slice(7, textColumn));
    if (indicator === '*' || indicator === '/' || indicator === 'D' || indicator === 'd') return;
    if (indicator === '-') {
      const previous = segments[segments.length - 1];
      if (!previous) throw new CopybookError(file, line, 'continuation', 'a continuation line with nothing to continue');
      if (openQuote(previous.text)) {
        const start = content.search(/["']/);
        if (start < 0) throw new CopybookError(file, line, 'continuation', 'a continued literal must resume with a quote');
        // cobc pads a continued literal with spaces up to the text column.
        previous.text = previous.text.padEnd(textColumn - 7, ' ') + content.slice(start + 1);
      } else {
        previous.text = previous.text.trimEnd() + content.trimStart();
      }
      return;
    }
    if (indicator !== ' ') {
      throw new CopybookError(file, line, 'indicator area', `unexpected ${printable(indicator)} in column 7: cobc reads fixed format unless the program is compiled with -free or the text follows >>SOURCE FORMAT FREE`);
    }
    segments.push({ text: content, line, format: current });
  });
  return segments;
}

const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `"X"`, or `X'0C'` for a character that would not show. */
function printable(ch: string): string {
  return CONTROL_CHARACTER.test(ch) ? `X'${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}'` : `"${ch}"`;
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(8 - (out.length % 8));
    else out += ch;
  }
  return out;
}

function openQuote(text: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) {
        if (text[i + 1] === quote) i++;
        else quote = undefined;
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    }
  }
  return quote;
}

function stripFloatingComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '*' && text[i + 1] === '>') {
      return text.slice(0, i);
    }
  }
  return text;
}

const isSpace = (ch: string | undefined): boolean => ch === undefined || ch === ' ' || ch === '\t';

export function tokenize(segments: Array<Pick<Segment, 'text' | 'line'>>, file: string): Token[] {
  const tokens: Token[] = [];
  for (const { text, line } of segments) {
    const control = text.match(CONTROL_CHARACTER);
    if (control) {
      throw new CopybookError(file, line, 'source text', `control character ${printable(control[0])} in the program text (cobc refuses it too)`);
    }
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (isSpace(ch)) {
        i++;
        continue;
      }
      if ((ch === ',' || ch === ';') && isSpace(text[i + 1])) {
        i++;
        continue;
      }
      if (ch === '.' && isSpace(text[i + 1])) {
        tokens.push({ kind: 'period', text: '.', file, line });
        i++;
        continue;
      }
      if (ch === '=' && text[i + 1] === '=') {
        tokens.push({ kind: 'pseudo', text: '==', file, line });
        i += 2;
        continue;
      }
      const hexPrefix = (ch === 'X' || ch === 'x') && (text[i + 1] === '"' || text[i + 1] === "'");
      if (ch === '"' || ch === "'" || hexPrefix) {
        const quote = hexPrefix ? text[i + 1]! : ch;
        let j = hexPrefix ? i + 2 : i + 1;
        let value = '';
        for (;;) {
          if (j >= text.length) throw new CopybookError(file, line, 'literal', 'a literal is not closed on its line');
          if (text[j] === quote) {
            if (text[j + 1] === quote) {
              value += quote;
              j += 2;
              continue;
            }
            break;
          }
          value += text[j++];
        }
        i = j + 1;
        if (hexPrefix) {
          if (!/^([0-9a-fA-F]{2})*$/.test(value)) {
            throw new CopybookError(file, line, 'literal', `X"${value}" is not an even number of hexadecimal digits`);
          }
          tokens.push({ kind: 'literal', text: Buffer.from(value, 'hex').toString('latin1'), hex: true, file, line });
        } else {
          tokens.push({ kind: 'literal', text: value, file, line });
        }
        continue;
      }
      let j = i;
      while (j < text.length) {
        const c = text[j]!;
        if (isSpace(c) || c === '"' || c === "'") break;
        if (c === '.' && isSpace(text[j + 1])) break;
        if ((c === ',' || c === ';') && isSpace(text[j + 1])) break;
        if (c === '=' && text[j + 1] === '=') break;
        j++;
      }
      tokens.push({ kind: 'word', text: text.slice(i, j), file, line });
      i = j;
    }
  }
  return tokens;
}

/** Tokens for a REPLACING operand given as a string (the `replacing` option): `==A B==`, a word or a literal. */
export function operandTokens(text: string, file: string): Token[] {
  const trimmed = text.trim().replace(/^==([\s\S]*)==$/, '$1');
  return tokenize([{ text: trimmed, line: 0 }], file);
}

export interface CopyContext {
  resolveCopy?: (name: string) => string;
  format: SourceFormat;
  /** `-ftext-column`: the same for the program and every copybook it COPYs. */
  textColumn?: number;
  depth: number;
  chain: string[];
}

/** Tokenizes `text` and expands its COPY statements. */
export function expandSource(text: string, file: string, ctx: CopyContext): Token[] {
  const segments = sourceSegments(text, file, ctx.format, ctx.textColumn);
  const formatOfLine = new Map(segments.map((s) => [s.line, s.format]));
  const tokens = tokenize(segments, file);
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (!(token.kind === 'word' && token.text.toUpperCase() === 'COPY')) {
      out.push(token);
      i++;
      continue;
    }
    const at = (k: number): Token => {
      const t = tokens[k];
      if (!t) throw new CopybookError(token.file, token.line, 'COPY', 'the COPY statement does not end with a period');
      return t;
    };
    const nameToken = at(i + 1);
    if (nameToken.kind !== 'word' && nameToken.kind !== 'literal') {
      throw new CopybookError(token.file, token.line, 'COPY', 'COPY needs the name of a copybook');
    }
    const name = nameToken.text;
    let k = i + 2;
    const upper = (t: Token): string => (t.kind === 'word' ? t.text.toUpperCase() : '');
    if (['OF', 'IN'].includes(upper(at(k)))) k += 2;
    if (upper(at(k)) === 'SUPPRESS') {
      k++;
      if (upper(at(k)) === 'PRINTING') k++;
    }
    const replacements: Replacement[] = [];
    if (upper(at(k)) === 'REPLACING') {
      k++;
      while (at(k).kind !== 'period') {
        let mode: Replacement['mode'] = 'whole';
        if (upper(at(k)) === 'LEADING' || upper(at(k)) === 'TRAILING') {
          mode = upper(at(k)) === 'LEADING' ? 'leading' : 'trailing';
          k++;
        }
        const readOperand = (): Token[] => {
          if (at(k).kind === 'pseudo') {
            const operand: Token[] = [];
            k++;
            while (at(k).kind !== 'pseudo') operand.push(at(k++));
            k++;
            return operand;
          }
          return [at(k++)];
        };
        const from = readOperand();
        if (upper(at(k)) !== 'BY') {
          throw new CopybookError(at(k).file, at(k).line, 'COPY REPLACING', `expected BY, found "${at(k).text}"`);
        }
        k++;
        const to = readOperand();
        if (mode !== 'whole' && from.length !== 1) {
          throw new CopybookError(token.file, token.line, 'COPY REPLACING', 'LEADING and TRAILING replace one word');
        }
        replacements.push({ from, to, mode });
      }
    }
    if (at(k).kind !== 'period') {
      throw new CopybookError(at(k).file, at(k).line, 'COPY', `unexpected "${at(k).text}" in a COPY statement`);
    }
    if (!ctx.resolveCopy) {
      throw new CopybookError(token.file, token.line, 'COPY', `COPY ${name}: no way to find nested copybooks here`);
    }
    const key = name.toUpperCase();
    if (ctx.chain.includes(key) || ctx.depth >= 16) {
      throw new CopybookError(token.file, token.line, 'COPY', `COPY ${name} is recursive (${[...ctx.chain, key].join(' → ')})`);
    }
    let nested: string;
    try {
      nested = ctx.resolveCopy(name);
    } catch (err) {
      throw new CopybookError(token.file, token.line, 'COPY', `COPY ${name}: ${(err as Error).message}`);
    }
    const format = formatOfLine.get(token.line) ?? ctx.format;
    const expanded = expandSource(nested, name, { ...ctx, format, depth: ctx.depth + 1, chain: [...ctx.chain, key] });
    out.push(...applyReplacements(expanded, replacements));
    i = k + 1;
  }
  return out;
}
