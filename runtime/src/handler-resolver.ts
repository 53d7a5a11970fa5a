// _HANDLER → the program file to run. Only a plain name of an executable file
// directly in the program directory is accepted: never a path.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diagnostic, type Diagnostic } from './diagnostic.ts';

export type ResolvedHandler = { ok: true; name: string; file: string } | { ok: false; error: Diagnostic };

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function listPrograms(programDir: string): string[] {
  try {
    return readdirSync(programDir)
      .filter((name) => PLAIN_NAME.test(name) && isExecutableFile(join(programDir, name)))
      .sort();
  } catch {
    return [];
  }
}

export function resolveHandler(handler: string | undefined, programDir: string): ResolvedHandler {
  const name = handler ?? '';
  const fail = (why: string): ResolvedHandler => {
    const programs = listPrograms(programDir);
    const known = programs.length > 0 ? `programs there: ${programs.join(', ')}` : 'there are no programs there';
    return {
      ok: false,
      error: diagnostic('Runtime.InvalidHandler', `handler "${name}" ${why} in ${programDir}; ${known}`),
    };
  };
  if (name === '') return fail('is empty: set it to a program name');
  if (!PLAIN_NAME.test(name) || name.includes('..')) return fail('is not a plain program name');
  const file = join(programDir, name);
  if (!isExecutableFile(file)) return fail('is not an executable program');
  return { ok: true, name, file };
}
