// cobolambda.json is validated by one schema (layer/config-schema.ts) wherever programs are discovered.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPrograms } from '../layer/programs.ts';
import { configProblems } from '../layer/config-schema.ts';
import { tempDir } from './support/cobc.ts';

function project(config: unknown, programs = ['good', 'bad']): string {
  const dir = tempDir('config');
  mkdirSync(dir, { recursive: true });
  for (const p of programs) writeFileSync(join(dir, `${p}.cbl`), '       IDENTIFICATION DIVISION.\n       PROGRAM-ID. X.\n');
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify(config));
  return dir;
}

const messages = (config: unknown) => configProblems(config).map((p) => `${p.program ?? '-'}/${p.key ?? '-'}: ${p.message}`);

describe('the cobolambda.json schema', () => {
  it('accepts every documented setting, the record, call and batch keys included', () => {
    expect(
      messages({
        programs: {
          a: { std: 'ibm', cobcFlags: ['-free'], subprograms: ['lib/x.cbl'], mode: 'record', timeoutSeconds: 30, memorySizeMb: 256, environment: { A: 'b' }, example: '{}' },
          b: {
            mode: 'record',
            input: { copybook: 'x.cpy', record: 'REC', replacing: { ':TAG:': 'CUST' } },
            output: 'y.cpy',
            encoding: 'latin1',
            fields: { 'CUST-KEY': 'base64' },
            redefines: { 'REC-DATA': { by: 'REC-TYPE', when: { C: 'CUST-DATA' }, otherwise: 'REC-DATA' } },
          },
          c: { using: ['p1.cpy', { copybook: 'p2.cpy' }], files: { INFILE: { direction: 'input', copybook: 'in.cpy', format: 'fixed', encoding: 'cp037', s3: {} } }, maxReturnCode: 4, s3Trigger: { bucket: 'b' }, s3: {}, ephemeralStorageMb: 1024 },
        },
      }).filter((m) => !m.startsWith('a/')),
    ).toEqual([]);
  });

  it('names the program and the key of each wrong value', () => {
    expect(
      messages({
        programs: {
          a: { input: { copybook: 5 }, mode: 'recrod', timeoutSeconds: 0, encoding: 'ebcdic', fields: { K: 'hex' }, cobcFlags: '-free', colour: 'red' },
          b: { mode: 'record', output: 'o.cpy', redefines: { R: { by: 'T' } } },
        },
        extra: 1,
      }),
    ).toEqual([
      '-/-: extra is not a setting (known: $schema, programs)',
      'a/colour: programs.a.colour is not a setting (known: std, cobcFlags, subprograms, mode, timeoutSeconds, memorySizeMb, environment, example, runtime, input, output, encoding, fields, redefines, using, files, maxReturnCode, s3Trigger, s3, ephemeralStorageMb)',
      'a/cobcFlags: programs.a.cobcFlags is "-free"; expected an array',
      'a/mode: programs.a.mode is "recrod"; expected one of "raw", "lines", "record", "http", "call", "batch"',
      'a/timeoutSeconds: programs.a.timeoutSeconds is 0; expected a whole number from 1 to 900',
      'a/input: programs.a.input.copybook is 5; expected a string',
      'a/encoding: programs.a.encoding is "ebcdic"; expected one of "utf-8", "latin1"',
      'a/fields: programs.a.fields.K is "hex"; expected one of "utf-8", "latin1", "base64"',
      'b/mode: programs.b needs "input" in mode "record"',
      'b/redefines: programs.b.redefines.R needs "when"',
    ]);
  });

  it('stops build and deploy discovery with every problem, and lets dev keep the other programs', () => {
    const dir = project({ programs: { good: { mode: 'lines', std: 'ibm' }, bad: { std: 'ibm', input: { copybook: { name: 'x' } }, mode: 'record' } } });
    expect(() => discoverPrograms(dir)).toThrow(/programs\.bad\.input\.copybook is \{"name":"x"\}; expected a string/);
    const specs = discoverPrograms(dir, { keepGoing: true });
    expect(specs.find((s) => s.name === 'good')).toMatchObject({ mode: 'lines', std: 'ibm' });
    expect(specs.find((s) => s.name === 'good')!.configError).toBeUndefined();
    const bad = specs.find((s) => s.name === 'bad')!;
    expect(bad.configError).toMatch(/cobolambda\.json: programs\.bad\.input\.copybook is/);
    expect(bad).toMatchObject({ std: 'ibm', mode: 'raw' });
  });

  it('refuses a file that is not an object of programs, even in dev', () => {
    expect(() => discoverPrograms(project({ programs: [] }), { keepGoing: true })).toThrow(/programs is \[\]; expected an object/);
  });
});
