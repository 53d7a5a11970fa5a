// One fresh work directory per invocation, under the temporary directory
// (Lambda's writable /tmp; TMPDIR moves it, as the tests do), removed after the
// invocation whatever happened.
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WORK_DIR_PREFIX = 'cobolambda-batch-';

export async function makeWorkDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), WORK_DIR_PREFIX));
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Bytes the unprivileged user may still write where `dir` lives. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
