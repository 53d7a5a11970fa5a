// The one build cache. `cobolambda build`, `dev`, `cdk synth` and deploy all
// compile through it, so a program whose sources, copybooks, flags and
// toolchain did not change is compiled once, whichever command runs first.
// Entries are named by a content key and written by rename, so several
// processes (a `dev` and a `build`, say) can share one cache at the same time.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { copybooksOf } from './copybooks.ts';
import type { ProgramSpec } from './programs.ts';

/** Overrides where the cache is (every command reads it). */
export const CACHE_DIR_ENV = 'COBOLAMBDA_CACHE_DIR';

/** `$COBOLAMBDA_CACHE_DIR`, else `.cobolambda/cache` in the current folder (the project's root). */
export function defaultCacheDir(): string {
  return resolve(process.env[CACHE_DIR_ENV] || join('.cobolambda', 'cache'));
}

/** cobc arguments for one source, apart from -C/-x/-o. */
export function cobcArgs(spec: ProgramSpec): string[] {
  const args: string[] = [];
  if (spec.std) args.push(`-std=${spec.std}`);
  for (const dir of spec.copybookDirs) args.push('-I', dir);
  args.push(...spec.cobcFlags);
  return args;
}

export interface KeyInputs {
  /** The toolchain's fingerprint (cobc, archives, ICU stand-in). */
  toolchain: string;
  /** The fork server's sources. */
  forkServer: string;
  linking: string;
  linkArgs: string[];
}

/**
 * The cache key of a program's executable: its sources and every copybook they
 * COPY (by content), its flags, its name, and the toolchain. The copybook
 * folders enter by their place relative to the source, so a moved project keeps its cache.
 */
export function compileKey(spec: ProgramSpec, inputs: KeyInputs, extraParts: string[] = []): string {
  const h = createHash('sha256');
  const home = dirname(spec.source);
  const args = cobcArgs(spec).map((a) => (a.startsWith('/') ? relativeTo(home, a) : a));
  h.update(JSON.stringify({ v: 3, ...inputs, args, name: spec.name }));
  for (const part of extraParts) h.update(`\0call:${part}\0`);
  for (const src of [spec.source, ...spec.subprograms]) {
    h.update(`\0source:${basename(src)}\0`);
    h.update(readFileSync(src));
    for (const cpy of copybooksOf(src, spec.copybookDirs)) {
      h.update(`\0copy:${cpy.startsWith('missing:') ? cpy : relativeTo(home, cpy)}\0`);
      if (!cpy.startsWith('missing:')) h.update(readFileSync(cpy));
    }
  }
  return h.digest('hex').slice(0, 24);
}

function relativeTo(home: string, path: string): string {
  const rel = path.startsWith(`${home}/`) ? path.slice(home.length + 1) : path === home ? '.' : undefined;
  return rel ?? `~${path.split('/').length - home.split('/').length}:${basename(path)}`;
}

export const hashText = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Where the cache keeps one kind of entry. */
export function cachePath(cacheDir: string, kind: 'programs' | 'zips' | 'native', file: string): string {
  return join(cacheDir, kind, file);
}

/** Moves a finished file into the cache (atomic: readers never see half a file). */
export function storeInCache(file: string, cached: string): void {
  mkdirSync(dirname(cached), { recursive: true });
  renameSync(file, cached);
}

/**
 * Puts a cached file at `to`: a hard link when the cache and `to` share a file
 * system (no bytes copied), else a copy. Cached files are never modified in place.
 */
export function placeFromCache(cached: string, to: string, executable = false): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    linkSync(cached, tmp);
  } catch {
    copyFileSync(cached, tmp);
    if (executable) chmodSync(tmp, 0o755);
  }
  renameSync(tmp, to);
}
