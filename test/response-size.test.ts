// Lambda's response limit applies to the response, after the output codec has
// encoded stdout (JSON escapes in lines mode, JSON and base64 in http mode),
// not only to raw stdout (issue 15, item 8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { errorBody, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

const root = tempDir('response-size');
const programDir = join(root, 'bin');

beforeAll(() => {
  compileTestProgram('echo.cbl', programDir);
  mkdirSync(join(root, 'cobolambda', 'programs'), { recursive: true });
  writeFileSync(join(root, 'cobolambda', 'programs', 'echo.json'), JSON.stringify({ name: 'echo', mode: 'lines' }));
});

describe('lines mode with a 1000-byte response limit', () => {
  let h: BootstrapHandle;
  beforeAll(async () => {
    h = await startBootstrap({ handler: 'echo', programDir, env: { COBOLAMBDA_MAX_RESPONSE_BYTES: '1000' } });
  });
  afterAll(() => h.stop());

  it('stdout under the limit whose JSON is over it is refused, not sent', async () => {
    // 601 bytes of stdout; every quote becomes \" in the response: 1204 bytes.
    const out = await h.invoke(JSON.stringify(['"'.repeat(600)]));
    expect(errorBody(out)).toMatchObject({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: "program echo wrote 601 bytes to stdout, which encode as a 1204-byte response, over Lambda's 1000-byte response limit",
    });
  });

  it('a response at the limit goes through', async () => {
    // ["x…x"]: 996 + 4 bytes.
    const out = await h.invoke(JSON.stringify(['x'.repeat(996)]));
    expect(out.kind === 'response' && out.body.length).toBe(1000);
  });
});
