// The `files` of a batch-mode program in cobolambda.json, checked and turned
// into the metadata the runtime reads (copybooks parsed at build time).
import {
  DD_NAME,
  FILE_DIRECTIONS,
  FILE_ENCODINGS,
  FILE_FORMATS,
  RECORD_FORMATS,
  type BatchFile,
  type BatchMetadata,
  type FileDirection,
  type FileEncoding,
  type FileFormat,
  type RecordFormat,
} from '../runtime/src/codecs/batch/spec.ts';
import { nativeSignFor } from '../runtime/src/codecs/copybook/codepage.ts';
import type { RecordLayout } from '../runtime/src/codecs/copybook/layout.ts';

/** One file as a user writes it under `programs.<name>.files.<DDNAME>`. */
export interface BatchFileSettings {
  direction: FileDirection;
  format?: FileFormat;
  /** A copybook file name, or {"copybook", "record", "replacing"} as record mode takes it. */
  copybook?: string | { copybook: string; record?: string; replacing?: Record<string, string> };
  encoding?: FileEncoding;
  /** How a variable-length dataset's records are framed when stored (default `rdw`). */
  recordFormat?: RecordFormat;
  /** Default S3 location: `s3://bucket/key` (`{requestId}` is replaced per invocation). */
  s3?: string;
  /** An inout file's default S3 target (its `s3` is its source); the same URL as `s3` (and only then) writes the source over. */
  to?: string;
}

/** Buckets and key prefixes a function may read and write (`bucket` or `bucket/prefix`). */
export interface S3Access {
  read?: string[];
  write?: string[];
}

export interface BatchSettings {
  files?: Record<string, BatchFileSettings>;
  maxReturnCode?: number;
  s3Trigger?: string;
  s3?: S3Access;
  ephemeralStorageMb?: number;
}

export interface BatchSpec {
  files: Record<string, BatchFileSettings>;
  maxReturnCode: number;
  s3Trigger?: string;
  s3?: S3Access;
  ephemeralStorageMb?: number;
}

const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/;
const S3_GRANT = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

/** Checks the batch settings of one program; `problem` throws with the setting's path. */
export function batchSpec(settings: BatchSettings, environment: Record<string, string>, problem: (path: string, message: string) => never): BatchSpec {
  const files = settings.files ?? {};
  if (Object.keys(files).length === 0) problem('files', 'batch mode needs at least one file (DD name → { direction, format, copybook })');
  for (const [dd, file] of Object.entries(files)) {
    const at = `files.${dd}`;
    if (!DD_NAME.test(dd)) problem(at, `"${dd}" is not a DD name libcob can look up (a letter, then letters, digits, - or _)`);
    if (!FILE_DIRECTIONS.includes(file.direction)) problem(`${at}.direction`, 'must be "input", "output" or "inout"');
    if (file.format !== undefined && !FILE_FORMATS.includes(file.format)) problem(`${at}.format`, `must be one of ${FILE_FORMATS.join(', ')}`);
    if (file.encoding !== undefined && !FILE_ENCODINGS.includes(file.encoding)) problem(`${at}.encoding`, `must be one of ${FILE_ENCODINGS.join(', ')}`);
    if (formatOf(file) === 'records' && !file.copybook) problem(at, 'format "records" needs a "copybook"');
    if (formatOf(file) === 'bytes' && file.encoding !== undefined) problem(`${at}.encoding`, 'a "bytes" file is passed as it is; an encoding needs format "records" or "lines"');
    if (file.recordFormat !== undefined && !RECORD_FORMATS.includes(file.recordFormat)) problem(`${at}.recordFormat`, `must be one of ${RECORD_FORMATS.join(', ')}`);
    if (file.recordFormat !== undefined && formatOf(file) !== 'records') problem(`${at}.recordFormat`, 'frames variable-length records; it needs format "records"');
    if (file.s3 !== undefined && !S3_URL.test(file.s3)) problem(`${at}.s3`, `"${file.s3}" is not an s3://bucket/key URL`);
    if (file.to !== undefined && file.direction !== 'inout') problem(`${at}.to`, `only an inout file has a target apart from its source; an ${file.direction}'s S3 location is "s3"`);
    if (file.to !== undefined && !S3_URL.test(file.to)) problem(`${at}.to`, `"${file.to}" is not an s3://bucket/key URL`);
    // libcob reads DD_<name> first: one set by the function would silently replace the work directory's file.
    if (`DD_${dd}` in environment) problem(`environment.DD_${dd}`, `the program's file ${dd} is given by batch mode; DD_${dd} would replace it`);
  }
  const maxReturnCode = settings.maxReturnCode ?? 0;
  if (!Number.isInteger(maxReturnCode) || maxReturnCode < 0 || maxReturnCode > 255) problem('maxReturnCode', 'must be a whole number from 0 to 255');
  if (settings.s3Trigger !== undefined && files[settings.s3Trigger]?.direction !== 'input') {
    problem('s3Trigger', `"${settings.s3Trigger}" is not one of the program's input files`);
  }
  for (const kind of ['read', 'write'] as const) {
    for (const grant of settings.s3?.[kind] ?? []) {
      if (!S3_GRANT.test(grant) || grant.includes('*')) problem(`s3.${kind}`, `"${grant}" must be a bucket or bucket/prefix, no wildcards`);
    }
  }
  const storage = settings.ephemeralStorageMb;
  if (storage !== undefined && (!Number.isInteger(storage) || storage < 512 || storage > 10240)) problem('ephemeralStorageMb', 'must be a whole number from 512 to 10240');
  return { files, maxReturnCode, s3Trigger: settings.s3Trigger, s3: settings.s3, ephemeralStorageMb: storage };
}

export function formatOf(file: BatchFileSettings): FileFormat {
  return file.format ?? (file.copybook ? 'records' : 'bytes');
}

/** The runtime's view of the files; `layout` parses a copybook the way record mode does. */
export function batchMetadata(spec: BatchSpec, cobcFlags: string[], layout: (copybook: NonNullable<BatchFileSettings['copybook']>, role: string) => RecordLayout): BatchMetadata {
  const files: BatchFile[] = Object.entries(spec.files).map(([ddName, f]) => {
    const format = formatOf(f);
    return {
      ddName,
      direction: f.direction,
      format,
      encoding: f.encoding ?? 'utf-8',
      // A Latin-1 or EBCDIC dataset's program holds one byte per character: its inline records' text is Latin-1.
      ...(format === 'records' ? { layout: { ...layout(f.copybook!, `file ${ddName}`), ...(f.encoding && f.encoding !== 'utf-8' ? { encoding: 'latin1' as const } : {}) } } : {}),
      ...(f.s3 ? { s3: f.s3 } : {}),
      ...(f.to ? { to: f.to } : {}),
    };
  });
  return { files, maxReturnCode: spec.maxReturnCode, ...(spec.s3Trigger ? { s3Trigger: spec.s3Trigger } : {}), nativeSign: nativeSignFor(cobcFlags) };
}

/** Whether a program reads or writes S3 at all (then, and only then, it gets the S3 client and credentials). */
export function usesS3(spec: BatchSpec | undefined): boolean {
  if (!spec) return false;
  return Boolean(spec.s3Trigger || spec.s3?.read?.length || spec.s3?.write?.length || Object.values(spec.files).some((f) => f.s3 || f.to));
}
