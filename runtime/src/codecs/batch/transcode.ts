// A dataset as stored (EBCDIC, Latin-1, UTF-8) ↔ the bytes the program reads
// and writes, as streams: records are translated field by field through their
// copybook, lines byte by byte; nothing is held whole in memory.
import { Transform, type TransformCallback } from 'node:stream';
import { ebcdicToNativeText, nativeToEbcdicText, translateRecord, type Direction } from '../copybook/codepage.ts';
import type { BatchFile } from './spec.ts';
import type { VarseqFormat } from '../record-framing.ts';
import { framed, RecordSplitter, storedHeader, varseqHeader, VariableRecordError } from './variable-records.ts';

export class TranscodeError extends Error {
  override name = 'TranscodeError';
}

const isEbcdic = (file: BatchFile): boolean => file.encoding === 'cp037' || file.encoding === 'cp1140';

/** Whether the stored bytes differ from the program's. */
export function needsTranscoding(file: BatchFile): boolean {
  return isEbcdic(file) && file.format !== 'bytes';
}

/**
 * A stream from stored bytes to the program's (`to-native`) or back. For records
 * it also checks that the data is a whole number of records; either way it
 * counts what passed (`records`: records, or lines ended by LF).
 */
export class Transcoder extends Transform {
  records = 0;
  bytes = 0;
  /** The data error that stopped the stream, if one did (kept apart from the I/O errors around it). */
  failure: TranscodeError | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private splitter: RecordSplitter | undefined;

  constructor(
    private readonly file: BatchFile,
    private readonly direction: Direction,
    private readonly sign: 'ascii' | 'ebcdic',
    /** The program's COB_VARSEQ_FORMAT: the headers of its variable-length records. */
    private readonly varseq: VarseqFormat,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.bytes += chunk.length;
      done(null, this.convert(chunk));
    } catch (err) {
      if (err instanceof TranscodeError) this.failure = err;
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.splitter) {
      try {
        this.splitter.finish();
      } catch (err) {
        return done((this.failure = new TranscodeError((err as Error).message)));
      }
    }
    if (this.pending.length > 0) {
      const length = this.file.layout!.length;
      return done(
        (this.failure = new TranscodeError(`${this.bytes} bytes are not a whole number of ${length}-byte ${this.file.layout!.name} records: ${this.pending.length} bytes left over after record ${this.records - 1}`)),
      );
    }
    if (this.file.format === 'lines' && this.lastByte !== undefined && this.lastByte !== LF) this.records++; // a last line without LF
    done();
  }

  private lastByte: number | undefined;

  private convert(chunk: Buffer): Buffer {
    if (this.file.format === 'records' && this.file.variable) return this.convertVariable(chunk);
    if (this.file.format === 'records') {
      const length = this.file.layout!.length;
      const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      const whole = data.length - (data.length % length);
      const out = Buffer.alloc(whole);
      for (let at = 0; at < whole; at += length) {
        const record = data.subarray(at, at + length);
        const converted = needsTranscoding(this.file) ? translateRecordAt(this.file, record, this.direction, this.sign, this.records) : record;
        converted.copy(out, at);
        this.records++;
      }
      this.pending = Buffer.from(data.subarray(whole));
      return out;
    }
    const translate = needsTranscoding(this.file);
    const native = this.direction === 'to-native' && translate ? ebcdicToNativeText(chunk) : chunk;
    if (this.file.format === 'lines') {
      for (const b of native) if (b === LF) this.records++;
      if (native.length) this.lastByte = native[native.length - 1];
    }
    if (this.direction === 'to-native') return native;
    return translate ? nativeToEbcdicText(chunk) : chunk;
  }

  /** Variable-length records: each one's header rewritten from one side's framing to the other's, its fields translated. */
  private convertVariable(chunk: Buffer): Buffer {
    const { minLength, maxLength } = this.file.variable!;
    const [from, to] = this.direction === 'to-native'
      ? [storedHeader(this.file, this.varseq), varseqHeader(this.varseq)]
      : [varseqHeader(this.varseq), storedHeader(this.file, this.varseq)];
    this.splitter ??= new RecordSplitter(from, minLength, maxLength);
    const out: Buffer[] = [];
    try {
      for (const data of this.splitter.push(chunk)) {
        const converted = needsTranscoding(this.file) ? translateRecordAt(this.file, data, this.direction, this.sign, this.records) : data;
        out.push(...framed(to, converted, this.records));
        this.records++;
      }
    } catch (err) {
      if (err instanceof VariableRecordError) throw new TranscodeError(err.message);
      throw err;
    }
    return Buffer.concat(out);
  }
}

// Lines are counted on the program's side, where LF ends them (EBCDIC 0x25 becomes LF).
const LF = 0x0a;

function translateRecordAt(file: BatchFile, record: Buffer, direction: Direction, sign: 'ascii' | 'ebcdic', index: number): Buffer {
  try {
    return translateRecord(file.layout!, record, direction, sign, file.variable !== undefined);
  } catch (err) {
    throw new TranscodeError(`record ${index}: ${(err as Error).message}`);
  }
}
