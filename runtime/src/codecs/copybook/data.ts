// Records ↔ JSON values, driven by a RecordLayout. Pure: no processes, no I/O.
// Numbers follow numbers.ts (one rule for input and output), text follows the
// record's encoding (text.ts), one item's bytes are elementary.ts. Here: groups,
// tables (OCCURS DEPENDING ON), FILLER, and REDEFINES chosen by a discriminator.
import { jsonMembers, type LayoutField, type RecordLayout } from './layout.ts';
import { approximateNumber, describeValue, isExactNumber } from './numbers.ts';
import type { TextEncodingName } from './text.ts';
import { FieldDataError, SPACE, readElementary, writeDefault, writeElementary } from './elementary.ts';

export { numberToDecimal } from './numbers.ts';

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !isExactNumber(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const given = (v: unknown): boolean => v !== undefined && v !== null;

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
    if (f.children && !f.occurs && f.encoding !== 'base64') out.push(...staticFields(f.children, p));
  }
  return out;
}

/** The definitions of a redefined area that map to JSON under its choice: the item itself and those redefining it. */
function choiceMembers(fields: LayoutField[], base: LayoutField): LayoutField[] {
  const names = new Set([...Object.values(base.choice!.when), ...(base.choice!.otherwise ? [base.choice!.otherwise] : [])]);
  return fields.filter((f) => (f === base || f.redefines === base.name) && names.has(f.name));
}

/** The definition a discriminator value picks, or the problem. */
function chosenName(base: LayoutField, value: string | number): string | { problem: string } {
  const choice = base.choice!;
  const name = choice.when[String(value)] ?? choice.otherwise;
  if (name !== undefined) return name;
  return { problem: `${choice.by.name} is ${JSON.stringify(value)}, which chooses no definition of ${base.name} (when: ${Object.keys(choice.when).map((k) => JSON.stringify(k)).join(', ')})` };
}

// ---------------------------------------------------------------------------
// Encoding

interface EncodeState {
  options: EncodeOptions;
  encoding: TextEncodingName;
  problems: FieldProblem[];
  /** The value each OCCURS DEPENDING ON counter takes (the size of its table). */
  counters: Map<LayoutField, number>;
  /** Absolute offsets of the items the event gave a value (a discriminator given or not). */
  given: Set<number>;
  /** REDEFINES choices, made once every other item is written (the discriminator may come after the area). */
  choices: Array<() => void>;
}

export function encodeRecord(layout: RecordLayout, value: unknown, options: EncodeOptions = {}, pathPrefix = ''): Buffer {
  const problems: FieldProblem[] = [];
  if (!isObject(value)) {
    throw new RecordDataError([{ path: pathPrefix, problem: `expected a JSON object for record ${layout.name}, got ${describeValue(value)}` }]);
  }
  const state: EncodeState = { options, encoding: layout.encoding ?? 'utf-8', problems, counters: new Map(), given: new Set(), choices: [] };
  const statics = staticFields(layout.fields);
  for (const { field, path } of statics) {
    const dep = field.occurs?.dependingOnPath;
    if (!dep) continue;
    const counter = statics.find((s) => s.path.join('.') === dep.join('.'))!.field;
    const array = lookup(value, path);
    const counted = lookup(value, dep);
    const where = join(pathPrefix, path.join('.'));
    const { min, max } = field.occurs!;
    let count: number;
    if (Array.isArray(array)) {
      count = array.length;
      if (given(counted) && approximateNumber(counted) !== count) {
        problems.push({ path: join(pathPrefix, dep.join('.')), problem: `is ${isExactNumber(counted) ? counted.value : JSON.stringify(counted)} but ${where} has ${count} elements` });
      }
    } else if (given(counted)) {
      count = approximateNumber(counted);
      if (!Number.isInteger(count)) continue; // reported when the counter itself is encoded
    } else {
      count = min;
    }
    if (count < min || count > max) {
      problems.push({ path: where, problem: `needs ${min} to ${max} elements (OCCURS ${min} TO ${max} DEPENDING ON ${field.occurs!.dependingOn}), got ${count}` });
      continue;
    }
    state.counters.set(counter, count);
  }
  const buf = Buffer.alloc(layout.length, SPACE);
  encodeFields(buf, 0, layout.fields, value, pathPrefix, state);
  for (const choose of state.choices) choose();
  if (problems.length > 0) throw new RecordDataError(problems.slice(0, MAX_PROBLEMS));
  return buf;
}

function encodeFields(buf: Buffer, shift: number, fields: LayoutField[], obj: JsonObject | undefined, path: string, state: EncodeState, inFillerGroup = false): void {
  // A FILLER group's items belong to the enclosing object, which checks its keys once.
  if (obj && !inFillerGroup && state.options.onUnknownField !== 'ignore') {
    const known = new Set(jsonMembers(fields).map((f) => f.jsonName));
    for (const key of Object.keys(obj)) {
      if (!known.has(key)) state.problems.push({ path: join(path, key), problem: 'unknown field (not in the copybook)' });
    }
  }
  for (const f of fields) {
    if (f.transparent) {
      encodeFields(buf, shift, f.children ?? [], obj, path, state, true);
      continue;
    }
    if (f.choice) {
      const area = f;
      state.choices.push(() => encodeChoice(buf, shift, fields, area, obj, path, state));
      continue;
    }
    if (!f.mapped) {
      if (f.name === 'FILLER' && !f.redefines) {
        const count = f.occurs?.max ?? 1;
        for (let i = 0; i < count; i++) writeDefault(buf, shift + f.offset + i * f.length, f);
      }
      continue; // a definition of a redefined area that was not chosen
    }
    if (f.redefines && fields.some((b) => b.name === f.redefines && b.choice)) continue; // a member of a choice: above
    const key = f.jsonName!;
    const fieldPath = join(path, key);
    let value: Json | undefined = obj?.[key];
    if (value === null) value = undefined;
    if (f.occurs) {
      if (value !== undefined && !Array.isArray(value)) {
        state.problems.push({ path: fieldPath, problem: `expected an array (OCCURS ${f.occurs.max}), got ${describeValue(value)}` });
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
        else encodeOne(buf, shift + i * f.length, f, item, `${fieldPath}[${i}]`, state);
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
    else encodeOne(buf, shift, f, value, fieldPath, state);
  }
}

/** One item at `shift` (the table entry's displacement): a group's members, or an elementary value. */
function encodeOne(buf: Buffer, shift: number, f: LayoutField, value: Json, path: string, state: EncodeState): void {
  if (state.problems.length >= MAX_PROBLEMS) return;
  if (f.kind === 'group' && f.encoding !== 'base64') {
    if (!isObject(value)) {
      state.problems.push({ path, problem: `expected an object, got ${describeValue(value)}` });
      return;
    }
    encodeFields(buf, shift, f.children ?? [], value, path, state);
    return;
  }
  const problem = writeElementary(buf, shift + f.offset, f, value, state.encoding, state.options.truncateStrings);
  if (problem) state.problems.push({ path, problem });
  else state.given.add(shift + f.offset);
}

/**
 * A redefined area whose definition a discriminator chooses: the event's discriminator value
 * decides, else the one definition the event gave (and the discriminator is written to match).
 */
function encodeChoice(buf: Buffer, shift: number, fields: LayoutField[], base: LayoutField, obj: JsonObject | undefined, path: string, state: EncodeState): void {
  const { by, byInEntry } = base.choice!;
  const byAt = (byInEntry ? shift : 0) + by.offset;
  const members = choiceMembers(fields, base);
  const sent = members.filter((m) => given(obj?.[m.jsonName!]));
  const area = shift + base.offset;
  const areaLength = base.length;
  const problem = (p: string): void => {
    state.problems.push({ path: join(path, sent[0]?.jsonName ?? base.jsonName ?? base.name), problem: p });
  };
  if (sent.length > 1) return problem(`only one of ${sent.map((m) => m.jsonName).join(', ')} may be given: they redefine the same bytes`);
  let chosen: LayoutField | undefined;
  if (state.given.has(byAt)) {
    const byValue = readElementary(buf, byAt, by, state.encoding);
    const name = chosenName(base, byValue);
    if (typeof name !== 'string') return problem(name.problem);
    chosen = members.find((m) => m.name === name);
    if (sent[0] && sent[0] !== chosen) return problem(`${by.name} is ${JSON.stringify(byValue)}, which chooses ${chosen?.jsonName ?? name}, not ${sent[0].jsonName}`);
  } else if (sent[0]) {
    chosen = sent[0];
    const keys = Object.entries(base.choice!.when).filter(([, name]) => name === chosen!.name).map(([k]) => k);
    if (keys.length === 1) {
      const byProblem = writeElementary(buf, byAt, by, keys[0]!, state.encoding);
      if (byProblem) return problem(byProblem);
    } else if (keys.length > 1) {
      return problem(`give ${by.jsonName ?? by.name} too: ${keys.map((k) => JSON.stringify(k)).join(' and ')} both choose ${chosen.jsonName}`);
    }
  } else {
    // Neither: the area as its first definition initialises it, read as whatever the discriminator's default picks.
    writeDefault(buf, area, base);
    return;
  }
  buf.fill(SPACE, area, area + areaLength);
  if (!chosen) return;
  const value = obj?.[chosen.jsonName!];
  writeDefault(buf, area, chosen);
  if (given(value)) {
    const before = state.choices.length;
    encodeOne(buf, shift, chosen, value!, join(path, chosen.jsonName!), state);
    // Choices nested in the chosen definition were queued by it: make them now, in order.
    for (const nested of state.choices.splice(before)) nested();
  }
}

// ---------------------------------------------------------------------------
// Decoding

interface DecodeState {
  buf: Buffer;
  root: JsonObject;
  encoding: TextEncodingName;
}

export function decodeRecord(layout: RecordLayout, record: Buffer, pathPrefix = ''): JsonObject {
  if (record.length !== layout.length) {
    throw new RecordDataError([{ path: pathPrefix, problem: `a record of ${record.length} bytes, ${layout.name} has ${layout.length}` }]);
  }
  const root: JsonObject = {};
  decodeFields({ buf: record, root, encoding: layout.encoding ?? 'utf-8' }, 0, layout.fields, root, pathPrefix);
  return root;
}

function read(state: DecodeState, at: number, f: LayoutField, path: string): string | number {
  try {
    return readElementary(state.buf, at, f, state.encoding);
  } catch (err) {
    if (err instanceof FieldDataError) throw new RecordDataError([{ path, problem: err.message }]);
    throw err;
  }
}

function decodeFields(state: DecodeState, shift: number, fields: LayoutField[], into: JsonObject, path: string): void {
  for (const f of fields) {
    if (f.transparent) {
      decodeFields(state, shift, f.children ?? [], into, path);
      continue;
    }
    if (f.choice) {
      const { by, byInEntry } = f.choice;
      const byValue = read(state, (byInEntry ? shift : 0) + by.offset, by, join(path, by.jsonName ?? by.name));
      const name = chosenName(f, byValue);
      if (typeof name !== 'string') throw new RecordDataError([{ path: join(path, f.jsonName ?? f.name), problem: name.problem }]);
      const chosen = choiceMembers(fields, f).find((m) => m.name === name)!;
      decodeMember(state, shift, chosen, into, path);
      continue;
    }
    if (!f.mapped) continue;
    if (f.redefines && fields.some((b) => b.name === f.redefines && b.choice)) continue; // a member of a choice: above
    decodeMember(state, shift, f, into, path);
  }
}

function decodeMember(state: DecodeState, shift: number, f: LayoutField, into: JsonObject, path: string): void {
  const key = f.jsonName!;
  const fieldPath = join(path, key);
  if (f.occurs) {
    let count = f.occurs.max;
    if (f.occurs.dependingOnPath) {
      const counted = lookup(state.root, f.occurs.dependingOnPath);
      const n = Number(counted);
      if (!Number.isInteger(n) || n < f.occurs.min || n > f.occurs.max) {
        throw new RecordDataError([{ path: fieldPath, problem: `${f.occurs.dependingOn} is ${JSON.stringify(counted)}, outside OCCURS ${f.occurs.min} TO ${f.occurs.max}` }]);
      }
      count = n;
    }
    const items: Json[] = [];
    for (let i = 0; i < count; i++) items.push(decodeOne(state, shift + i * f.length, f, `${fieldPath}[${i}]`));
    into[key] = items;
  } else if (f.kind === 'group' && f.encoding !== 'base64') {
    const obj: JsonObject = {};
    into[key] = obj; // attached first: a counter inside it may be looked up from the root below
    decodeFields(state, shift, f.children ?? [], obj, fieldPath);
  } else {
    into[key] = read(state, shift + f.offset, f, fieldPath);
  }
}

function decodeOne(state: DecodeState, shift: number, f: LayoutField, path: string): Json {
  if (f.kind === 'group' && f.encoding !== 'base64') {
    const obj: JsonObject = {};
    decodeFields(state, shift, f.children ?? [], obj, path);
    return obj;
  }
  return read(state, shift + f.offset, f, path);
}
