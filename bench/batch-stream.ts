// Batch mode's memory with a large S3 input: streams a generated object of
// --mb MB (default 200) from a local S3 server (s3rver) through the runtime to a
// program that copies it line by line to an S3 output, and reports the peak RSS
// (VmHWM) of the bootstrap process against a 1 MB run. Not a test: a measurement.
//   npx tsx bench/batch-stream.ts [--mb 200]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Upload } from '@aws-sdk/lib-storage';
import { buildBatchPrograms, startBatchRuntime } from '../test/support/batch.ts';
import { startS3Server } from '../test/support/s3-server.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' } } });
const ROOT = join(import.meta.dirname, '..');
const LINE = Buffer.from(`${'0'.repeat(3)}${' stream me'.repeat(7)}\n`); // 74 bytes, RETURN-CODE 0

function lines(bytes: number): Readable {
  let left = bytes;
  const chunk = Buffer.alloc(LINE.length * 8192);
  for (let i = 0; i < 8192; i++) LINE.copy(chunk, i * LINE.length);
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n - (n % LINE.length)));
    },
  });
}

const peakRss = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function run(mb: number): Promise<{ mb: number; ms: number; peakMb: number; out: unknown }> {
  const s3 = await startS3Server(['stream-in', 'stream-out']);
  try {
    await new Upload({ client: s3.client, params: { Bucket: 'stream-in', Key: 'big.txt', Body: lines(mb * 1024 * 1024) } }).done();
    const bin = await buildBatchPrograms(join(ROOT, 'test/cobol/batch'), ['rcbatch']);
    const rt = await startBatchRuntime(bin, 'rcbatch', s3.env);
    try {
      const started = performance.now();
      const outcome = await rt.invoke(JSON.stringify({ files: { RCIN: { s3: 's3://stream-in/big.txt' }, RCOUT: { s3: 's3://stream-out/copy.txt' } } }), { deadlineMs: Date.now() + 900_000 });
      const ms = performance.now() - started;
      const out = JSON.parse(outcome.body.toString());
      return { mb, ms, peakMb: peakRss(rt.process.pid!), out };
    } finally {
      await rt.stop();
    }
  } finally {
    await s3.close();
  }
}

const small = await run(1);
const large = await run(Number(values.mb));
for (const r of [small, large]) {
  console.log(`${r.mb} MB input: ${(r.ms / 1000).toFixed(1)} s, bootstrap peak RSS ${r.peakMb.toFixed(1)} MB, result ${JSON.stringify(r.out).slice(0, 160)}`);
}
console.log(`peak RSS growth from 1 MB to ${large.mb} MB: ${(large.peakMb - small.peakMb).toFixed(1)} MB`);
