// The batch settings of cobolambda.json: every mistake stops discovery (build,
// dev, deploy) with the setting's path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPrograms } from '../layer/programs.ts';
import { usesS3 } from '../layer/batch.ts';

function discover(settings: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'cobolambda-batch-settings-'));
  writeFileSync(join(dir, 'job.cbl'), '       IDENTIFICATION DIVISION.\n       PROGRAM-ID. JOB.\n');
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { job: { mode: 'batch', ...settings } } }));
  return discoverPrograms(dir)[0]!;
}

const files = { EMPIN: { direction: 'input', copybook: 'emp.cpy' }, RPT: { direction: 'output', format: 'lines' } };

describe('batch settings', () => {
  it('reads files, maxReturnCode, s3Trigger, s3 and ephemeral storage', () => {
    const spec = discover({ files, maxReturnCode: 4, s3Trigger: 'EMPIN', s3: { read: ['in-bucket/x/'] }, ephemeralStorageMb: 1024 });
    expect(spec.batch).toEqual({ files, maxReturnCode: 4, s3Trigger: 'EMPIN', s3: { read: ['in-bucket/x/'] }, ephemeralStorageMb: 1024 });
    expect(usesS3(spec.batch)).toBe(true);
    expect(usesS3(discover({ files }).batch)).toBe(false);
    expect(discover({ files }).batch!.maxReturnCode).toBe(0);
  });

  it('an inout file with an S3 source and target uses S3; a target alone does too', () => {
    const master = { direction: 'inout', copybook: 'emp.cpy', s3: 's3://in-bucket/master.dat', to: 's3://out-bucket/master/{requestId}.dat' };
    expect(discover({ files: { MASTER: master } }).batch!.files).toEqual({ MASTER: master });
    expect(usesS3(discover({ files: { MASTER: { direction: 'inout', format: 'lines', to: 's3://out-bucket/x' } } }).batch)).toBe(true);
  });

  it.each([
    [{}, 'programs.job.files: batch mode needs at least one file'],
    [{ files: { '1X': { direction: 'input', format: 'lines' } } }, 'programs.job.files.1X: "1X" is not a DD name'],
    [{ files: { A: { direction: 'both' } } }, 'programs.job.files.A.direction: must be "input", "output" or "inout"'],
    [{ files: { A: { direction: 'input', format: 'vsam' } } }, 'programs.job.files.A.format: must be one of records, lines, bytes'],
    [{ files: { A: { direction: 'input', format: 'records' } } }, 'programs.job.files.A: format "records" needs a "copybook"'],
    [{ files: { A: { direction: 'input', format: 'lines', encoding: 'ebcdic' } } }, 'programs.job.files.A.encoding: must be one of utf-8, latin1, cp037, cp1140'],
    [{ files: { A: { direction: 'input', format: 'lines', s3: 'https://x/y' } } }, 'programs.job.files.A.s3: "https://x/y" is not an s3://bucket/key URL'],
    [{ files, environment: { DD_EMPIN: '/data/emp' } }, 'programs.job.environment.DD_EMPIN: the program\'s file EMPIN is given by batch mode'],
    [{ files: { A: { direction: 'input', encoding: 'cp037' } } }, 'programs.job.files.A.encoding: a "bytes" file is passed as it is'],
    [{ files: { A: { direction: 'input', copybook: 'a.cpy', recordFormat: 'vb' } } }, 'programs.job.files.A.recordFormat: must be one of rdw, gnucobol'],
    [{ files: { A: { direction: 'input', format: 'lines', recordFormat: 'rdw' } } }, 'programs.job.files.A.recordFormat: frames variable-length records; it needs format "records"'],
    [{ files, maxReturnCode: 256 }, 'programs.job.maxReturnCode: must be a whole number from 0 to 255'],
    [{ files, s3Trigger: 'RPT' }, 'programs.job.s3Trigger: "RPT" is not one of the program\'s input files'],
    [{ files, s3: { write: ['*'] } }, 'programs.job.s3.write: "*" must be a bucket or bucket/prefix, no wildcards'],
    [{ files: { A: { direction: 'input', format: 'lines', to: 's3://b/k' } } }, 'programs.job.files.A.to: only an inout file has a target apart from its source; an input\'s S3 location is "s3"'],
    [{ files: { A: { direction: 'inout', format: 'lines', to: 'b/k' } } }, 'programs.job.files.A.to: "b/k" is not an s3://bucket/key URL'],
    [{ files: { A: { direction: 'inout', format: 'records' } } }, 'programs.job.files.A: format "records" needs a "copybook"'],
    [{ files: { A: { direction: 'inout', encoding: 'cp037' } } }, 'programs.job.files.A.encoding: a "bytes" file is passed as it is'],
    [{ files: { A: { direction: 'inout', format: 'lines' } }, s3Trigger: 'A' }, 'programs.job.s3Trigger: "A" is not one of the program\'s input files'],
    [{ files, ephemeralStorageMb: 100 }, 'programs.job.ephemeralStorageMb is 100; expected a whole number from 512 to 10240'],
  ])('refuses %j', (settings, message) => {
    expect(() => discover(settings)).toThrow(message);
  });
});
