// The length headers of variable-length records, on both sides of a batch file:
// the program's (GnuCOBOL's, in the function's COB_VARSEQ_FORMAT, counting the
// data bytes only) and the stored dataset's (`rdw`: IBM's record descriptor word,
// whose length counts its own 4 bytes, then 2 zero bytes; or `gnucobol`, the
// program's own). Records are cut out of a stream as it arrives; a header that
// cannot be right is an error naming the record, never a guess.
import { header, headerSize, readHeader, type VarseqFormat } from '../record-framing.ts';
import type { BatchFile } from './spec.ts';

export interface RecordHeader {
  size: number;
  /** What the header says: the record's data length, or why it cannot be one. */
  read(buf: Buffer, at: number): number | string;
  write(length: number): Buffer | string;
  describe: string;
}

const RDW_MAX = 0xffff;

const rdw: RecordHeader = {
  size: 4,
  describe: 'RDW',
  read(buf, at) {
    const length = buf.readUInt16BE(at);
    const reserved = buf.readUInt16BE(at + 2);
    if (reserved !== 0) return `its RDW ${buf.subarray(at, at + 4).toString('hex')} has non-zero bytes 3-4 (a spanned record, or not an RDW)`;
    if (length < 4) return `its RDW says ${length} bytes, less than the RDW's own 4`;
    return length - 4;
  },
  write(length) {
    if (length + 4 > RDW_MAX) return `its ${length} bytes do not fit an RDW (at most ${RDW_MAX - 4})`;
    const h = Buffer.alloc(4);
    h.writeUInt16BE(length + 4, 0);
    return h;
  },
};

/** GnuCOBOL's header in COB_VARSEQ_FORMAT `format`. */
export function varseqHeader(format: VarseqFormat): RecordHeader {
  return {
    size: headerSize(format),
    describe: `COB_VARSEQ_FORMAT ${format} header`,
    read(buf, at) {
      // libcob writes format 0's last two bytes as zeros: anything else is not its header.
      if (format === 0 && buf.readUInt16BE(at + 2) !== 0) return `its header ${buf.subarray(at, at + 4).toString('hex')} has non-zero bytes 3-4 (COB_VARSEQ_FORMAT 0 writes zeros)`;
      return readHeader(buf, at, format);
    },
    write(length) {
      if ((format === 0 || format === 3) && length > 0xffff) return `its ${length} bytes do not fit a COB_VARSEQ_FORMAT ${format} header`;
      return header(length, format);
    },
  };
}

/** The header of the stored dataset. */
export function storedHeader(file: BatchFile, format: VarseqFormat): RecordHeader {
  return file.variable?.recordFormat === 'gnucobol' ? varseqHeader(format) : rdw;
}

export class VariableRecordError extends Error {
  override name = 'VariableRecordError';
}

/**
 * Cuts variable-length records out of a stream: `push` returns the data of each whole
 * record so far (without its header); `finish` throws when the stream ended inside one.
 * Indexes in errors are 0-based and count records from the start of the file.
 */
export class RecordSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private offset = 0;
  count = 0;

  constructor(
    private readonly headerKind: RecordHeader,
    private readonly minLength: number,
    private readonly maxLength: number,
  ) {}

  push(chunk: Buffer): Buffer[] {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    while (at + this.headerKind.size <= data.length) {
      const length = this.headerKind.read(data, at);
      const where = `record ${this.count} (at byte ${this.offset + at})`;
      if (typeof length === 'string') throw new VariableRecordError(`${where}: ${length}`);
      if (length < this.minLength || length > this.maxLength) {
        throw new VariableRecordError(`${where}: its ${this.headerKind.describe} says ${length} bytes, outside the file's ${this.minLength} to ${this.maxLength}`);
      }
      if (at + this.headerKind.size + length > data.length) break;
      out.push(Buffer.from(data.subarray(at + this.headerKind.size, at + this.headerKind.size + length)));
      at += this.headerKind.size + length;
      this.count++;
    }
    this.offset += at;
    this.pending = Buffer.from(data.subarray(at));
    return out;
  }

  finish(): void {
    if (this.pending.length === 0) return;
    const where = `record ${this.count} (at byte ${this.offset})`;
    if (this.pending.length < this.headerKind.size) {
      throw new VariableRecordError(`${where}: the file ends after ${this.pending.length} bytes of its ${this.headerKind.size}-byte ${this.headerKind.describe}`);
    }
    const length = this.headerKind.read(this.pending, 0) as number;
    throw new VariableRecordError(`${where}: the file ends after ${this.pending.length - this.headerKind.size} of its ${length} bytes`);
  }
}

/** One record's data with `kind`'s header before it. */
export function framed(kind: RecordHeader, data: Buffer, index: number): Buffer[] {
  const h = kind.write(data.length);
  if (typeof h === 'string') throw new VariableRecordError(`record ${index}: ${h}`);
  return [h, data];
}
