// What the build tells the runtime about a batch-mode program: its files by
// DD name, how each is stored, and the highest RETURN-CODE that is success.
// Plain JSON, written into the programs layer beside the other metadata.
import type { RecordLayout } from '../copybook/layout.ts';
import type { NativeSign } from '../copybook/codepage.ts';

/** `inout`: read from the event or S3 like an input, given back like an output (OPEN I-O, OPEN EXTEND). */
export type FileDirection = 'input' | 'output' | 'inout';
export const FILE_DIRECTIONS: readonly FileDirection[] = ['input', 'output', 'inout'];
/** `records`: fixed-length records of the copybook; `lines`: LINE SEQUENTIAL text; `bytes`: as they are. */
export type FileFormat = 'records' | 'lines' | 'bytes';
/** How a dataset is stored (in S3, or given as bytes); the program always sees GnuCOBOL's native bytes. */
export type FileEncoding = 'utf-8' | 'latin1' | 'cp037' | 'cp1140';

/**
 * How a stored variable-length dataset frames its records: `rdw`, IBM's record descriptor word
 * (2-byte big-endian length counting its own 4 bytes, then 2 zero bytes), as a VB dataset
 * transferred in binary with its RDWs; `gnucobol`, the header of the function's COB_VARSEQ_FORMAT,
 * as the program itself reads and writes it.
 */
export type RecordFormat = 'rdw' | 'gnucobol';
export const RECORD_FORMATS: readonly RecordFormat[] = ['rdw', 'gnucobol'];

export const FILE_FORMATS: readonly FileFormat[] = ['records', 'lines', 'bytes'];
export const FILE_ENCODINGS: readonly FileEncoding[] = ['utf-8', 'latin1', 'cp037', 'cp1140'];

export interface BatchFile {
  /** The external name the program ASSIGNs to (`EMPIN`), given to it as `DD_<name>`. */
  ddName: string;
  direction: FileDirection;
  format: FileFormat;
  encoding: FileEncoding;
  /** `records`: the parsed copybook. */
  layout?: RecordLayout;
  /** `records` whose FD cobc makes variable-length (a length header per record): its sizes and how the dataset is stored. */
  variable?: { minLength: number; maxLength: number; recordFormat: RecordFormat };
  /** A default S3 target (`s3://bucket/key`, `{requestId}` replaced), overridden by the event. */
  s3?: string;
  /** `inout`: the default S3 target of the updated file (never the source unless configured so); inline when absent. */
  to?: string;
}

export interface BatchMetadata {
  files: BatchFile[];
  /** RETURN-CODE up to this is success (default 0). */
  maxReturnCode: number;
  /** The input an S3 event notification names. */
  s3Trigger?: string;
  /** How the program writes zoned decimal signs (cobc -fsign). */
  nativeSign: NativeSign;
}

/** DD names as libcob looks them up: letters, digits, '-', '_' (no '.', no leading digit). */
export const DD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
