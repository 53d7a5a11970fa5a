// How many copies of a program's stdout the runtime's JS layer makes on the way
// to the response: the bytes allocated in Buffers (outermost Buffer.concat,
// from, alloc*; views excluded) while a 6 MB stdout is collected through the
// spawn helper and encoded, divided by the stdout size. Strings are not counted.
//
//   npx tsx bench/stdout-copies.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSpawnHelper } from '../runtime/native/build-spawn-helper.ts';
import { configureSpawn, runProgram } from '../runtime/src/program-runner.ts';
import { StderrLog } from '../runtime/src/stderr-log.ts';
import { linesCodec } from '../runtime/src/codecs/lines.ts';
import { rawCodec } from '../runtime/src/codecs/raw.ts';
import { httpCodec } from '../runtime/src/codecs/http.ts';

let allocated = 0;
let depth = 0;
const B = Buffer as unknown as Record<string, (...a: unknown[]) => Buffer>;
for (const name of ['concat', 'from', 'alloc', 'allocUnsafe', 'allocUnsafeSlow']) {
  const original = B[name]!.bind(Buffer);
  B[name] = (...a: unknown[]) => {
    depth++;
    const b = original(...a);
    depth--;
    if (depth === 0 && !(a[0] instanceof ArrayBuffer)) allocated += b.length;
    return b;
  };
}

const SIZE = 6_000_000;
const httpEvent = Buffer.from(JSON.stringify({ version: '2.0', rawPath: '/', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' } } }));
const programs = {
  raw: [rawCodec, `head -c ${SIZE} /dev/zero | tr '\\0' x | fold -w 99\n`, undefined],
  lines: [linesCodec, `head -c ${SIZE} /dev/zero | tr '\\0' x | fold -w 99\n`, undefined],
  http: [httpCodec, `printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'; head -c ${SIZE} /dev/zero\n`, httpEvent],
} as const;

configureSpawn({ mode: 'native', helperFile: await buildSpawnHelper(join(mkdtempSync(join(tmpdir(), 'copies-')), 'spawn-helper')) });
for (const [name, [codec, script, event]] of Object.entries(programs)) {
  for (let round = 0; round < 2; round++) {
    allocated = 0;
    const out = await runProgram({
      file: '/bin/sh',
      stdin: Buffer.from(script),
      env: { PATH: '/usr/bin:/bin' },
      killAtMs: Date.now() + 60_000,
      maxStdoutBytes: 6_291_556,
      stderr: new StderrLog({ requestId: 'r', json: false, limitBytes: 1000, tailLines: 5, write: () => {} }),
    });
    if (out.kind !== 'exited') throw new Error(`${name}: ${out.kind}`);
    const collected = allocated;
    const response = codec.decodeOutput({ stdout: out.stdout, exitCode: 0 }, event) as Buffer;
    const n = out.stdout.length;
    if (round === 1) {
      console.log(`${name}: stdout ${n} B, response ${response.length} B; copies collecting stdout ${(collected / n).toFixed(2)}, with encoding ${(allocated / n).toFixed(2)}`);
    }
  }
}
configureSpawn({});
process.exit(0);
