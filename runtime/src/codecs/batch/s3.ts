// Batch files in S3, streamed between the bucket and the work directory. This
// module (and the AWS SDK with it) is imported only when a file is in S3: the
// bundle keeps it in a chunk of its own, so other functions never load it.
// The SDK finds the endpoint (AWS_ENDPOINT_URL_S3), the region and credentials
// itself, from the function's environment, as on Lambda.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { Transcoder } from './transcode.ts';

let client: S3Client | undefined;

function s3(): S3Client {
  // S3-compatible servers on a local endpoint (s3rver, MinIO, moto) answer path-style requests.
  client ??= new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL) });
  return client;
}

/** An S3 failure, with the SDK's error code (NoSuchKey, AccessDenied, ...). */
export class S3FileError extends Error {
  override name = 'S3FileError';
}

function describe(err: unknown): string {
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.Code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  return `${code}${status ? ` (HTTP ${status})` : ''}${e.message && e.message !== code ? `: ${e.message}` : ''}`;
}

/**
 * Streams an object through `transcoder` to `path`. `fits(size)` is asked before
 * anything is written and returns why the object does not fit, if it does not.
 */
export async function downloadObject(bucket: string, key: string, path: string, transcoder: Transcoder, fits: (size: number) => Promise<string | undefined>): Promise<number> {
  let body: Readable;
  let size: number;
  try {
    const got = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = got.Body as Readable;
    size = got.ContentLength ?? 0;
  } catch (err) {
    throw new S3FileError(`s3://${bucket}/${key} could not be read: ${describe(err)}`);
  }
  const tooLarge = await fits(size);
  if (tooLarge) {
    body.destroy();
    throw new S3FileError(`s3://${bucket}/${key} ${tooLarge}`);
  }
  try {
    await pipeline(body, transcoder, createWriteStream(path));
  } catch (err) {
    if (err === transcoder.failure) throw err;
    throw new S3FileError(`s3://${bucket}/${key} could not be read: ${describe(err)}`);
  }
  return size;
}

/** Streams `path` through `transcoder` to an object (multipart when large). */
export async function uploadObject(bucket: string, key: string, path: string, transcoder: Transcoder): Promise<void> {
  const source = pipeline(createReadStream(path), transcoder).catch(() => {});
  try {
    await new Upload({ client: s3(), params: { Bucket: bucket, Key: key, Body: transcoder } }).done();
  } catch (err) {
    if (transcoder.failure) throw transcoder.failure;
    throw new S3FileError(`s3://${bucket}/${key} could not be written: ${describe(err)}`);
  } finally {
    await source;
  }
  if (transcoder.failure) throw transcoder.failure;
}
