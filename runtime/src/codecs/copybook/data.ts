// Records ↔ JSON values, driven by a RecordLayout. Pure: no processes, no I/O.
//
// Numbers: fields of at most 15 digits decode to JSON numbers (every such
// decimal survives a double); fields of 16 or more digits decode to decimal
// strings ("-12345678901234567.89"), canonical: no leading zeros, no trailing
// fraction zeros. A binary field whose value exceeds its PICTURE (cobc's
// binary-truncate off) is a string when it has more than 15 digits.
// Encoding takes a JSON number or a decimal string for any numeric field.
import { jsonMembers, type LayoutField, type RecordLayout } from './layout.ts';

export interface EncodeOptions {
  onUnknownField?: 'error' | 'ignore';
  truncateStrings?: boolean;
}

export interface FieldProblem {
  /** JSON path: `customer.accounts[2].balance` (array indexes count from 0). */
  path: string;
  problem: string;
}

export class RecordDataError extends Error {
  override name = 'RecordDataError';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => (p.path ? `${p.path}: ${p.problem}` : p.problem)).join('; '));
  }
}

const MAX_PROBLEMS = 20;
const SPACE = 0x20;
const MAX_EXACT_DIGITS = 15;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;

// ---------------------------------------------------------------------------
// Decimal helpers

interface Decimal {
  negative: boolean;
  /** The value × 10^scale as a digit string without leading zeros ('' for zero). */
  stored: string;
}

/** Shortest decimal text of a double, without exponent. */
export function numberToDecimal(n: number): string {
  const text = String(n);
  const m = text.match(/^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/);
  if (!m) return text;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = int! + frac;
  const point = int!.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function toDecimal(value: unknown, field: LayoutField): Decimal | string {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'not a finite number';
    text = numberToDecimal(value);
  } else if (typeof value === 'string') {
    text = value.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return `not a number: ${JSON.stringify(value)}`;
  } else {
    return `expected a number (or a decimal string), got ${describe(value)}`;
  }
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [intRaw = '', fracRaw = ''] = unsigned.split('.');
  const int = intRaw.replace(/^0+/, '');
  const frac = fracRaw.replace(/0+$/, '');
  const zero = int === '' && frac === '';
  const pic = `PIC ${field.pic}`;
  if (negative && !zero && !field.signed) return `${text} is negative but ${pic} has no sign (S)`;
  const scale = field.scale ?? 0;
  const digits = field.digits ?? 0;
  if (frac.length > Math.max(scale, 0)) {
    return scale <= 0
      ? `${text} has decimals but ${pic} holds whole numbers only`
      : `${text} has too many decimals: ${frac.length}, ${pic} allows ${scale}`;
  }
  let stored: string;
  if (scale >= 0) {
    stored = (int + frac.padEnd(scale, '0')).replace(/^0+/, '');
  } else {
    const dropped = int.slice(int.length + scale);
    if (int !== '' && !/^0*$/.test(dropped)) return `${text} is not a multiple of ${10 ** -scale} as ${pic} requires`;
    stored = int.slice(0, Math.max(0, int.length + scale));
  }
  if (stored.length > digits) {
    const before = digits - scale;
    return before > 0
      ? `${text} has too many digits: ${pic} allows ${before} before the decimal point`
      : `${text} is too large for ${pic}`;
  }
  return { negative: negative && !zero, stored };
}

function decimalText(negative: boolean, stored: string, scale: number): string {
  let digits = stored.replace(/^0+/, '');
  if (digits === '') return '0';
  let text: string;
  if (scale <= 0) {
    text = digits + '0'.repeat(-scale);
  } else {
    digits = digits.padStart(scale + 1, '0');
    const int = digits.slice(0, digits.length - scale);
    const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    text = frac ? `${int}.${frac}` : int;
  }
  return negative ? `-${text}` : text;
}

function jsonNumber(field: LayoutField, negative: boolean, stored: string): number | string {
  const text = decimalText(negative, stored, field.scale ?? 0);
  const significant = stored.replace(/^0+/, '').length;
  if ((field.digits ?? 0) <= MAX_EXACT_DIGITS && significant <= MAX_EXACT_DIGITS) return Number(text);
  return text;
}

// ---------------------------------------------------------------------------
// Elementary items

function writeNumber(buf: Buffer, at: number, field: LayoutField, d: Decimal): void {
  const { length } = field;
  if (field.blankWhenZero && d.stored === '') {
    buf.fill(SPACE, at, at + length);
    return;
  }
  if (field.kind === 'zoned') {
    const digits = field.digits!;
    const body = Buffer.from(d.stored.padStart(digits, '0'), 'latin1');
    if (field.signed && field.signSeparate) {
      const sign = d.negative ? 0x2d : 0x2b;
      if (field.signPosition === 'leading') {
        buf[at] = sign;
        body.copy(buf, at + 1);
      } else {
        body.copy(buf, at);
        buf[at + digits] = sign;
      }
      return;
    }
    if (field.signed && d.negative) {
      const i = field.signPosition === 'leading' ? 0 : digits - 1;
      body[i] = body[i]! + 0x40; // '0'..'9' → 'p'..'y', as cobc writes on ASCII
    }
    body.copy(buf, at);
    return;
  }
  if (field.kind === 'binary') {
    let v = BigInt(d.stored || '0');
    if (d.negative) v = -v;
    if (v < 0n) v += 1n << BigInt(8 * length);
    for (let i = 0; i < length; i++) {
      const byte = Number(v & 0xffn);
      v >>= 8n;
      if (field.usage === 'comp-5') buf[at + i] = byte; // native: little-endian on x86_64 and arm64
      else buf[at + length - 1 - i] = byte;
    }
    return;
  }
  if (field.kind === 'packed') {
    const nibbles = d.stored.padStart(2 * length - 1, '0') + (field.signed ? (d.negative ? 'd' : 'c') : 'f');
    Buffer.from(nibbles, 'hex').copy(buf, at);
    return;
  }
}

function writeElementary(buf: Buffer, at: number, field: LayoutField, value: Json, path: string, options: EncodeOptions, problems: FieldProblem[]): void {
  const pic = field.pic ? `PIC ${field.pic}` : field.usage.toUpperCase();
  switch (field.kind) {
    case 'alphanumeric':
    case 'alphabetic':
    case 'alphanumeric-edited':
    case 'numeric-edited': {
      if (typeof value !== 'string') {
        problems.push({ path, problem: `expected a string, got ${describe(value)}` });
        return;
      }
      if (field.kind === 'alphabetic' && !/^[A-Za-z ]*$/.test(value)) {
        problems.push({ path, problem: `${pic} takes letters and spaces only, got ${JSON.stringify(value)}` });
        return;
      }
      let bytes = Buffer.from(value, 'utf8');
      if (bytes.length > field.length) {
        if (!options.truncateStrings) {
          problems.push({ path, problem: `string of ${bytes.length} bytes is longer than the ${field.length} of ${pic}` });
          return;
        }
        let end = field.length;
        while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not split a UTF-8 character
        bytes = bytes.subarray(0, end);
      }
      buf.fill(SPACE, at, at + field.length);
      bytes.copy(buf, field.justifiedRight ? at + field.length - bytes.length : at);
      return;
    }
    case 'float': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(n)) {
        problems.push({ path, problem: `expected a number, got ${describe(value)}` });
        return;
      }
      if (field.length === 4) buf.writeFloatLE(n, at);
      else buf.writeDoubleLE(n, at);
      return;
    }
    default: {
      const d = toDecimal(value, field);
      if (typeof d === 'string') {
        problems.push({ path, problem: d });
        return;
      }
      writeNumber(buf, at, field, d);
    }
  }
}

/** The bytes of a field nobody gave a value: its VALUE clause, else spaces (text) or zero (numbers). */
function writeDefault(buf: Buffer, at: number, field: LayoutField): void {
  const value = field.value;
  if (field.kind === 'group') {
    if (value) {
      fillWith(buf, at, field.length, value);
      return;
    }
    for (const child of field.children ?? []) {
      if (child.redefines) continue; // the first definition initialises the area, as in COBOL
      const count = child.occurs?.max ?? 1;
      for (let i = 0; i < count; i++) writeDefault(buf, at + (child.offset - field.offset) + i * child.length, child);
    }
    return;
  }
  if (value) {
    if ('number' in value && isNumeric(field)) {
      const d = toDecimal(value.number, field);
      if (typeof d !== 'string') {
        writeNumber(buf, at, field, d);
        return;
      }
    }
    if ('figurative' in value && value.figurative === 'ZEROS' && isNumeric(field)) {
      writeNumber(buf, at, field, { negative: false, stored: '' });
      return;
    }
    if (field.kind === 'float') {
      buf.fill(0, at, at + field.length);
      if ('number' in value) (field.length === 4 ? buf.writeFloatLE(Number(value.number), at) : buf.writeDoubleLE(Number(value.number), at));
      return;
    }
    fillWith(buf, at, field.length, value, field.justifiedRight);
    return;
  }
  if (isNumeric(field)) writeNumber(buf, at, field, { negative: false, stored: '' });
  else if (field.kind === 'float') buf.fill(0, at, at + field.length);
  else buf.fill(SPACE, at, at + field.length);
}

const isNumeric = (f: LayoutField): boolean => f.kind === 'zoned' || f.kind === 'binary' || f.kind === 'packed';

function fillWith(buf: Buffer, at: number, length: number, value: NonNullable<LayoutField['value']>, right = false): void {
  buf.fill(SPACE, at, at + length);
  if ('figurative' in value) {
    const byte = { SPACES: SPACE, ZEROS: 0x30, 'HIGH-VALUES': 0xff, 'LOW-VALUES': 0x00, QUOTES: 0x22 }[value.figurative];
    buf.fill(byte, at, at + length);
  } else if ('all' in value) {
    if (value.all.length > 0) buf.fill(Buffer.from(value.all, 'utf8'), at, at + length);
  } else {
    const bytes = 'number' in value ? Buffer.from(value.number, 'latin1') : Buffer.from(value.text, value.hex ? 'latin1' : 'utf8');
    const n = Math.min(bytes.length, length);
    bytes.copy(buf, right ? at + length - n : at, 0, n);
  }
}

// ---------------------------------------------------------------------------
// Records

interface EncodeState {
  options: EncodeOptions;
  problems: FieldProblem[];
  /** Count of each OCCURS DEPENDING ON table, and the value its counter takes. */
  counts: Map<LayoutField, number>;
  counters: Map<LayoutField, number>;
}

function lookup(root: JsonObject, path: string[]): Json | undefined {
  let v: Json | undefined = root;
  for (const key of path) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

/** Every field along with its JSON path, outside tables (where ODO tables and their counters live). */
function staticFields(fields: LayoutField[], path: string[] = []): Array<{ field: LayoutField; path: string[] }> {
  const out: Array<{ field: LayoutField; path: string[] }> = [];
  for (const f of jsonMembers(fields)) {
    const p = [...path, f.jsonName!];
    out.push({ field: f, path: p });
    if (f.children && !f.occurs) out.push(...staticFields(f.children, p));
  }
  return out;
}

export function encodeRecord(layout: RecordLayout, value: unknown, options: EncodeOptions = {}, pathPrefix = ''): Buffer {
  const problems: FieldProblem[] = [];
  if (!isObject(value)) {
    throw new RecordDataError([{ path: pathPrefix, problem: `expected a JSON object for record ${layout.name}, got ${describe(value)}` }]);
  }
  const state: EncodeState = { options, problems, counts: new Map(), counters: new Map() };
  const statics = staticFields(layout.fields);
  for (const { field, path } of statics) {
    const dep = field.occurs?.dependingOnPath;
    if (!dep) continue;
    const counter = statics.find((s) => s.path.join('.') === dep.join('.'))!.field;
    const array = lookup(value, path);
    const given = lookup(value, dep);
    const where = join(pathPrefix, path.join('.'));
    const { min, max } = field.occurs!;
    let count: number;
    if (Array.isArray(array)) {
      count = array.length;
      if (given !== undefined && given !== null && Number(given) !== count) {
        problems.push({ path: join(pathPrefix, dep.join('.')), problem: `is ${JSON.stringify(given)} but ${where} has ${count} elements` });
      }
    } else if (given !== undefined && given !== null) {
      count = Number(given);
      if (!Number.isInteger(count)) continue; // reported when the counter itself is encoded
    } else {
      count = min;
    }
    if (count < min || count > max) {
      problems.push({ path: where, problem: `needs ${min} to ${max} elements (OCCURS ${min} TO ${max} DEPENDING ON ${field.occurs!.dependingOn}), got ${count}` });
      continue;
    }
    state.counts.set(field, count);
    state.counters.set(counter, count);
  }
  const buf = Buffer.alloc(layout.length, SPACE);
  encodeFields(buf, 0, layout.fields, value, pathPrefix, state);
  if (problems.length > 0) throw new RecordDataError(problems.slice(0, MAX_PROBLEMS));
  return buf;
}

function encodeFields(buf: Buffer, shift: number, fields: LayoutField[], obj: JsonObject | undefined, path: string, state: EncodeState, inFillerGroup = false): void {
  // A FILLER group's items belong to the enclosing object, which checks its keys once.
  if (obj && !inFillerGroup) {
    const known = new Set(jsonMembers(fields).map((f) => f.jsonName));
    if (state.options.onUnknownField !== 'ignore') {
      for (const key of Object.keys(obj)) {
        if (!known.has(key)) state.problems.push({ path: join(path, key), problem: 'unknown field (not in the copybook)' });
      }
    }
  }
  for (const f of fields) {
    if (f.transparent) {
      encodeFields(buf, shift, f.children ?? [], obj, path, state, true);
      continue;
    }
    if (!f.mapped) {
      if (f.name === 'FILLER' && !f.redefines) {
        const count = f.occurs?.max ?? 1;
        for (let i = 0; i < count; i++) writeDefault(buf, shift + f.offset + i * f.length, f);
      }
      continue; // a definition of a redefined area that was not chosen
    }
    const key = f.jsonName!;
    const fieldPath = join(path, key);
    let value: Json | undefined = obj?.[key];
    if (value === null) value = undefined;
    if (f.occurs) {
      if (value !== undefined && !Array.isArray(value)) {
        state.problems.push({ path: fieldPath, problem: `expected an array (OCCURS ${f.occurs.max}), got ${describe(value)}` });
        continue;
      }
      const items = value ?? [];
      if (items.length > f.occurs.max) {
        state.problems.push({ path: fieldPath, problem: `has ${items.length} elements, OCCURS allows at most ${f.occurs.max}` });
        continue;
      }
      for (let i = 0; i < f.occurs.max; i++) {
        const item = items[i];
        const at = shift + f.offset + i * f.length;
        if (item === undefined || item === null) writeDefault(buf, at, f);
        else encodeOne(buf, at, shift + i * f.length, f, item, `${fieldPath}[${i}]`, state);
      }
      continue;
    }
    const counted = state.counters.get(f);
    if (value === undefined && counted !== undefined) value = counted;
    if (value === undefined && f.redefines) {
      // A chosen redefinition left out: the area starts as its first definition would (its VALUE, as in COBOL).
      const base = fields.find((b) => b.name === f.redefines && !b.redefines);
      writeDefault(buf, shift + f.offset, base ?? f);
    } else if (value === undefined) writeDefault(buf, shift + f.offset, f);
    else encodeOne(buf, shift + f.offset, shift, f, value, fieldPath, state);
  }
}

function encodeOne(buf: Buffer, at: number, shift: number, f: LayoutField, value: Json, path: string, state: EncodeState): void {
  if (state.problems.length >= MAX_PROBLEMS) return;
  if (f.kind === 'group') {
    if (!isObject(value)) {
      state.problems.push({ path, problem: `expected an object, got ${describe(value)}` });
      return;
    }
    encodeFields(buf, shift, f.children ?? [], value, path, state);
    return;
  }
  writeElementary(buf, at, f, value, path, state.options, state.problems);
}

// ---------------------------------------------------------------------------
// Decoding

function readElementary(buf: Buffer, at: number, f: LayoutField, path: string): Json {
  const bytes = buf.subarray(at, at + f.length);
  const bad = (what: string): never => {
    throw new RecordDataError([{ path, problem: `${what} (bytes ${bytes.toString('hex')}, PIC ${f.pic ?? f.usage})` }]);
  };
  switch (f.kind) {
    case 'alphanumeric':
    case 'alphabetic': {
      const text = bytes.toString('utf8').replace(/ +$/, '');
      return f.justifiedRight ? text.replace(/^ +/, '') : text;
    }
    case 'alphanumeric-edited':
      return bytes.toString('utf8').replace(/ +$/, '');
    case 'numeric-edited':
      return bytes.toString('utf8').trim();
    case 'float': {
      const n = f.length === 4 ? bytes.readFloatLE(0) : bytes.readDoubleLE(0);
      if (!Number.isFinite(n)) bad('not a finite number');
      return n;
    }
    case 'zoned': {
      if (f.blankWhenZero && /^ *$/.test(bytes.toString('latin1'))) return 0;
      let text = bytes.toString('latin1');
      let negative = false;
      if (f.signed && f.signSeparate) {
        const sign = f.signPosition === 'leading' ? text[0] : text[text.length - 1];
        if (sign !== '+' && sign !== '-') bad('the separate sign is neither + nor -');
        negative = sign === '-';
        text = f.signPosition === 'leading' ? text.slice(1) : text.slice(0, -1);
      } else if (f.signed) {
        const i = f.signPosition === 'leading' ? 0 : text.length - 1;
        const ch = text.charCodeAt(i);
        let digit: number | undefined;
        if (ch >= 0x30 && ch <= 0x39) digit = ch - 0x30;
        else if (ch >= 0x70 && ch <= 0x79) [digit, negative] = [ch - 0x70, true]; // cobc on ASCII
        else if (ch === 0x7b) digit = 0; // '{' and A-I: EBCDIC-style positive
        else if (ch >= 0x41 && ch <= 0x49) digit = ch - 0x40;
        else if (ch === 0x7d) [digit, negative] = [0, true]; // '}' and J-R: EBCDIC-style negative
        else if (ch >= 0x4a && ch <= 0x52) [digit, negative] = [ch - 0x49, true];
        if (digit === undefined) bad('not valid zoned decimal data');
        text = text.slice(0, i) + String(digit) + text.slice(i + 1);
      }
      if (!/^\d+$/.test(text)) bad('not valid zoned decimal data');
      return jsonNumber(f, negative, text);
    }
    case 'binary': {
      let v = 0n;
      for (let i = 0; i < f.length; i++) {
        const byte = f.usage === 'comp-5' ? bytes[f.length - 1 - i]! : bytes[i]!;
        v = (v << 8n) | BigInt(byte);
      }
      if (f.signed && v >= 1n << BigInt(8 * f.length - 1)) v -= 1n << BigInt(8 * f.length);
      const negative = v < 0n;
      return jsonNumber(f, negative, (negative ? -v : v).toString());
    }
    case 'packed': {
      const hex = bytes.toString('hex');
      const digits = hex.slice(0, -1);
      const sign = hex[hex.length - 1]!;
      if (!/^\d*$/.test(digits) || !'abcdef'.includes(sign)) bad('not valid packed decimal data');
      return jsonNumber(f, sign === 'b' || sign === 'd', digits);
    }
    default:
      return bad('unexpected field kind');
  }
}

export function decodeRecord(layout: RecordLayout, record: Buffer, pathPrefix = ''): JsonObject {
  if (record.length !== layout.length) {
    throw new RecordDataError([{ path: pathPrefix, problem: `a record of ${record.length} bytes, ${layout.name} has ${layout.length}` }]);
  }
  const root: JsonObject = {};
  decodeFields(record, 0, layout.fields, root, root, pathPrefix);
  return root;
}

function decodeFields(buf: Buffer, shift: number, fields: LayoutField[], into: JsonObject, root: JsonObject, path: string): void {
  for (const f of fields) {
    if (f.transparent) {
      decodeFields(buf, shift, f.children ?? [], into, root, path);
      continue;
    }
    if (!f.mapped) continue;
    const key = f.jsonName!;
    const fieldPath = join(path, key);
    if (f.occurs) {
      let count = f.occurs.max;
      if (f.occurs.dependingOnPath) {
        const counted = lookup(root, f.occurs.dependingOnPath);
        const n = Number(counted);
        if (!Number.isInteger(n) || n < f.occurs.min || n > f.occurs.max) {
          throw new RecordDataError([{ path: fieldPath, problem: `${f.occurs.dependingOn} is ${JSON.stringify(counted)}, outside OCCURS ${f.occurs.min} TO ${f.occurs.max}` }]);
        }
        count = n;
      }
      const items: Json[] = [];
      for (let i = 0; i < count; i++) items.push(decodeOne(buf, shift + i * f.length, f, root, `${fieldPath}[${i}]`));
      into[key] = items;
    } else if (f.kind === 'group') {
      const obj: JsonObject = {};
      into[key] = obj; // attached first: a counter inside it may be looked up from the root below
      decodeFields(buf, shift, f.children ?? [], obj, root, fieldPath);
    } else {
      into[key] = readElementary(buf, shift + f.offset, f, fieldPath);
    }
  }
}

function decodeOne(buf: Buffer, shift: number, f: LayoutField, root: JsonObject, path: string): Json {
  if (f.kind === 'group') {
    const obj: JsonObject = {};
    decodeFields(buf, shift, f.children ?? [], obj, root, path);
    return obj;
  }
  return readElementary(buf, shift + f.offset, f, path);
}
