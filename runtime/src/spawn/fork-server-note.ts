// Whether a program can be its own fork server (runtime/native/fork-server.c):
// programs built by `cobolambda build` carry an ELF note saying so. Notes sit
// in the first page, after the program headers, so reading 16 KiB is plenty;
// a program without the note (plain `cobc -x`) runs through the spawn helper.
import { closeSync, openSync, readSync } from 'node:fs';

const NOTE = Buffer.from('cobolambda\0\0fork-server-v1\0', 'latin1');
const HEAD_BYTES = 16 * 1024;

export function canServeForks(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    return head.subarray(0, n).includes(NOTE);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
