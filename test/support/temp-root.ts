// Every temporary file a test file makes goes under one folder of its own, removed when the file's
// tests are done: its own temporary folders, the product's (dev's work dirs, batch work dirs, CDK
// output) and its child processes', since they all ask os.tmpdir() and inherit TMPDIR. Without it a
// run of the suite left gigabytes in /tmp. COBOLAMBDA_KEEP_TEST_TMP=1 keeps them for a post-mortem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// A worker runs several test files one after another: each starts from the machine's own folder.
process.env.COBOLAMBDA_TEST_TMP_BASE ??= tmpdir();
const root = mkdtempSync(join(process.env.COBOLAMBDA_TEST_TMP_BASE, 'cobolambda-test-'));
process.env.TMPDIR = root;

afterAll(() => {
  if (process.env.COBOLAMBDA_KEEP_TEST_TMP) return;
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
});
