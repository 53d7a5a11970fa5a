// What the bootstrap has loaded when it asks for its first invocation: the cold start must not
// pay for node:http (the Runtime API connection is its own) or for modes the function does not use.
// The real bundle, started by the real `bootstrap`, records Node's module list at the moment it
// writes its first `GET .../next`, through a --require preload (no timing involved).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

const PRELOAD = String.raw`
const net = require('node:net');
const fs = require('node:fs');
const write = net.Socket.prototype.write;
let seen = false;
net.Socket.prototype.write = function (chunk, ...rest) {
  if (!seen && String(chunk).startsWith('GET /2018-06-01/runtime/invocation/next')) {
    seen = true;
    fs.writeFileSync(process.env.MODULES_AT_FIRST_NEXT, JSON.stringify(process.moduleLoadList));
  }
  return write.call(this, chunk, ...rest);
};
`;

let root: string;
let programDir: string;
let preload: string;
const running: BootstrapHandle[] = [];

beforeAll(async () => {
  root = tempDir('cold-imports');
  programDir = join(root, 'bin');
  mkdirSync(programDir, { recursive: true });
  compileTestProgram('echo.cbl', programDir);
  compileTestProgram('echo.cbl', programDir, 'page');
  // `page` is the same program described as http mode, whose codec needs node:http.
  mkdirSync(join(root, 'cobolambda', 'programs'), { recursive: true });
  writeFileSync(join(root, 'cobolambda', 'programs', 'page.json'), JSON.stringify({ name: 'page', mode: 'http' }));
  preload = join(root, 'preload.cjs');
  writeFileSync(preload, PRELOAD);
}, 120_000);

afterAll(async () => {
  for (const b of running) await b.stop();
});

async function modulesAtFirstNext(handler: string): Promise<string[]> {
  const file = join(root, `${handler}.modules.json`);
  const b = await startBootstrap({ handler, programDir, env: { NODE_OPTIONS: `--require ${preload}`, MODULES_AT_FIRST_NEXT: file } });
  running.push(b);
  // Answered (an http-mode function refuses this event) means the first `next` was written before.
  await b.invoke('"hi"');
  return JSON.parse(readFileSync(file, 'utf8')) as string[];
}

describe('the bootstrap at its first next', () => {
  it('a raw-mode function has loaded neither node:http nor what batch mode needs (fs/promises)', async () => {
    const modules = await modulesAtFirstNext('echo');
    expect(modules).toContain('NativeModule net');
    expect(modules.filter((m) => /^NativeModule (http|_http_\w+|fs\/promises)$/.test(m))).toEqual([]);
  });

  it('an http-mode function has loaded node:http, which its codec needs (the list shows what a codec loads)', async () => {
    const modules = await modulesAtFirstNext('page');
    expect(modules).toContain('NativeModule http');
  });
});
