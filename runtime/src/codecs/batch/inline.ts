// Files given in the event as JSON (records through the copybook, strings for
// lines, base64 for bytes) ↔ the bytes the program reads and writes.
import { decodeRecord, encodeRecord, RecordDataError } from '../copybook/data.ts';
import type { BatchFile } from './spec.ts';
import { frameRecords, splitRecords, type VarseqFormat } from '../record-framing.ts';

export class InlineDataError extends Error {
  override name = 'InlineDataError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const MAX_PROBLEMS = 20;

/**
 * The program's text bytes: UTF-8 for utf-8 datasets; one byte per character
 * (ISO-8859-1) for Latin-1 and EBCDIC ones, whose translation gives the program
 * ISO-8859-1 (cp1140's € is 0xA4, where ISO-8859-15 has it).
 */
function textBytes(file: BatchFile, line: string): Buffer | string {
  if (file.encoding === 'utf-8') return Buffer.from(line, 'utf8');
  const out = Buffer.alloc(line.length);
  for (let i = 0; i < line.length; i++) {
    let code = line.charCodeAt(i);
    if (code === 0x20ac && file.encoding === 'cp1140') code = 0xa4;
    else if (code === 0xa4 && file.encoding === 'cp1140') return `"¤" is not in cp1140`;
    if (code > 0xff) return `character ${JSON.stringify(line[i])} is not in ${file.encoding}`;
    out[i] = code;
  }
  return out;
}

function textOf(file: BatchFile, bytes: Buffer): string {
  if (file.encoding !== 'utf-8') {
    const text = bytes.toString('latin1');
    return file.encoding === 'cp1140' ? text.replaceAll('\u00a4', '€') : text;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * An inline input → the bytes of the program's file (variable-length records each as long
 * as its counted entries, after the header of `varseq`). Throws InlineDataError naming each
 * bad element by index.
 */
export function inlineInput(file: BatchFile, values: unknown[], varseq: VarseqFormat): Buffer {
  const chunks: Buffer[] = [];
  const problems: string[] = [];
  values.forEach((value, i) => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (file.format === 'records') {
      try {
        chunks.push(encodeRecord(file.layout!, value, {}, `[${i}]`));
      } catch (err) {
        if (!(err instanceof RecordDataError)) throw err;
        problems.push(...err.problems.map((p) => `${p.path}: ${p.problem}`));
      }
      return;
    }
    if (typeof value !== 'string') return void problems.push(`[${i}]: expected a string (one line), got ${JSON.stringify(value)}`);
    if (/[\n\r]/.test(value)) return void problems.push(`[${i}]: a line may not hold a line break`);
    const bytes = textBytes(file, value);
    if (typeof bytes === 'string') return void problems.push(`[${i}]: ${bytes}`);
    chunks.push(bytes, Buffer.from('\n'));
  });
  if (problems.length) throw new InlineDataError(problems.slice(0, MAX_PROBLEMS));
  return file.variable ? frameRecords(file.layout!, chunks, 'variable', varseq) : Buffer.concat(chunks);
}

/** The bytes of an output file → its JSON form in the response. */
export function inlineOutput(file: BatchFile, data: Buffer, varseq: VarseqFormat): unknown {
  switch (file.format) {
    case 'bytes':
      return { base64: data.toString('base64') };
    case 'lines': {
      let text: string;
      try {
        text = textOf(file, data);
      } catch {
        throw new InlineDataError([`the program wrote bytes that are not UTF-8; declare the file's "encoding" (latin1, cp037, cp1140) or use format "bytes"`]);
      }
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines.map((l) => l.replace(/\r$/, '').replace(/ +$/, ''));
    }
    case 'records': {
      const layout = file.layout!;
      const records = file.variable ? splitRecords(layout, data, 'variable', varseq) : fixedRecords(layout, data);
      if (typeof records === 'string') throw new InlineDataError([records]);
      const out: unknown[] = [];
      for (const [i, record] of records.entries()) {
        try {
          out.push(decodeRecord(layout, record, `[${i}]`));
        } catch (err) {
          if (!(err instanceof RecordDataError)) throw err;
          throw new InlineDataError([`record ${i}: ${err.message}`]);
        }
      }
      return out;
    }
  }
}

function fixedRecords(layout: NonNullable<BatchFile['layout']>, data: Buffer): Buffer[] | string {
  if (data.length % layout.length !== 0) return `${data.length} bytes are not a whole number of ${layout.length}-byte ${layout.name} records`;
  return Array.from({ length: data.length / layout.length }, (_, i) => data.subarray(i * layout.length, (i + 1) * layout.length));
}
