// Helpers for copybook tests: COBOL statements cobc reads in either format, and
// the CopybookError a copybook is refused with.
import { expect } from 'vitest';
import { parseCopybook, CopybookError } from '../../runtime/src/codecs/copybook/index.ts';

/** Wraps words into lines of at most 72 columns, from column 12, valid in fixed and free format. */
export function statement(words: string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && 11 + line.length + 1 + w.length > 72) {
      lines.push(`           ${line}`);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  lines.push(`           ${line}`);
  return lines.join('\n');
}

/** The error parsing `text` (as bad.cpy unless the options name a file) ends with; fails the test when it parses. */
export function refusal(text: string, options: Partial<Parameters<typeof parseCopybook>[1]> = {}): CopybookError {
  try {
    parseCopybook(text, { fileName: 'bad.cpy', ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(CopybookError);
    return err as CopybookError;
  }
  throw new Error('parsed without an error');
}

/** WORKING-STORAGE items of the offset probes below. */
export const PROBE_ITEMS = [
  '       01 ORC-BASE USAGE POINTER.',
  '       01 ORC-BASE-N REDEFINES ORC-BASE PIC S9(18) COMP-5.',
  '       01 ORC-PTR USAGE POINTER.',
  '       01 ORC-PTR-N REDEFINES ORC-PTR PIC S9(18) COMP-5.',
  '       01 ORC-OFF PIC 9(9).',
  '       01 ORC-LEN PIC 9(9).',
];

/** Statements that print `<label>|<length>` of a record and make it the base of the item probes. */
export function recordProbe(record: string, label: string): string[] {
  return [
    statement(['SET', 'ORC-BASE', 'TO', 'ADDRESS', 'OF', record]),
    statement(['MOVE', `FUNCTION BYTE-LENGTH(${record})`, 'TO', 'ORC-LEN']),
    statement(['DISPLAY', `"${label}|"`, 'ORC-LEN']),
  ];
}

/** Statements that print `F|<id>|<offset>|<length>` of an item (`ref`: its words, subscripts included) in the record. */
export function itemProbe(ref: string[], id: number): string[] {
  return [
    statement(['SET', 'ORC-PTR', 'TO', 'ADDRESS', 'OF', ...ref]),
    statement(['COMPUTE', 'ORC-OFF', '=', 'ORC-PTR-N', '-', 'ORC-BASE-N']),
    statement(['MOVE', 'FUNCTION', 'BYTE-LENGTH', '(', ...ref, ')', 'TO', 'ORC-LEN']),
    statement(['DISPLAY', `"F|${id}|"`, 'ORC-OFF', '"|"', 'ORC-LEN']),
  ];
}
