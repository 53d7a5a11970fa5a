import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linesCodec } from '../runtime/src/codecs/lines.ts';
import { isDiagnostic } from '../runtime/src/codecs/codec.ts';
import type { Diagnostic } from '../runtime/src/diagnostic.ts';
import { compileTestProgram, tempDir } from './support/cobc.ts';

const encode = (event: unknown) => linesCodec.encodeInput(Buffer.from(JSON.stringify(event)));

describe('lines codec', () => {
  it('turns a string or an array of strings into newline-ended lines', () => {
    expect((encode('hello') as Buffer).toString()).toBe('hello\n');
    expect((encode(['a', '', 'é']) as Buffer).toString()).toBe('a\n\né\n');
    expect((encode([]) as Buffer).length).toBe(0);
  });

  it.each([
    ['{', /not JSON/],
    ['{"a":1}', /a JSON string or an array of strings/],
    ['["a", 2]', /element \[1\] of the event is 2, not a string/],
    ['42', /a JSON string or an array of strings/],
  ])('answers Function.InvalidEvent for %s', (event, message) => {
    const d = linesCodec.encodeInput(Buffer.from(event)) as Diagnostic;
    expect(isDiagnostic(d)).toBe(true);
    expect(d.errorType).toBe('Function.InvalidEvent');
    expect(d.errorMessage).toMatch(message);
  });

  it('turns stdout lines into a JSON array, dropping trailing spaces and \\r', () => {
    const out = (stdout: string) => JSON.parse(linesCodec.decodeOutput({ stdout: Buffer.from(stdout), exitCode: 0 }).toString());
    expect(out('')).toEqual([]);
    expect(out('a   \nb\r\n\n')).toEqual(['a', 'b', '']);
    expect(out('no newline')).toEqual(['no newline']);
  });

  it('drives a real ACCEPT/DISPLAY program', () => {
    const dir = tempDir('lines');
    const source = join(dir, 'upper.cbl');
    writeFileSync(
      source,
      `IDENTIFICATION DIVISION.
PROGRAM-ID. UPPER.
DATA DIVISION.
WORKING-STORAGE SECTION.
01 LINE-IN PIC X(80).
01 DONE PIC X VALUE "N".
PROCEDURE DIVISION.
    PERFORM UNTIL DONE = "Y"
      ACCEPT LINE-IN
        ON EXCEPTION MOVE "Y" TO DONE
        NOT ON EXCEPTION DISPLAY FUNCTION UPPER-CASE(LINE-IN)
      END-ACCEPT
    END-PERFORM
    STOP RUN.
`,
    );
    const exe = compileTestProgram(source, dir);
    const stdin = encode(['hello', 'cobol lines', '']) as Buffer;
    const stdout = execFileSync(exe, { input: stdin });
    expect(JSON.parse(linesCodec.decodeOutput({ stdout, exitCode: 0 }).toString())).toEqual(['HELLO', 'COBOL LINES', '']);
  });
});
