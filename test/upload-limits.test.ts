// Lambda's 50 MB limit is on a zip sent in the API call (--zip-file); a zip
// fetched from S3 has only the 250 MB unzipped limit. CDK uploads every asset
// through S3, so the limit is a warning about dist/ zips, and never said for CDK.
import { describe, expect, it } from 'vitest';
import { directUploadWarnings, LAMBDA_DIRECT_UPLOAD_LIMIT } from '../layer/upload-limits.ts';

const MB = 1024 * 1024;
const zips = [
  { what: 'runtime layer', file: 'dist/runtime-layer.zip', zippedBytes: 60 * MB },
  { what: 'programs layer', file: 'dist/programs-layer.zip', zippedBytes: 12 * MB },
];

describe('the 50 MB direct-upload limit', () => {
  it('is 50 MiB, as Lambda documents it', () => {
    expect(LAMBDA_DIRECT_UPLOAD_LIMIT).toBe(52_428_800);
  });

  it('warns about each zip over it that may be uploaded directly, saying how to upload it instead', () => {
    expect(directUploadWarnings(zips, 'direct')).toEqual([
      "runtime layer zip dist/runtime-layer.zip is 60.0 MB, over Lambda's 50.0 MB limit for a direct upload (--zip-file): " +
        'upload it to S3 and pass --content S3Bucket=...,S3Key=... (layers) or --s3-bucket/--s3-key (functions); cdk deploy does that itself',
    ]);
  });

  it('says nothing at or under the limit', () => {
    expect(directUploadWarnings([{ what: 'x', file: 'x.zip', zippedBytes: LAMBDA_DIRECT_UPLOAD_LIMIT }], 'direct')).toEqual([]);
  });

  it('says nothing for assets CDK uploads through S3, whatever their size', () => {
    expect(directUploadWarnings(zips, 's3')).toEqual([]);
  });
});
