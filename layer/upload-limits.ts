// Lambda's 50 MB limit is on a zip sent in the API call itself (`--zip-file`,
// `ZipFile`): the direct upload. A zip Lambda fetches from S3 has no such limit,
// only the 250 MB unzipped one. CDK always uploads assets through S3, so this is
// a warning about the zips `cobolambda build` leaves in dist/, never an error,
// and said nowhere the zip goes through S3.
export const LAMBDA_DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024;

export interface ZipSize {
  /** What the zip is, for the message: `runtime layer`, `function hello`. */
  what: string;
  file: string;
  zippedBytes: number;
}

/** How the zips will reach Lambda: `direct` (someone may `--zip-file` them) or `s3` (CDK assets). */
export type ZipUpload = 'direct' | 's3';

export function directUploadWarnings(zips: ZipSize[], upload: ZipUpload): string[] {
  if (upload === 's3') return [];
  return zips
    .filter((z) => z.zippedBytes > LAMBDA_DIRECT_UPLOAD_LIMIT)
    .map(
      (z) =>
        `${z.what} zip ${z.file} is ${mb(z.zippedBytes)}, over Lambda's ${mb(LAMBDA_DIRECT_UPLOAD_LIMIT)} limit for a direct upload ` +
        `(--zip-file): upload it to S3 and pass --content S3Bucket=...,S3Key=... (layers) or --s3-bucket/--s3-key (functions); ` +
        `cdk deploy does that itself`,
    );
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
