// EBCDIC code pages: the tables against glibc's iconv (an independent
// translation table), and record translation against bytes cobc writes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCopybook } from '../runtime/src/codecs/copybook/index.ts';
import {
  decodeEbcdic,
  encodeEbcdic,
  ebcdicToNativeText,
  nativeSignFor,
  nativeToEbcdicText,
  translateRecord,
  RecordTranslationError,
  CodePageError,
} from '../runtime/src/codecs/copybook/codepage.ts';
import { tempDir } from './support/cobc.ts';

const ROOT = join(import.meta.dirname, '..');
const EMPMAST = parseCopybook(readFileSync(join(ROOT, 'cobol/copybooks/empmast.cpy'), 'latin1'), { fileName: 'empmast.cpy' });
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const iconv = (from: string, to: string, bytes: Buffer): Buffer => execFileSync('iconv', ['-f', from, '-t', to], { input: bytes });

describe('code page tables', () => {
  it.each([
    ['cp037', 'IBM037'],
    ['cp1140', 'IBM1140'],
  ] as const)('%s decodes all 256 bytes as iconv %s does, and encodes back', (cp, iconvName) => {
    const expected = iconv(iconvName, 'UTF-8', ALL_BYTES).toString('utf8');
    expect(decodeEbcdic(ALL_BYTES, cp)).toBe(expected);
    expect(encodeEbcdic(expected, cp)).toEqual(ALL_BYTES);
  });

  it('cp1140 differs from cp037 only at 0x9F (€ for ¤)', () => {
    const a = decodeEbcdic(ALL_BYTES, 'cp037');
    const b = decodeEbcdic(ALL_BYTES, 'cp1140');
    const diff = [...a].flatMap((c, i) => (c !== b[i] ? [i] : []));
    expect(diff).toEqual([0x9f]);
    expect(b[0x9f]).toBe('€');
    expect(() => encodeEbcdic('€', 'cp037')).toThrow(CodePageError);
  });

  it('text translation to the program is ISO-8859-1, one to one, as iconv IBM037 → ISO-8859-1', () => {
    expect(ebcdicToNativeText(ALL_BYTES)).toEqual(iconv('IBM037', 'ISO-8859-1', ALL_BYTES));
    expect(nativeToEbcdicText(ebcdicToNativeText(ALL_BYTES))).toEqual(ALL_BYTES);
  });

  it('reads the sign convention from cobc flags', () => {
    expect(nativeSignFor([])).toBe('ascii');
    expect(nativeSignFor(['-fsign=EBCDIC'])).toBe('ebcdic');
    expect(nativeSignFor(['-fsign=EBCDIC', '-fsign=ASCII'])).toBe('ascii');
  });
});

describe('record translation against cobc', () => {
  const dir = tempDir('codepage');

  /** What a native (GnuCOBOL) program writes, compiled with `flags`. */
  function nativeFile(name: string, flags: string[] = []): Buffer {
    const exe = join(dir, `gen-${name}`);
    execFileSync('cobc', ['-x', '-free', '-I', join(ROOT, 'cobol/copybooks'), ...flags, '-o', exe, join(ROOT, 'test/cobol/ebcdicgen.cbl')]);
    const out = join(dir, `${name}.dat`);
    execFileSync(exe, [], { env: { ...process.env, DD_EMPOUT: out } });
    return readFileSync(out);
  }

  it('round-trips a file cobc wrote: EBCDIC text as iconv IBM037 gives it, COMP-3 kept, zoned signs C/D', () => {
    const native = nativeFile('ascii');
    expect(native.length).toBe(3 * EMPMAST.length);
    for (let i = 0; i < 3; i++) {
      const rec = native.subarray(i * 40, (i + 1) * 40);
      const ebcdic = translateRecord(EMPMAST, rec, 'to-ebcdic');
      // Text fields: exactly iconv's translation of the native bytes.
      for (const [from, to] of [[0, 30], [38, 40]]) {
        expect(ebcdic.subarray(from, to)).toEqual(iconv('ISO-8859-1', 'IBM037', rec.subarray(from, to)));
      }
      // COMP-3: the same bytes.
      expect(ebcdic.subarray(30, 34)).toEqual(rec.subarray(30, 34));
      expect(translateRecord(EMPMAST, ebcdic, 'to-native')).toEqual(rec);
    }
    // Zoned S9(3)V9, as IBM writes them: -12.3 → F0 F1 F2 D3, +40.0 → F0 F4 F0 C0, -0.9 → F0 F0 F0 D9.
    const hours = (i: number) => translateRecord(EMPMAST, native.subarray(i * 40, (i + 1) * 40), 'to-ebcdic').subarray(34, 38).toString('hex');
    expect([hours(0), hours(1), hours(2)]).toEqual(['f0f1f2d3', 'f0f4f0c0', 'f0f0f0d9']);
    // And the native bytes are GnuCOBOL's ASCII signs ("0123" with 3 overpunched as 's').
    expect(native.subarray(34, 38).toString('latin1')).toBe('012s');
  });

  it('writes the signs a -fsign=EBCDIC program expects, byte for byte what that program writes', () => {
    const native = nativeFile('ebcdic-sign', ['-fsign=EBCDIC']);
    const ascii = nativeFile('ascii');
    for (let i = 0; i < 3; i++) {
      const ebcdic = translateRecord(EMPMAST, ascii.subarray(i * 40, (i + 1) * 40), 'to-ebcdic');
      expect(translateRecord(EMPMAST, ebcdic, 'to-native', 'ebcdic')).toEqual(native.subarray(i * 40, (i + 1) * 40));
    }
  });

  it('names the field of a zoned decimal that is not valid EBCDIC', () => {
    const ebcdic = translateRecord(EMPMAST, nativeFile('ascii').subarray(0, 40), 'to-ebcdic');
    const broken = Buffer.from(ebcdic);
    broken[35] = 0x40; // a space inside EM-HOURS
    expect(() => translateRecord(EMPMAST, broken, 'to-native')).toThrow(/EM-HOURS \(PIC S9\(3\)V9\) at offset 34: not a zoned decimal digit \(bytes f040f2d3\)/);
    broken[35] = 0xf1;
    broken[37] = 0x93; // zone 9 in the sign position
    expect(() => translateRecord(EMPMAST, broken, 'to-native')).toThrow(RecordTranslationError);
    expect(() => translateRecord(EMPMAST, ebcdic.subarray(0, 39), 'to-native')).toThrow(/a record of 39 bytes, EMP-MASTER has 40/);
  });

  it('translates separate signs and leading overpunch', () => {
    const layout = parseCopybook(
      `       01 R.
          05 A PIC S9(3) SIGN LEADING SEPARATE.
          05 B PIC S9(3) SIGN TRAILING SEPARATE.
          05 C PIC S9(3) SIGN LEADING.
          05 D PIC 9(3).
`,
      { fileName: 'r.cpy' },
    );
    const native = Buffer.from('-123456+q89012', 'latin1');
    const ebcdic = translateRecord(layout, native, 'to-ebcdic');
    expect(ebcdic.toString('hex')).toBe('60f1f2f3f4f5f64ed1f8f9f0f1f2');
    expect(translateRecord(layout, ebcdic, 'to-native')).toEqual(native);
  });
});
