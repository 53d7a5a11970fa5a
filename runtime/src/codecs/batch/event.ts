// What a batch invocation's event names: each input's data (inline, bytes or
// an S3 object), each output's target (inline, or an S3 object), and for an
// inout file both. An S3 event notification names the program's `s3Trigger` input.
import type { BatchFile, BatchMetadata } from './spec.ts';

export type InputSource =
  | { kind: 'inline'; values: unknown[] }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 's3'; url: string };

/** `inPlace`: an inout file written back over the S3 object it was read from (asked for explicitly). */
export type OutputTarget = { kind: 'inline' } | { kind: 's3'; url: string; inPlace?: boolean };

export interface BatchRequest {
  inputs: Map<BatchFile, InputSource>;
  outputs: Map<BatchFile, OutputTarget>;
}

export class BatchEventError extends Error {
  override name = 'BatchEventError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `s3://bucket/key` → its parts; `{requestId}` in the key is the invocation's request id. */
export function parseS3Url(url: string, requestId: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]!.replaceAll('{requestId}', requestId) };
}

function s3Url(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^s3:\/\/[^/]+\/.+/.test(value)) throw new BatchEventError(`${where}: "s3" must be an s3://bucket/key URL, got ${JSON.stringify(value)}`);
  return value;
}

/** The S3 object an event notification names (keys arrive URL-encoded, spaces as '+'). */
function fromNotification(records: unknown): string {
  if (!Array.isArray(records) || records.length !== 1) {
    throw new BatchEventError(`an S3 event notification must name exactly one object; this one has ${Array.isArray(records) ? records.length : 'no'} records`);
  }
  const s3 = (records[0] as { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } }).s3;
  const bucket = s3?.bucket?.name;
  const key = s3?.object?.key;
  if (typeof bucket !== 'string' || typeof key !== 'string') throw new BatchEventError('Records[0].s3 has no bucket.name and object.key: not an S3 event notification');
  let decoded: string;
  try {
    decoded = decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new BatchEventError(`Records[0].s3.object.key ${JSON.stringify(key)} is not URL-encoded as S3 sends keys`);
  }
  return `s3://${bucket}/${decoded}`;
}

function inputSource(file: BatchFile, value: unknown, where: string): InputSource {
  if (Array.isArray(value)) {
    if (file.format === 'bytes') throw new BatchEventError(`${where}: a bytes file is given as {"base64": "..."} or {"s3": "s3://..."}, not an array`);
    return { kind: 'inline', values: value };
  }
  if (isObject(value) && Object.keys(value).length === 1 && 's3' in value) return { kind: 's3', url: s3Url(value.s3, where) };
  if (isObject(value) && Object.keys(value).length === 1 && typeof value.base64 === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.base64.replace(/\s/g, ''))) throw new BatchEventError(`${where}.base64 is not base64`);
    return { kind: 'bytes', data: Buffer.from(value.base64, 'base64') };
  }
  const expected = file.format === 'records' ? 'an array of records (JSON objects)' : file.format === 'lines' ? 'an array of strings' : '{"base64": "..."}';
  const inout = file.direction === 'inout' ? ' (an inout file may also be {"empty": true}, and add "to": "s3://bucket/key" to any of these but the array)' : '';
  throw new BatchEventError(`${where}: expected ${expected}, {"base64": "..."} or {"s3": "s3://bucket/key"}${inout}`);
}

/**
 * An inout file: its source as an input's (the event's, else the configured
 * "s3"; `{"empty": true}` starts it from an empty file) and its target, the
 * event's or the configured "to", else inline. It is written over its source
 * only when the target names that same object: never by default.
 */
function inoutFile(file: BatchFile, value: unknown, where: string): { source: InputSource; target: OutputTarget } {
  let given = value;
  let to = file.to;
  if (isObject(value) && 'to' in value) {
    const { to: eventTo, ...rest } = value;
    to = s3Url(eventTo, `${where}.to`);
    given = Object.keys(rest).length ? rest : undefined;
  }
  given ??= file.s3 ? { s3: file.s3 } : undefined;
  if (given === undefined) {
    throw new BatchEventError(`${where}: no data for inout file ${file.ddName}, in the event or in the configuration; {"files": {"${file.ddName}": {"empty": true}}} starts it from an empty file`);
  }
  let source: InputSource;
  if (isObject(given) && 'empty' in given) {
    if (given.empty !== true || Object.keys(given).length !== 1) throw new BatchEventError(`${where}: an empty start is {"empty": true} (with "to" at most), got ${JSON.stringify(value)}`);
    source = { kind: 'bytes', data: Buffer.alloc(0) };
  } else {
    source = inputSource(file, given, where);
  }
  if (to === undefined) return { source, target: { kind: 'inline' } };
  return { source, target: { kind: 's3', url: to, ...(source.kind === 's3' && source.url === to ? { inPlace: true } : {}) } };
}

/** The event → where each file comes from and goes; the configuration fills in what the event leaves out. */
export function parseBatchEvent(event: Buffer, meta: BatchMetadata): BatchRequest {
  const text = event.toString('utf8').trim();
  let parsed: unknown = {};
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new BatchEventError(`the event is not JSON (${(err as Error).message})`);
    }
  }
  if (!isObject(parsed)) throw new BatchEventError('the event must be a JSON object: {"files": {"DDNAME": ...}} or an S3 event notification');
  const byName = new Map(meta.files.map((f) => [f.ddName, f]));
  const given = new Map<BatchFile, unknown>();
  if ('Records' in parsed) {
    if (!meta.s3Trigger) throw new BatchEventError('an S3 event notification, but the program has no "s3Trigger" input');
    given.set(byName.get(meta.s3Trigger)!, { s3: fromNotification(parsed.Records) });
  } else {
    const unknownKeys = Object.keys(parsed).filter((k) => k !== 'files');
    if (unknownKeys.length) throw new BatchEventError(`unknown member ${unknownKeys.map((k) => JSON.stringify(k)).join(', ')} in the event; files go under "files"`);
    const files = parsed.files ?? {};
    if (!isObject(files)) throw new BatchEventError('"files" must be an object of DD names');
    for (const [dd, value] of Object.entries(files)) {
      const file = byName.get(dd);
      if (!file) throw new BatchEventError(`files.${dd}: the program has no file ${dd} (its files: ${meta.files.map((f) => f.ddName).join(', ')})`);
      given.set(file, value);
    }
  }
  const inputs = new Map<BatchFile, InputSource>();
  const outputs = new Map<BatchFile, OutputTarget>();
  for (const file of meta.files) {
    const where = `files.${file.ddName}`;
    if (file.direction === 'inout') {
      const { source, target } = inoutFile(file, given.get(file), where);
      inputs.set(file, source);
      outputs.set(file, target);
      continue;
    }
    const value = given.get(file) ?? (file.s3 ? { s3: file.s3 } : undefined);
    if (file.direction === 'input') {
      if (value === undefined) throw new BatchEventError(`${where}: no data for input ${file.ddName}, in the event or in the configuration`);
      inputs.set(file, inputSource(file, value, where));
    } else if (value === undefined) {
      outputs.set(file, { kind: 'inline' });
    } else if (isObject(value) && Object.keys(value).length === 1 && 's3' in value) {
      outputs.set(file, { kind: 's3', url: s3Url(value.s3, where) });
    } else {
      throw new BatchEventError(`${where}: ${file.ddName} is an output; the event may only name its target, {"s3": "s3://bucket/key"}`);
    }
  }
  return { inputs, outputs };
}
