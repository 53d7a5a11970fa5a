// How records follow each other on stdin and stdout. A fixed file: bare
// records of the layout's length. A variable file (cobc's choice for an FD whose
// records vary, e.g. OCCURS DEPENDING ON): each record as long as its data, after
// a header that counts the data bytes, in the format libcob takes from
// COB_VARSEQ_FORMAT (GnuCOBOL fileio.c):
//   0 (default)  2-byte big-endian length, 2 zero bytes
//   1            4-byte big-endian length
//   2            4-byte native (little-endian) length
//   3            2-byte big-endian length
import { FieldDataError, readElementary } from './copybook/elementary.ts';
import { jsonMembers, type LayoutField, type RecordLayout } from './copybook/layout.ts';

export type Framing = 'fixed' | 'variable';
export type VarseqFormat = 0 | 1 | 2 | 3;

/** COB_VARSEQ_FORMAT as libcob reads it (its default, 0, for anything else). */
export function varseqFormat(env: NodeJS.ProcessEnv): VarseqFormat {
  const n = Number(env.COB_VARSEQ_FORMAT);
  return n === 1 || n === 2 || n === 3 ? n : 0;
}

export const headerSize = (format: VarseqFormat): number => (format === 3 ? 2 : 4);

export function header(length: number, format: VarseqFormat): Buffer {
  const h = Buffer.alloc(headerSize(format));
  if (format === 0 || format === 3) h.writeUInt16BE(length, 0);
  else if (format === 1) h.writeUInt32BE(length, 0);
  else h.writeUInt32LE(length, 0);
  return h;
}

export function readHeader(buf: Buffer, at: number, format: VarseqFormat): number {
  if (format === 0 || format === 3) return buf.readUInt16BE(at);
  return format === 1 ? buf.readUInt32BE(at) : buf.readUInt32LE(at);
}

/** The ODO table that ends the record and its counter, when the layout has one. */
function dependingTable(layout: RecordLayout): { table: LayoutField; counter: LayoutField } | undefined {
  const walk = (fields: LayoutField[], path: string[]): { table: LayoutField; path: string[] } | undefined => {
    for (const f of jsonMembers(fields)) {
      if (f.occurs?.dependingOnPath) return { table: f, path: f.occurs.dependingOnPath };
      if (f.children && !f.occurs) {
        const found = walk(f.children, [...path, f.jsonName!]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = walk(layout.fields, []);
  if (!found) return undefined;
  let fields = layout.fields;
  let counter: LayoutField | undefined;
  for (const key of found.path) {
    counter = jsonMembers(fields).find((f) => f.jsonName === key);
    fields = counter?.children ?? [];
  }
  return counter ? { table: found.table, counter } : undefined;
}

/** Bytes of an encoded record that hold data: up to the last counted entry of its ODO table. */
export function usedLength(layout: RecordLayout, record: Buffer): number {
  const odo = dependingTable(layout);
  if (!odo) return layout.length;
  const count = Number(readElementary(record, odo.counter.offset, odo.counter, layout.encoding ?? 'utf-8'));
  return odo.table.offset + count * odo.table.length;
}

/** Encoded records → stdin bytes. */
export function frameRecords(layout: RecordLayout, records: Buffer[], framing: Framing, format: VarseqFormat): Buffer {
  if (framing === 'fixed') return Buffer.concat(records);
  return Buffer.concat(records.flatMap((r) => {
    const data = r.subarray(0, usedLength(layout, r));
    return [header(data.length, format), data];
  }));
}

/** stdout bytes → whole records of the layout's length (a variable record padded with spaces), or why they are not. */
export function splitRecords(layout: RecordLayout, stdout: Buffer, framing: Framing, format: VarseqFormat): Buffer[] | string {
  const out: Buffer[] = [];
  if (framing === 'fixed') {
    if (stdout.length % layout.length !== 0) {
      return `the program wrote ${stdout.length} bytes to stdout, not a whole number of ${layout.length}-byte ${layout.name} records (${layout.fileName}); ` +
        'write records with no separator (ORGANIZATION SEQUENTIAL) and DISPLAY only UPON SYSERR';
    }
    for (let at = 0; at < stdout.length; at += layout.length) out.push(stdout.subarray(at, at + layout.length));
    return out;
  }
  const size = headerSize(format);
  for (let at = 0, n = 1; at < stdout.length; n++) {
    if (at + size > stdout.length) return `output record ${n}: its ${size}-byte length header is cut short after ${stdout.length - at} bytes`;
    const length = readHeader(stdout, at, format);
    if (length > layout.length || at + size + length > stdout.length) {
      return `output record ${n}: its header says ${length} bytes, ${length > layout.length ? `more than the ${layout.length} of ${layout.name}` : `but only ${stdout.length - at - size} follow`} (variable-length records, COB_VARSEQ_FORMAT ${format})`;
    }
    const record = Buffer.alloc(layout.length, 0x20);
    stdout.copy(record, 0, at + size, at + size + length);
    let used: number | string = `at least ${layout.minLength}`;
    if (length >= layout.minLength) {
      try {
        used = usedLength(layout, record);
      } catch (err) {
        if (!(err instanceof FieldDataError)) throw err;
        return `output record ${n}: its OCCURS DEPENDING ON counter: ${err.message}`;
      }
    }
    if (used !== length) return `output record ${n} holds ${length} bytes, but ${layout.name} with its counted entries is ${used} bytes`;
    out.push(record);
    at += size + length;
  }
  return out;
}
