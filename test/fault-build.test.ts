// Fault matrix, build rows: what the build does with sources that are broken,
// named to trick a shell, or unreadable. Each gets a clear error naming the file;
// nothing is executed; nothing hangs.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, symlinkSync, writeFileSync, constants } from 'node:fs';
import { join } from 'node:path';
import { compileProgram, buildProject } from '../layer/build.ts';
import { discoverPrograms, ProgramDiscoveryError } from '../layer/programs.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';

const FIXED_HELLO = [
  '       IDENTIFICATION DIVISION.',
  '       PROGRAM-ID. HELLO.',
  '       PROCEDURE DIVISION.',
  '           DISPLAY "hello"',
  '           STOP RUN.',
  '',
].join('\n');

function project(files: Record<string, string>, config?: unknown): string {
  const dir = tempDir('fault-build');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  if (config) writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify(config));
  return dir;
}

function discoveryError(dir: string): string {
  try {
    discoverPrograms(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ProgramDiscoveryError);
    return (err as Error).message;
  }
  throw new Error('discovery accepted the folder');
}

describe('build faults', () => {
  it('a copybook with a syntax error: the compile fails naming the copybook and line; no executable', async () => {
    const dir = project({
      'uses.cbl': [
        '       IDENTIFICATION DIVISION.',
        '       PROGRAM-ID. USES.',
        '       DATA DIVISION.',
        '       WORKING-STORAGE SECTION.',
        '       COPY "BADCB".',
        '       PROCEDURE DIVISION.',
        '           STOP RUN.',
        '',
      ].join('\n'),
      'copybooks/BADCB.cpy': ['       01 REC.', '          05 A PIC X(4) VALUE.', '          05 B PIC 9(3 COMP.', ''].join('\n'),
    });
    const [spec] = discoverPrograms(dir);
    const bin = join(dir, 'bin');
    const r = await compileProgram(spec!, bin, { cacheDir: join(dir, 'cache') });
    expect(r.ok).toBe(false);
    const cpy = join(dir, 'copybooks', 'BADCB.cpy');
    expect(r.messages.split('\n').filter((l) => l.includes(': error:'))).toEqual([
      `${cpy}:2: error: syntax error, unexpected .`,
      `${cpy}:3: error: unbalanced parentheses`,
      `${cpy}:3: error: invalid PICTURE character '3'`,
      `${cpy}:3: error: PICTURE clause not compatible with USAGE COMP`,
    ]);
    expect(existsSync(join(bin, 'uses'))).toBe(false);
  });

  it('a program with syntax errors: the compile fails naming the file and each line; no executable', async () => {
    const dir = project({
      'typo.cbl': [
        '       IDENTIFICATION DIVISION.',
        '       PROGRAM-ID. TYPO.',
        '       PROCEDURE DIVISION.',
        '           DISPLAYY "x"',
        '           MOVE TO.',
        '           STOP RUN.',
        '',
      ].join('\n'),
    });
    const [spec] = discoverPrograms(dir);
    const bin = join(dir, 'bin');
    const r = await compileProgram(spec!, bin, { cacheDir: join(dir, 'cache') });
    expect(r.ok).toBe(false);
    const src = join(dir, 'typo.cbl');
    expect(r.messages).toContain(`${src}:4: error: `);
    expect(r.messages.split('\n').every((l) => l === '' || l.startsWith(`${src}:`) || l.startsWith('typo.cbl:'))).toBe(true);
    expect(existsSync(join(bin, 'typo'))).toBe(false);
  });

  it('programs named like shell metacharacters: refused by name before anything runs', async () => {
    const names = ['a;b', '$(touch PWNED)', '`touch PWNED2`', 'x|y', 'x y', '-rf', '..hidden'];
    const dir = project(Object.fromEntries(names.map((n) => [`${n}.cbl`, FIXED_HELLO])));
    const message = discoveryError(dir);
    const expected = names
      .slice()
      .sort()
      .map((n) => `${join(dir, `${n}.cbl`)}: "${n.toLowerCase()}" is not a valid function name (use lower-case letters, digits, - and _, at most 64)`);
    expect(message.split('\n').sort()).toEqual(expected.sort());
    // The whole build stops at discovery: nothing compiled, nothing executed.
    const out = join(dir, 'dist');
    await expect(buildProject({ cobolDir: dir, outDir: out, log: () => {} })).rejects.toThrow(ProgramDiscoveryError);
    expect(existsSync(join(out, 'programs'))).toBe(false);
    for (const where of [dir, process.cwd()]) {
      expect(existsSync(join(where, 'PWNED'))).toBe(false);
      expect(existsSync(join(where, 'PWNED2'))).toBe(false);
    }
  });

  it('a subprogram whose file name holds shell syntax: refused at discovery, nothing is executed', async () => {
    const sub = 'sub$(touch PWNED3)`touch PWNED4`;x.cbl';
    const dir = project(
      {
        'main.cbl': [
          '       IDENTIFICATION DIVISION.',
          '       PROGRAM-ID. MAIN.',
          '       PROCEDURE DIVISION.',
          '           CALL "SUBP"',
          '           STOP RUN.',
          '',
        ].join('\n'),
        [sub]: ['       IDENTIFICATION DIVISION.', '       PROGRAM-ID. SUBP.', '       PROCEDURE DIVISION.', '           DISPLAY "from sub"', '           GOBACK.', ''].join('\n'),
      },
      { programs: { main: { subprograms: [sub] } } },
    );
    expect(discoveryError(dir)).toBe(
      `${join(dir, 'cobolambda.json')}: subprogram ${join(dir, sub)}: its file name may hold only letters, digits, '.', '-' and '_'`,
    );
    // Even handed to cobc directly, the name is only ever an argument: cobc refuses it, nothing runs.
    const spec = { ...discoverPrograms(project({ 'main.cbl': FIXED_HELLO })).at(0)!, subprograms: [join(dir, sub)] };
    const r = await compileProgram(spec, join(dir, 'bin'), { cacheDir: join(dir, 'cache') });
    expect(r.ok).toBe(false);
    expect(r.messages).toContain("error: invalid file base name 'sub$(touch PWNED3)`touch PWNED4`...'");
    for (const where of [dir, join(dir, 'cache'), process.cwd()]) {
      expect(existsSync(join(where, 'PWNED3'))).toBe(false);
      expect(existsSync(join(where, 'PWNED4'))).toBe(false);
    }
  }, 120_000);

  // Tests run as root, and chmod 000 does not stop root from reading. What cannot be read
  // even by root: a dangling symbolic link (ENOENT when followed), and a FIFO (a read blocks
  // until a writer comes: a build that read it would hang forever).
  describe('unreadable files', () => {
    it('a source that is a dangling symbolic link: a clear discovery error naming it and its target', () => {
      const dir = project({ 'good.cbl': FIXED_HELLO });
      symlinkSync('/nonexistent/gone.cbl', join(dir, 'gone.cbl'));
      expect(discoveryError(dir)).toBe(`${join(dir, 'gone.cbl')}: is a symbolic link to /nonexistent/gone.cbl, which cannot be followed (ENOENT)`);
    });

    it('a source that is a FIFO: a clear discovery error, and nothing blocks on it', () => {
      const dir = project({ 'good.cbl': FIXED_HELLO });
      execFileSync('mkfifo', [join(dir, 'pipe.cbl')]);
      expect(discoveryError(dir)).toBe(`${join(dir, 'pipe.cbl')}: is a FIFO (named pipe), not a source file`);
    });

    it('a subprogram that is a FIFO or missing: a clear discovery error (reading it would hang the build)', () => {
      const dir = project({ 'good.cbl': FIXED_HELLO }, { programs: { good: { subprograms: ['pipe.cob', 'missing.cob'] } } });
      execFileSync('mkfifo', [join(dir, 'pipe.cob')]);
      expect(discoveryError(dir).split('\n')).toEqual([
        `${join(dir, 'cobolambda.json')}: subprogram ${join(dir, 'pipe.cob')}: is a FIFO (named pipe), not a source file`,
        `${join(dir, 'cobolambda.json')}: subprogram ${join(dir, 'missing.cob')}: does not exist (ENOENT)`,
      ]);
    });

    it('a copybook that is a FIFO: cobc reports it at the COPY line and the build does not hang', async () => {
      const dir = project({
        'usespipe.cbl': [
          '       IDENTIFICATION DIVISION.',
          '       PROGRAM-ID. USESPIPE.',
          '       DATA DIVISION.',
          '       WORKING-STORAGE SECTION.',
          '       COPY "PIPE".',
          '       PROCEDURE DIVISION.',
          '           STOP RUN.',
          '',
        ].join('\n'),
      });
      const fifo = join(dir, 'PIPE.cpy');
      execFileSync('mkfifo', [fifo]);
      const [spec] = discoverPrograms(dir);
      try {
        const r = await compileProgram(spec!, join(dir, 'bin'), { cacheDir: join(dir, 'cache') });
        expect(r.ok).toBe(false);
        expect(r.messages).toBe(`${join(dir, 'usespipe.cbl')}:5: error: PIPE: No such file or directory`);
      } finally {
        // Should anything have opened the FIFO for reading, a writer releases it.
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // ENXIO: no reader, as it should be
        }
      }
    }, 60_000);
  });

  it('the shipped test programs still discover cleanly (no false alarms)', () => {
    const dir = tempDir('fault-build-ok');
    for (const f of ['echo.cbl', 'fail.cbl', 'nostdin.cbl']) copyFileSync(join(TEST_COBOL_DIR, f), join(dir, f));
    mkdirSync(join(dir, 'copybooks'));
    expect(discoverPrograms(dir).map((p) => p.name)).toEqual(['echo', 'fail', 'nostdin']);
  });
});
