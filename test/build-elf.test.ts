// The layer check: a shipped ELF that needs a glibc newer than Lambda's 2.34,
// or a library that is neither shipped nor glibc, is refused by name.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkElfFiles, compareVersions, listLayerFiles, parseReadelf } from '../layer/elf.ts';
import { copyLibraries, detectToolchain, runtimeLibraries } from '../layer/toolchain.ts';
import { tempDir } from './support/cobc.ts';

let work: string;

beforeAll(() => {
  work = tempDir('build-elf');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function cc(name: string, source: string, args: string[] = []): string {
  const c = join(work, `${name}.c`);
  writeFileSync(c, source);
  const out = join(work, name);
  execFileSync('gcc', ['-O2', '-o', out, c, ...args]);
  return out;
}

function layerWith(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [layerPath, from] of Object.entries(files)) {
    mkdirSync(join(dir, layerPath, '..'), { recursive: true });
    copyFileSync(from, join(dir, layerPath));
  }
  return dir;
}

describe('ELF check', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('2.34', '2.35')).toBeLessThan(0);
    expect(compareVersions('2.4', '2.34')).toBeLessThan(0);
    expect(compareVersions('2.36', '2.34')).toBeGreaterThan(0);
  });

  it('accepts a binary that needs only glibc 2.34', async () => {
    const ok = cc('plain', '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n');
    const check = await checkElfFiles(listLayerFiles(layerWith('plain-layer', { 'bin/plain': ok })));
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.closure[0]!.resolved).toContainEqual({ library: 'libc.so.6', from: 'glibc' });
  });

  it('refuses a binary that needs GLIBC_2.36 (arc4random), naming file and version', async () => {
    const bin = cc('newglibc', '#include <stdlib.h>\n#include <stdio.h>\nint main(void){printf("%u\\n", arc4random());return 0;}\n');
    const check = await checkElfFiles(listLayerFiles(layerWith('new-layer', { 'bin/newglibc': bin })));
    expect(check.ok).toBe(false);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]!.file).toBe('bin/newglibc');
    expect(check.problems[0]!.problem).toMatch(/GLIBC_2\.36/);
    expect(check.problems[0]!.problem).toMatch(/2\.34/);
    expect(check.problems[0]!.fix).toMatch(/static|Docker/);
  });

  it('refuses a library that is neither shipped nor glibc, and accepts it once shipped', async () => {
    const bin = cc('usesz', '#include <zlib.h>\n#include <stdio.h>\nint main(void){puts(zlibVersion());return 0;}\n', ['-lz']);
    const missing = await checkElfFiles(listLayerFiles(layerWith('z-missing', { 'bin/usesz': bin })));
    expect(missing.ok).toBe(false);
    expect(missing.problems[0]!.file).toBe('bin/usesz');
    expect(missing.problems[0]!.problem).toMatch(/libz\.so\.1.*neither/);
    const libz = execFileSync('sh', ['-c', "ldd " + bin + " | awk '/libz.so.1/{print $3}'"]).toString().trim();
    const shipped = await checkElfFiles(listLayerFiles(layerWith('z-shipped', { 'bin/usesz': bin, 'lib/libz.so.1': libz })));
    expect(shipped.problems).toEqual([]);
    expect(shipped.closure.find((c) => c.file === 'bin/usesz')!.resolved).toContainEqual({ library: 'libz.so.1', from: 'lib/libz.so.1' });
  });

  it('refuses to ship glibc itself', async () => {
    const libc = execFileSync('sh', ['-c', "ldd /bin/true | awk '/libc.so.6/{print $3}'"]).toString().trim();
    const check = await checkElfFiles(listLayerFiles(layerWith('glibc-layer', { 'lib/libc.so.6': libc })));
    expect(check.ok).toBe(false);
    expect(check.problems[0]!.problem).toMatch(/part of glibc/);
  });

  it('shows why plain `cobc -x` plus libcob\'s closure cannot load on provided.al2023', async () => {
    const tc = await detectToolchain();
    const dir = join(work, 'dynamic-layer');
    copyLibraries(await runtimeLibraries('dynamic', tc, join(work, 'cache')), join(dir, 'lib'));
    const check = await checkElfFiles(listLayerFiles(dir));
    expect(check.ok).toBe(false);
    const offenders = check.problems.map((p) => `${p.file}: ${p.problem}`).join('\n');
    expect(offenders).toMatch(/lib\/lib(stdc\+\+\.so\.6|gcc_s\.so\.1): needs GLIBC_2\.3[5-9]/);
  });

  it('parses readelf output', () => {
    const info = parseReadelf(
      'x',
      [
        ' 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]',
        ' 0x000000000000001d (RUNPATH)            Library runpath: [$ORIGIN/../lib]',
        "Version needs section '.gnu.version_r' contains 1 entry:",
        '  000000: Version: 1  File: libc.so.6  Cnt: 1',
        '  0x0010:   Name: GLIBC_2.34  Flags: none  Version: 2',
      ].join('\n'),
    );
    expect(info.needed).toEqual(['libc.so.6']);
    expect(info.runpath).toEqual(['$ORIGIN/../lib']);
    expect(info.versionNeeds).toEqual([{ file: 'libc.so.6', version: 'GLIBC_2.34' }]);
  });
});
