// Tokens → data description entries → the item tree of one record (levels nested, no sizes yet).
import type { FieldValue, LayoutField, Value88 } from './layout.ts';
import { jsonName } from './names.ts';
import { CopybookError, type Token } from './source.ts';

/** One data description entry, with its subordinate items. */
export interface Entry {
  level: number;
  name: string;
  file: string;
  line: number;
  pic?: string;
  usage?: LayoutField['usage'];
  signPosition?: 'leading' | 'trailing';
  signSeparate?: boolean;
  occurs?: { min: number; max: number; dependingOn?: string[] };
  redefines?: string;
  value?: FieldValue;
  values88: Value88[];
  justifiedRight?: boolean;
  blankWhenZero?: boolean;
  children: Entry[];
  parent?: Entry;
}

const USAGES: Record<string, LayoutField['usage']> = {
  DISPLAY: 'display',
  COMP: 'binary',
  COMPUTATIONAL: 'binary',
  BINARY: 'binary',
  'COMP-4': 'binary',
  'COMPUTATIONAL-4': 'binary',
  'COMP-5': 'comp-5',
  'COMPUTATIONAL-5': 'comp-5',
  'COMP-3': 'packed',
  'COMPUTATIONAL-3': 'packed',
  'PACKED-DECIMAL': 'packed',
  'COMP-1': 'comp-1',
  'COMPUTATIONAL-1': 'comp-1',
  'COMP-2': 'comp-2',
  'COMPUTATIONAL-2': 'comp-2',
};

const REFUSED_USAGES = new Set([
  'COMP-6', 'COMPUTATIONAL-6', 'COMP-X', 'COMPUTATIONAL-X', 'COMP-N', 'COMPUTATIONAL-N', 'INDEX', 'POINTER',
  'PROCEDURE-POINTER', 'FUNCTION-POINTER', 'PROGRAM-POINTER', 'NATIONAL', 'FLOAT-SHORT', 'FLOAT-LONG',
  'FLOAT-EXTENDED', 'FLOAT-DECIMAL-16', 'FLOAT-DECIMAL-34', 'BINARY-CHAR', 'BINARY-SHORT', 'BINARY-LONG',
  'BINARY-DOUBLE', 'BINARY-C-LONG', 'SIGNED-INT', 'UNSIGNED-INT', 'SIGNED-SHORT', 'UNSIGNED-SHORT',
  'SIGNED-LONG', 'UNSIGNED-LONG', 'COMP-9', 'COMPUTATIONAL-9', 'OBJECT', 'COMP-0', 'COMPUTATIONAL-0',
]);

const CLAUSE_WORDS = new Set([
  'PIC', 'PICTURE', 'USAGE', 'SIGN', 'LEADING', 'TRAILING', 'OCCURS', 'VALUE', 'VALUES', 'REDEFINES', 'JUSTIFIED',
  'JUST', 'BLANK', 'SYNC', 'SYNCHRONIZED', 'GLOBAL', 'EXTERNAL', 'RENAMES', 'IS', 'BASED', 'TYPEDEF', 'TYPE',
  'ANY', 'DYNAMIC', 'GROUP-USAGE', 'SAME', 'PROPERTY', 'CONSTANT',
  ...Object.keys(USAGES), ...REFUSED_USAGES,
]);

/**
 * The record a copybook describes: its 01/77 item (the one named `record` when it
 * has several), or a level-0 item named after the file holding its entries. Only
 * the chosen record's entries are parsed: another record may use what is not supported.
 */
export function parseItemTree(tokens: Token[], file: string, record?: string): Entry {
  const sentences = splitSentences(tokens);
  if (sentences.length === 0) throw new CopybookError(file, 1, 'copybook', 'no data description entries');
  return buildTree(recordSentences(sentences, file, record).map(parseEntry), file);
}

// ---------------------------------------------------------------------------
// Entries

function splitSentences(tokens: Token[]): Token[][] {
  const sentences: Token[][] = [];
  let i = 0;
  while (i < tokens.length) {
    const start = tokens[i]!;
    const sentence: Token[] = [];
    while (i < tokens.length && tokens[i]!.kind !== 'period') sentence.push(tokens[i++]!);
    if (i >= tokens.length) {
      throw new CopybookError(start.file, tokens[tokens.length - 1]!.line, 'entry', 'the last entry does not end with a period');
    }
    i++; // the period
    if (sentence.length > 0) sentences.push(sentence);
  }
  return sentences;
}

/** The entries (as sentences) of the record to map: the one named `record`, the only one, or all when there is no 01/77. */
function recordSentences(sentences: Token[][], file: string, record: string | undefined): Token[][] {
  const isRecordStart = (s: Token[]): boolean => s[0]!.kind === 'word' && /^0?1$|^77$/.test(s[0]!.text);
  const starts = sentences.flatMap((s, k) => (isRecordStart(s) ? [k] : []));
  const nameOf = (s: Token[]): string => (s[1]?.kind === 'word' && !CLAUSE_WORDS.has(s[1].text.toUpperCase()) ? s[1].text.toUpperCase() : 'FILLER');
  const entryClause = (s: Token[]): string => `${levelText(Number(s[0]!.text))} ${nameOf(s)}`;
  if (starts.length === 0) {
    if (record !== undefined) {
      throw new CopybookError(file, sentences[0]![0]!.line, `record ${record.toUpperCase()}`, 'the copybook has no 01/77 records to choose from: its items make one record');
    }
    return sentences;
  }
  const first = sentences[starts[0]!]!;
  if (starts[0] !== 0) {
    parseEntry(sentences[0]!); // what is wrong with the first entry, when something is
    throw new CopybookError(first[0]!.file, first[0]!.line, entryClause(first), 'a level 01/77 record must come first in the copybook');
  }
  const names = starts.map((k) => nameOf(sentences[k]!));
  const wanted = record?.toUpperCase();
  const chosen = wanted === undefined ? 0 : names.indexOf(wanted);
  if (chosen < 0) {
    throw new CopybookError(file, first[0]!.line, `record ${wanted}`, `the copybook has no 01/77 record named ${wanted} (its records: ${names.join(', ')})`);
  }
  if (wanted === undefined && starts.length > 1) {
    const second = sentences[starts[1]!]!;
    const example = `{"copybook": "${file.replace(/^.*[\\/]/, '')}", "record": "${names[0]}"}`;
    throw new CopybookError(
      second[0]!.file,
      second[0]!.line,
      entryClause(second),
      `the copybook describes ${starts.length} records (${names.join(', ')}); name the one to map with "record" (for example ${example})`,
    );
  }
  return sentences.slice(starts[chosen], starts[chosen + 1]);
}

function parseEntry(t: Token[]): Entry {
  const first = t[0]!;
  const fail = (clause: string, problem: string, at: Token = first): never => {
    throw new CopybookError(at.file, at.line, clause, problem);
  };
  if (first.kind !== 'word' || !/^\d{1,2}$/.test(first.text)) {
    fail(first.text, 'expected a level number (01-49, 77 or 88) to start a data description entry');
  }
  const level = Number(first.text);
  if (level === 66) fail('66 RENAMES', 'level 66 (RENAMES) is not supported');
  if (!((level >= 1 && level <= 49) || level === 77 || level === 88)) fail(first.text, `level ${level} is not 01-49, 77 or 88`);
  const entry: Entry = { level, name: 'FILLER', file: first.file, line: first.line, values88: [], children: [] };
  let k = 1;
  const word = (at: number): string => (t[at]?.kind === 'word' ? t[at]!.text.toUpperCase() : '');
  if (t[k]?.kind === 'word' && !CLAUSE_WORDS.has(word(k))) {
    entry.name = t[k]!.text.toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9_-]*$/.test(entry.name) || /^[0-9-]*$/.test(entry.name)) {
      const tag = entry.name.match(/:[^:]*:|\([^()]*\)/)?.[0];
      const hint = tag ? ` (${tag} looks like the tag of a tagged copybook: replace it, e.g. "replacing": {"${tag}": "CUST"})` : '';
      fail(t[k]!.text, `not a valid data name${hint}`, t[k]);
    }
    k++;
  }
  const readLiteralValue = (clause: string): FieldValue => {
    const tok = t[k];
    if (!tok) return fail(clause, 'a literal is missing');
    k++;
    if (tok.kind === 'literal') return tok.hex ? { text: tok.text, hex: true } : { text: tok.text };
    const w = tok.text.toUpperCase();
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) return { number: w };
    if (['ZERO', 'ZEROS', 'ZEROES'].includes(w)) return { figurative: 'ZEROS' };
    if (['SPACE', 'SPACES'].includes(w)) return { figurative: 'SPACES' };
    if (['HIGH-VALUE', 'HIGH-VALUES'].includes(w)) return { figurative: 'HIGH-VALUES' };
    if (['LOW-VALUE', 'LOW-VALUES'].includes(w)) return { figurative: 'LOW-VALUES' };
    if (['QUOTE', 'QUOTES'].includes(w)) return { figurative: 'QUOTES' };
    if (w === 'ALL') {
      const lit = t[k++];
      if (!lit || lit.kind !== 'literal') return fail(clause, 'ALL needs a literal', tok);
      return { all: lit.text };
    }
    return fail(clause, `"${tok.text}" is not a literal or figurative constant`, tok);
  };

  while (k < t.length) {
    const tok = t[k]!;
    const w = word(k);
    if (tok.kind !== 'word') fail(tok.text, `unexpected literal "${tok.text}"`, tok);
    if (w === 'IS') {
      k++;
      continue;
    }
    if (level === 88) {
      if (w === 'VALUE' || w === 'VALUES') {
        k++;
        if (word(k) === 'IS' || word(k) === 'ARE') k++;
        const values: Value88['values'] = [];
        while (k < t.length && !['FALSE', 'WHEN'].includes(word(k))) {
          const from = literalText(readLiteralValue('88 VALUE'));
          if (word(k) === 'THRU' || word(k) === 'THROUGH') {
            k++;
            values.push({ from, to: literalText(readLiteralValue('88 VALUE THRU')) });
          } else {
            values.push(from);
          }
        }
        entry.values88.push({ name: entry.name, jsonName: jsonName(entry.name) ?? entry.name, values });
        continue;
      }
      if (w === 'FALSE' || w === 'WHEN') {
        k++;
        if (word(k) === 'SET') k++;
        if (word(k) === 'TO') k++;
        if (word(k) === 'FALSE') k++;
        if (word(k) === 'IS') k++;
        readLiteralValue('88 FALSE');
        continue;
      }
      fail(tok.text, 'an 88-level entry takes only VALUE clauses', tok);
    }
    switch (w) {
      case 'PIC':
      case 'PICTURE': {
        k++;
        if (word(k) === 'IS') k++;
        const pic = t[k];
        if (!pic || pic.kind !== 'word') fail('PICTURE', 'the picture string is missing', tok);
        entry.pic = pic!.text.toUpperCase();
        k++;
        break;
      }
      case 'USAGE': {
        k++;
        if (word(k) === 'IS') k++;
        break; // the usage word itself follows
      }
      case 'SIGN':
      case 'LEADING':
      case 'TRAILING': {
        if (w === 'SIGN') k++;
        if (word(k) === 'IS') k++;
        const position = word(k);
        if (position !== 'LEADING' && position !== 'TRAILING') fail('SIGN', 'expected LEADING or TRAILING', tok);
        entry.signPosition = position === 'LEADING' ? 'leading' : 'trailing';
        k++;
        if (word(k) === 'SEPARATE') {
          entry.signSeparate = true;
          k++;
          if (word(k) === 'CHARACTER') k++;
        }
        break;
      }
      case 'OCCURS': {
        k++;
        const n = Number(t[k]?.text);
        if (!Number.isInteger(n) || n < 0) fail('OCCURS', `"${t[k]?.text}" is not a whole number`, tok);
        k++;
        let min = n;
        let max = n;
        const hasTo = word(k) === 'TO';
        if (hasTo) {
          k++;
          max = Number(t[k]?.text);
          if (!Number.isInteger(max) || max < min || max < 1) fail('OCCURS', `"${t[k]?.text}" is not a whole number ≥ ${min}`, tok);
          k++;
        }
        if (word(k) === 'TIMES') k++;
        let dependingOn: string[] | undefined;
        if (word(k) === 'DEPENDING') {
          k++;
          if (word(k) === 'ON') k++;
          dependingOn = [word(k)];
          k++;
          while (word(k) === 'OF' || word(k) === 'IN') {
            dependingOn.push(word(k + 1));
            k += 2;
          }
          // `OCCURS n DEPENDING ON` is 0 to n: cobc records a minimum of 1 but checks it only
          // under -debug, and a program built without it handles a count of 0.
          if (!hasTo) min = 0;
        } else if (min !== max) {
          fail('OCCURS', `OCCURS ${min} TO ${max} needs DEPENDING ON`, tok);
        }
        if (max < 1) fail('OCCURS', 'OCCURS needs at least one occurrence', tok);
        for (;;) {
          if (word(k) === 'ASCENDING' || word(k) === 'DESCENDING') {
            k++;
            if (word(k) === 'KEY') k++;
            if (word(k) === 'IS') k++;
            while (t[k]?.kind === 'word' && !CLAUSE_WORDS.has(word(k)) && !['ASCENDING', 'DESCENDING', 'INDEXED'].includes(word(k))) k++;
          } else if (word(k) === 'INDEXED') {
            k++;
            if (word(k) === 'BY') k++;
            while (t[k]?.kind === 'word' && !CLAUSE_WORDS.has(word(k)) && !['ASCENDING', 'DESCENDING'].includes(word(k))) k++;
          } else {
            break;
          }
        }
        entry.occurs = { min, max, dependingOn };
        break;
      }
      case 'VALUE':
      case 'VALUES': {
        k++;
        if (word(k) === 'IS' || word(k) === 'ARE') k++;
        entry.value = readLiteralValue('VALUE');
        break;
      }
      case 'REDEFINES': {
        k++;
        if (t[k]?.kind !== 'word') fail('REDEFINES', 'the redefined name is missing', tok);
        entry.redefines = word(k);
        k++;
        break;
      }
      case 'JUSTIFIED':
      case 'JUST': {
        k++;
        if (word(k) === 'RIGHT') k++;
        entry.justifiedRight = true;
        break;
      }
      case 'BLANK': {
        k++;
        if (word(k) === 'WHEN') k++;
        if (!['ZERO', 'ZEROS', 'ZEROES'].includes(word(k))) fail('BLANK WHEN ZERO', 'expected ZERO', tok);
        k++;
        entry.blankWhenZero = true;
        break;
      }
      case 'GLOBAL':
      case 'EXTERNAL':
        k++;
        break;
      case 'SYNC':
      case 'SYNCHRONIZED':
        fail(w, 'SYNCHRONIZED is not supported (cobc may insert slack bytes)', tok);
        break;
      case 'RENAMES':
        fail('RENAMES', 'RENAMES is not supported', tok);
        break;
      default: {
        if (USAGES[w]) {
          entry.usage = USAGES[w];
          k++;
          break;
        }
        if (w === 'COMP-0' || w === 'COMPUTATIONAL-0') {
          fail(`USAGE ${w}`, `USAGE ${w} is not supported: cobc 3.1 does not implement it either ("USAGE COMP-0 is not implemented"); use COMP or COMP-5 with a PICTURE`, tok);
        }
        if (REFUSED_USAGES.has(w)) fail(`USAGE ${w}`, `USAGE ${w} is not supported`, tok);
        fail(tok.text, `unknown or unsupported clause "${tok.text}"`, tok);
      }
    }
  }
  return entry;
}

function literalText(value: FieldValue): string {
  if ('text' in value) return value.text;
  if ('number' in value) return value.number;
  if ('all' in value) return value.all;
  return value.figurative;
}

// ---------------------------------------------------------------------------
// Tree

function buildTree(entries: Entry[], file: string): Entry {
  let root: Entry;
  let rest: Entry[];
  if (entries[0]!.level === 1 || entries[0]!.level === 77) {
    root = entries[0]!;
    rest = entries.slice(1);
    // The record is mapped on its own: what it redefines among the copybook's other records does not matter.
    delete root.redefines;
    if (root.level === 77 && rest.some((e) => e.level !== 88)) {
      throw new CopybookError(root.file, root.line, `77 ${root.name}`, 'a level 77 item cannot have subordinate items');
    }
  } else {
    const base = file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '').toUpperCase();
    root = { level: 0, name: base, file, line: 1, values88: [], children: [] };
    rest = entries;
  }
  const stack: Entry[] = [root];
  let last: Entry = root;
  for (const e of rest) {
    if (e.level === 88) {
      if (last === root && root.level === 0) {
        throw new CopybookError(e.file, e.line, `88 ${e.name}`, 'an 88-level entry needs an item before it');
      }
      last.values88.push(...e.values88);
      continue;
    }
    let popped: Entry | undefined;
    while (stack.length > 1 && stack[stack.length - 1]!.level >= e.level) popped = stack.pop();
    if (popped && popped.level !== e.level) {
      throw new CopybookError(e.file, e.line, `${levelText(e.level)} ${e.name}`, `no previous data item of level ${levelText(e.level)} to be a sibling of (levels must nest)`);
    }
    const parent = stack[stack.length - 1]!;
    if (parent.pic !== undefined) {
      throw new CopybookError(e.file, e.line, `${levelText(e.level)} ${e.name}`, `${parent.name} has a PICTURE, so it cannot have subordinate items`);
    }
    e.parent = parent;
    parent.children.push(e);
    stack.push(e);
    last = e;
  }
  return root;
}

export const levelText = (level: number): string => String(level).padStart(2, '0');
