// Tokens → data description entries → a record layout with offsets and lengths.
import { jsonMembers, type Dialect, type FieldKind, type FieldValue, type LayoutField, type RecordLayout, type Value88 } from './layout.ts';
import { jsonName } from './names.ts';
import {
  CopybookError,
  applyReplacements,
  expandSource,
  operandTokens,
  type Replacement,
  type SourceFormat,
  type Token,
} from './source.ts';

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

/** The `binary-size` of cobc's dialect configuration files (`/etc/gnucobol/<std>.conf`). */
export function dialectForStd(std: string | undefined): Dialect {
  const base = (std ?? 'default').toLowerCase().replace(/-strict$/, '');
  if (['ibm', 'mvs', 'bs2000', 'rm', 'realia'].includes(base)) return 'ibm';
  if (base === 'mf') return 'mf';
  return 'default';
}

interface Entry {
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
  'SIGNED-LONG', 'UNSIGNED-LONG', 'COMP-9', 'COMPUTATIONAL-9', 'OBJECT',
]);

const CLAUSE_WORDS = new Set([
  'PIC', 'PICTURE', 'USAGE', 'SIGN', 'LEADING', 'TRAILING', 'OCCURS', 'VALUE', 'VALUES', 'REDEFINES', 'JUSTIFIED',
  'JUST', 'BLANK', 'SYNC', 'SYNCHRONIZED', 'GLOBAL', 'EXTERNAL', 'RENAMES', 'IS', 'BASED', 'TYPEDEF', 'TYPE',
  'ANY', 'DYNAMIC', 'GROUP-USAGE', 'SAME', 'PROPERTY', 'CONSTANT',
  ...Object.keys(USAGES), ...REFUSED_USAGES,
]);

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
  const entries = parseEntries(tokens, file);
  if (entries.length === 0) throw new CopybookError(file, 1, 'copybook', 'no data description entries');
  const root = buildTree(entries, file);
  return computeLayout(root, file, dialect, options.redefinesChoice ?? {});
}

// ---------------------------------------------------------------------------
// Entries

function parseEntries(tokens: Token[], file: string): Entry[] {
  const entries: Entry[] = [];
  let i = 0;
  while (i < tokens.length) {
    const start = tokens[i]!;
    const sentence: Token[] = [];
    while (i < tokens.length && tokens[i]!.kind !== 'period') sentence.push(tokens[i++]!);
    if (i >= tokens.length) {
      throw new CopybookError(start.file, tokens[tokens.length - 1]!.line, 'entry', 'the last entry does not end with a period');
    }
    i++; // the period
    if (sentence.length === 0) continue;
    entries.push(parseEntry(sentence, file));
  }
  return entries;
}

function parseEntry(t: Token[], _file: string): Entry {
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
    if (!/^[A-Z0-9][A-Z0-9_-]*$/.test(entry.name) || /^[0-9-]*$/.test(entry.name)) fail(t[k]!.text, 'not a valid data name', t[k]);
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
        if (word(k) === 'TO') {
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
  const firstLevel = entries[0]!.level;
  const recordLevels = entries.filter((e) => e.level === 1 || e.level === 77);
  let root: Entry;
  let rest: Entry[];
  if (recordLevels.length > 0) {
    if (firstLevel !== 1 && firstLevel !== 77) {
      const e = recordLevels[0]!;
      throw new CopybookError(e.file, e.line, `${pad(e.level)} ${e.name}`, 'a level 01/77 record must come first in the copybook');
    }
    if (recordLevels.length > 1) {
      const e = recordLevels[1]!;
      throw new CopybookError(
        e.file,
        e.line,
        `${pad(e.level)} ${e.name}`,
        `the copybook describes more than one record (${recordLevels.map((r) => r.name).join(', ')}); use one copybook per record`,
      );
    }
    root = entries[0]!;
    rest = entries.slice(1);
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
      throw new CopybookError(e.file, e.line, `${pad(e.level)} ${e.name}`, `no previous data item of level ${pad(e.level)} to be a sibling of (levels must nest)`);
    }
    const parent = stack[stack.length - 1]!;
    if (parent.pic !== undefined) {
      throw new CopybookError(e.file, e.line, `${pad(e.level)} ${e.name}`, `${parent.name} has a PICTURE, so it cannot have subordinate items`);
    }
    e.parent = parent;
    parent.children.push(e);
    stack.push(e);
    last = e;
  }
  return root;
}

const pad = (level: number): string => String(level).padStart(2, '0');

// ---------------------------------------------------------------------------
// Layout

interface Picture {
  kind: FieldKind;
  length: number;
  digits?: number;
  scale?: number;
  signed?: boolean;
}

function expandPicture(pic: string): string {
  return pic.replace(/(.)\((\d+)\)/g, (_m, ch: string, n: string) => ch.repeat(Number(n)));
}

function parsePicture(pic: string, where: Entry): Picture {
  const fail = (problem: string): never => {
    throw new CopybookError(where.file, where.line, `PIC ${pic}`, problem);
  };
  if (/\(\s*0*\s*\)/.test(pic)) fail('a repetition count must be at least 1');
  const p = expandPicture(pic.toUpperCase());
  if (p.length === 0) fail('empty picture');
  if (/^[XA9]+$/.test(p) && /[XA]/.test(p)) {
    return { kind: /^A+$/.test(p) ? 'alphabetic' : 'alphanumeric', length: p.length };
  }
  if (/^S?[9VP]+$/.test(p)) {
    const body = p.replace(/^S/, '');
    if ((body.match(/V/g) ?? []).length > 1) fail('more than one V');
    const digits = (body.match(/9/g) ?? []).length;
    if (digits === 0) fail('a numeric picture needs at least one 9');
    const noV = body.replace('V', '');
    if (!/^P*9+P*$/.test(noV) || (/^P/.test(noV) && /P$/.test(noV))) fail('P may only stand at one end of the digits');
    if (digits > 38) fail('more than 38 digits');
    const vAt = body.indexOf('V');
    const decimalPoint = vAt < 0 ? body.length : vAt; // characters before the point
    const afterPoint = body.slice(decimalPoint).replace('V', '');
    const leadingP = noV.match(/^P*/)![0].length;
    const trailingP = noV.match(/P*$/)![0].length;
    let scale: number;
    if (trailingP > 0) scale = -trailingP;
    else if (leadingP > 0) scale = digits + leadingP;
    else scale = afterPoint.length;
    return { kind: 'zoned', length: digits, digits, scale, signed: p.startsWith('S') };
  }
  if (/S/.test(p)) fail('S is allowed only at the start of a numeric picture');
  const editedChars = p.replace(/CR$|DB$/, '');
  if (!/^[9XAZ*,.+\-$B0\/VP]+$/.test(editedChars)) fail('unsupported picture symbols');
  const length = p.replace(/[VP]/g, '').length;
  if (/[XA]/.test(p)) {
    if (!/^[XA9B0\/]+$/.test(p)) fail('an alphanumeric-edited picture takes X, A, 9, B, 0 and / only');
    return { kind: 'alphanumeric-edited', length };
  }
  if (!/[9Z*+\-$]/.test(editedChars)) fail('a numeric-edited picture needs digit positions');
  return { kind: 'numeric-edited', length };
}

function binarySize(dialect: Dialect, digits: number, signed: boolean): number {
  if (dialect === 'ibm') return digits <= 4 ? 2 : digits <= 9 ? 4 : 8;
  if (dialect === 'default') return digits <= 2 ? 1 : digits <= 4 ? 2 : digits <= 9 ? 4 : 8;
  const limits = signed ? [2, 4, 6, 9, 11, 14, 16, 18] : [2, 4, 7, 9, 12, 14, 16, 18];
  return limits.findIndex((max) => digits <= max) + 1;
}

interface InheritedAttributes {
  usage?: LayoutField['usage'];
  signPosition?: 'leading' | 'trailing';
  signSeparate?: boolean;
  inTable: boolean;
}

function computeLayout(root: Entry, file: string, dialect: Dialect, choice: Record<string, string>): RecordLayout {
  const choices = new Map(Object.entries(choice).map(([k, v]) => [k.toUpperCase(), v.toUpperCase()]));
  const usedChoices = new Set<string>();
  const odo: Array<{ field: LayoutField; entry: Entry }> = [];
  const all: Array<{ field: LayoutField; entry: Entry; ancestors: LayoutField[] }> = [];

  const build = (e: Entry, offset: number, inherited: InheritedAttributes, ancestors: LayoutField[], mapped: boolean): LayoutField => {
    const clause = `${pad(e.level)} ${e.name}`;
    const fail = (problem: string): never => {
      throw new CopybookError(e.file, e.line, clause, problem);
    };
    const usage = e.usage ?? inherited.usage ?? 'display';
    const signPosition = e.signPosition ?? inherited.signPosition;
    const signSeparate = e.signSeparate ?? (e.signPosition ? false : inherited.signSeparate);
    const isFiller = e.name === 'FILLER';
    const field: LayoutField = {
      name: e.name,
      level: e.level,
      line: e.line,
      file: e.file,
      kind: 'group',
      offset,
      length: 0,
      usage,
      mapped: mapped && !isFiller,
    };
    if (isFiller && e.children.length > 0 && !e.occurs && !e.redefines) field.transparent = true;
    if (field.mapped) {
      const json = jsonName(e.name);
      if (json === undefined) fail(`cannot derive a JSON name from "${e.name}"`);
      field.jsonName = json;
    }
    if (e.redefines) field.redefines = e.redefines;
    if (e.occurs) {
      if (e.level === 1 || e.level === 77 || e.level === 0) fail('OCCURS is not allowed on a level 01 or 77 item');
      field.occurs = { min: e.occurs.min, max: e.occurs.max };
      if (e.occurs.dependingOn) {
        if (inherited.inTable) fail('OCCURS DEPENDING ON inside another table is not supported');
        field.occurs.dependingOn = e.occurs.dependingOn.join(' OF ');
        odo.push({ field, entry: e });
      }
    }
    if (e.value) field.value = e.value;
    if (e.values88.length > 0) field.values88 = e.values88;
    if (e.justifiedRight) field.justifiedRight = true;
    if (e.blankWhenZero) field.blankWhenZero = true;
    all.push({ field, entry: e, ancestors });

    if (e.children.length > 0) {
      if (e.pic) fail('a group item cannot have a PICTURE');
      if (usage === 'comp-1' || usage === 'comp-2') fail('COMP-1/COMP-2 on a group is not supported');
      const childInherited: InheritedAttributes = {
        usage: e.usage ?? inherited.usage,
        signPosition,
        signSeparate,
        inTable: inherited.inTable || e.occurs !== undefined,
      };
      const children: LayoutField[] = [];
      let cursor = offset;
      let end = offset;
      for (const c of e.children) {
        let childOffset = cursor;
        let childMapped = mapped && (field.mapped || field.transparent === true || e.level === 0 || e.level === 1 || e.level === 77);
        if (c.redefines) {
          const baseName = c.redefines;
          const base = [...children].reverse().find((s) => s.name === baseName && !s.redefines);
          const previous = children[children.length - 1];
          if (!base || !previous || (previous !== base && previous.redefines !== baseName)) {
            throw new CopybookError(c.file, c.line, `${pad(c.level)} ${c.name} REDEFINES ${baseName}`, `REDEFINES must name the item just before it at the same level (${baseName} is not)`);
          }
          if (c.level !== base.level) {
            throw new CopybookError(c.file, c.line, `${pad(c.level)} ${c.name} REDEFINES ${baseName}`, 'REDEFINES must be at the level of the redefined item');
          }
          if (base.occurs || c.occurs) {
            throw new CopybookError(c.file, c.line, `${pad(c.level)} ${c.name} REDEFINES ${baseName}`, 'REDEFINES of or with OCCURS is not supported');
          }
          childOffset = base.offset;
          const chosen = choices.get(baseName);
          if (chosen !== undefined) usedChoices.add(baseName);
          const isChosen = chosen === c.name;
          childMapped = childMapped && isChosen;
        } else if (choices.has(c.name)) {
          usedChoices.add(c.name);
          if (choices.get(c.name) !== c.name) childMapped = false;
        }
        const child = build(c, childOffset, childInherited, [...ancestors, field], childMapped);
        const extent = child.length * (child.occurs?.max ?? 1);
        if (c.redefines) {
          const base = children.find((s) => s.name === c.redefines && !s.redefines)!;
          const baseExtent = base.length * (base.occurs?.max ?? 1);
          if (extent > baseExtent && c.level !== 1) {
            throw new CopybookError(c.file, c.line, `${pad(c.level)} ${c.name} REDEFINES ${c.redefines}`, `${c.name} (${extent} bytes) is larger than ${c.redefines} (${baseExtent} bytes)`);
          }
        } else {
          cursor = childOffset + extent;
        }
        end = Math.max(end, childOffset + extent);
        children.push(child);
      }
      for (const [base, chosen] of choices) {
        if (children.some((c) => c.name === base && !c.redefines) && !children.some((c) => c.name === chosen && (c.redefines === base || c.name === base))) {
          throw new CopybookError(e.file, e.line, `REDEFINES ${base}`, `the chosen definition ${chosen} does not redefine ${base}`);
        }
      }
      field.children = children;
      field.length = end - offset;
      if (field.length === 0) fail('a group without storage');
      return field;
    }

    // Elementary
    if (usage === 'comp-1' || usage === 'comp-2') {
      if (e.pic) fail(`${usage.toUpperCase()} takes no PICTURE`);
      field.kind = 'float';
      field.length = usage === 'comp-1' ? 4 : 8;
      field.signed = true;
      return field;
    }
    if (!e.pic) {
      if (e.level === 0) fail('the copybook has no fields');
      fail('an elementary item needs a PICTURE');
    }
    const pic = parsePicture(e.pic!, e);
    field.pic = e.pic;
    field.kind = pic.kind;
    field.length = pic.length;
    if (pic.kind === 'zoned') {
      field.digits = pic.digits;
      field.scale = pic.scale;
      field.signed = pic.signed;
      if (usage === 'display') {
        if (pic.signed) {
          field.signPosition = signPosition ?? 'trailing';
          field.signSeparate = signSeparate ?? false;
          if (field.signSeparate) field.length += 1;
        }
      } else if (usage === 'binary' || usage === 'comp-5') {
        if (pic.digits! > 18) fail('a binary item holds at most 18 digits');
        field.kind = 'binary';
        field.length = binarySize(dialect, pic.digits!, pic.signed ?? false);
      } else if (usage === 'packed') {
        field.kind = 'packed';
        field.length = Math.floor(pic.digits! / 2) + 1;
      }
      if (e.signPosition && (!pic.signed || usage !== 'display')) fail('SIGN needs a signed (S) USAGE DISPLAY picture');
    } else if (usage !== 'display') {
      fail(`USAGE ${usage.toUpperCase()} needs a numeric picture`);
    }
    if (e.justifiedRight && !['alphanumeric', 'alphabetic'].includes(pic.kind)) fail('JUSTIFIED needs an alphanumeric item');
    return field;
  };

  const top = build(root, 0, { inTable: false }, [], true);
  for (const key of choices.keys()) {
    if (!usedChoices.has(key)) {
      throw new CopybookError(file, 1, `REDEFINES ${key}`, `redefinesChoice names ${key}, which no item redefines`);
    }
  }

  // OCCURS DEPENDING ON: the counter is a mapped integer outside every table, before the table; the table ends the record.
  let minLength = top.length;
  for (const { field, entry } of odo) {
    const clause = `${pad(entry.level)} ${entry.name} OCCURS DEPENDING ON ${field.occurs!.dependingOn}`;
    const [name, ...qualifiers] = entry.occurs!.dependingOn!;
    const candidates = all.filter(
      ({ field: f, ancestors }) =>
        f.name === name && qualifiers.every((q) => ancestors.some((a) => a.name === q)),
    );
    if (candidates.length !== 1) {
      throw new CopybookError(entry.file, entry.line, clause, candidates.length === 0 ? `no item named ${name} in this record` : `${name} is ambiguous; qualify it with OF`);
    }
    const counter = candidates[0]!;
    if (counter.field.kind === 'group' || counter.field.digits === undefined || counter.field.scale !== 0) {
      throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must be an integer numeric item`);
    }
    if (counter.ancestors.some((a) => a.occurs) || counter.field.occurs) {
      throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must not be inside a table`);
    }
    if (!counter.field.mapped) throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must be a mapped (named, not redefined) item`);
    if (counter.field.offset + counter.field.length > field.offset) {
      throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must come before the table`);
    }
    if (field.offset + field.length * field.occurs!.max !== top.length || all.some(({ field: f }) => f.offset >= field.offset + field.length * field.occurs!.max)) {
      throw new CopybookError(entry.file, entry.line, clause, 'only the last item of a record may be an OCCURS DEPENDING ON table (nothing may follow it)');
    }
    // ancestors[0] is the record itself, which has no JSON key of its own
    field.occurs!.dependingOnPath = [...counter.ancestors.slice(1), counter.field].filter((f) => !f.transparent).map((f) => f.jsonName!);
    minLength = Math.min(minLength, top.length - field.length * (field.occurs!.max - field.occurs!.min));
  }

  // JSON names must be unique among the members of each object (a FILLER group's items included).
  const checkNames = (f: LayoutField): void => {
    const seen = new Map<string, LayoutField>();
    for (const c of jsonMembers(f.children ?? [])) {
      const clash = seen.get(c.jsonName!);
      if (clash) {
        throw new CopybookError(c.file, c.line, `${pad(c.level)} ${c.name}`, `JSON name "${c.jsonName}" is also used by ${clash.name} (line ${clash.line}) in the same JSON object`);
      }
      seen.set(c.jsonName!, c);
      checkNames(c);
    }
  };
  checkNames(top);

  const fields = top.children ?? [top];
  return {
    format: 1,
    name: top.name,
    fileName: file,
    dialect,
    length: top.length,
    minLength,
    fields,
  };
}
