// EBCDIC datasets ↔ the bytes a GnuCOBOL program reads and writes, field by
// field through the record's copybook: text is translated, binary and packed
// fields are kept as they are, zoned decimal digits are translated and their
// sign is rewritten from IBM's zones (C +, D −, F unsigned) to the convention
// the program was compiled with (GnuCOBOL's ASCII default, or -fsign=EBCDIC).
//
// The program's text is ISO-8859-1: cp037 maps its 256 bytes one to one onto
// ISO-8859-1, so nothing is lost either way. cp1140 is cp037 with € at 0x9F in
// place of ¤; for the program that byte is 0xA4, where ISO-8859-15 has €.
import type { LayoutField, RecordLayout } from './layout.ts';

export type EbcdicCodePage = 'cp037' | 'cp1140';
export const EBCDIC_CODE_PAGES: readonly EbcdicCodePage[] = ['cp037', 'cp1140'];

/** How the program stores the sign of a zoned decimal (cobc `-fsign`). */
export type NativeSign = 'ascii' | 'ebcdic';

/** Unicode of each cp037 byte (IBM's CCSID 37 as Python's cp037 codec has it). */
const CP037 =
  '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f' +
  '\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f' +
  '\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007' +
  '\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a' +
  ' \u00a0\u00e2\u00e4\u00e0\u00e1\u00e3\u00e5\u00e7\u00f1\u00a2.<(+|' +
  '&\u00e9\u00ea\u00eb\u00e8\u00ed\u00ee\u00ef\u00ec\u00df!$*);\u00ac' +
  '-/\u00c2\u00c4\u00c0\u00c1\u00c3\u00c5\u00c7\u00d1\u00a6,%_>?' +
  '\u00f8\u00c9\u00ca\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc`:#@\u0027="' +
  '\u00d8abcdefghi\u00ab\u00bb\u00f0\u00fd\u00fe\u00b1' +
  '\u00b0jklmnopqr\u00aa\u00ba\u00e6\u00b8\u00c6\u00a4' +
  '\u00b5~stuvwxyz\u00a1\u00bf\u00d0\u00dd\u00de\u00ae' +
  '^\u00a3\u00a5\u00b7\u00a9\u00a7\u00b6\u00bc\u00bd\u00be[]\u00af\u00a8\u00b4\u00d7' +
  '{ABCDEFGHI\u00ad\u00f4\u00f6\u00f2\u00f3\u00f5' +
  '}JKLMNOPQR\u00b9\u00fb\u00fc\u00f9\u00fa\u00ff' +
  '\u005c\u00f7STUVWXYZ\u00b2\u00d4\u00d6\u00d2\u00d3\u00d5' +
  '0123456789\u00b3\u00db\u00dc\u00d9\u00da\u009f';

const unicodeOf = (cp: EbcdicCodePage): string => (cp === 'cp1140' ? CP037.slice(0, 0x9f) + '\u20ac' + CP037.slice(0xa0) : CP037);

/** EBCDIC byte → the program's byte (ISO-8859-1 code point), and back. The same for cp037 and cp1140. */
const TO_NATIVE = new Uint8Array(256);
const TO_EBCDIC = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const native = CP037.charCodeAt(b);
  TO_NATIVE[b] = native;
  TO_EBCDIC[native] = b;
}

export class CodePageError extends Error {
  override name = 'CodePageError';
}

/** EBCDIC text → a JavaScript string. */
export function decodeEbcdic(bytes: Uint8Array, cp: EbcdicCodePage): string {
  const table = unicodeOf(cp);
  let out = '';
  for (const b of bytes) out += table[b]!;
  return out;
}

/** A string → EBCDIC bytes; a character the code page does not have is an error, never a substitute. */
export function encodeEbcdic(text: string, cp: EbcdicCodePage): Buffer {
  const table = unicodeOf(cp);
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const b = table.indexOf(text[i]!);
    if (b < 0) throw new CodePageError(`character ${JSON.stringify(text[i])} (U+${text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}) has no byte in ${cp}`);
    out[i] = b;
  }
  return out;
}

/** Byte-for-byte text translation (no copybook): for `lines` and whole text datasets. */
export function ebcdicToNativeText(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.map((b) => TO_NATIVE[b]!));
}

export function nativeToEbcdicText(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.map((b) => TO_EBCDIC[b]!));
}

/** The sign a program compiled with these cobc flags writes in zoned decimal fields. */
export function nativeSignFor(cobcFlags: readonly string[]): NativeSign {
  const flag = [...cobcFlags].reverse().find((f) => /^-fsign=/i.test(f));
  return flag && /=ebcdic$/i.test(flag) ? 'ebcdic' : 'ascii';
}

// ---------------------------------------------------------------------------
// Records

export type Direction = 'to-native' | 'to-ebcdic';

/** Where a translation failed: the field's COBOL name and the offending bytes. */
export class RecordTranslationError extends Error {
  override name = 'RecordTranslationError';
}

/**
 * One record of `layout` translated in `direction`. The record must be exactly
 * `layout.length` bytes, or at most that for a variable-length record (the fields
 * past its end are not there). Throws RecordTranslationError naming the field when a
 * zoned decimal is not valid in the source representation, or is cut by the record's end.
 */
export function translateRecord(layout: RecordLayout, record: Uint8Array, direction: Direction, sign: NativeSign = 'ascii', variable = false): Buffer {
  if (variable ? record.length > layout.length : record.length !== layout.length) {
    throw new RecordTranslationError(`a record of ${record.length} bytes, ${layout.name} has ${layout.length}`);
  }
  const out = Buffer.from(record);
  for (const field of layout.fields) translateField(out, 0, field, direction, sign);
  return out;
}

function translateField(buf: Buffer, shift: number, f: LayoutField, direction: Direction, sign: NativeSign): void {
  // A REDEFINES is another view of bytes its first definition already translated.
  if (f.redefines) return;
  const count = f.occurs?.max ?? 1;
  for (let i = 0; i < count; i++) {
    const at = shift + i * f.length;
    if (f.kind === 'group') {
      for (const child of f.children ?? []) translateField(buf, at, child, direction, sign);
      continue;
    }
    translateElementary(buf, at + f.offset, f, direction, sign);
  }
}

const TEXT_TABLE = { 'to-native': TO_NATIVE, 'to-ebcdic': TO_EBCDIC } as const;

function translateText(buf: Buffer, from: number, to: number, direction: Direction): void {
  const table = TEXT_TABLE[direction];
  for (let i = from; i < to; i++) buf[i] = table[buf[i]!]!;
}

function translateElementary(buf: Buffer, at: number, f: LayoutField, direction: Direction, sign: NativeSign): void {
  const end = at + f.length;
  // A variable-length record ends before its last fields (the uncounted entries of its table).
  if (at >= buf.length) return;
  if (end > buf.length) {
    if (f.kind === 'zoned') throw new RecordTranslationError(`${f.name} (PIC ${f.pic}) at offset ${at}: the ${buf.length}-byte record ends inside it`);
    if (f.kind === 'binary' || f.kind === 'packed' || f.kind === 'float') return;
    return translateText(buf, at, buf.length, direction);
  }
  switch (f.kind) {
    case 'binary':
    case 'packed':
    case 'float':
      return; // COMP, COMP-3, COMP-5, COMP-1/2: the same bytes on both sides
    case 'zoned':
      return translateZoned(buf, at, f, direction, sign);
    default:
      return translateText(buf, at, end, direction);
  }
}

const EBCDIC_SPACE = 0x40;
const DIGITS = { 'to-native': [0x30, 0x39], 'to-ebcdic': [0xf0, 0xf9] } as const;

function translateZoned(buf: Buffer, at: number, f: LayoutField, direction: Direction, sign: NativeSign): void {
  const end = at + f.length;
  const source = Buffer.from(buf.subarray(at, end));
  const space = direction === 'to-native' ? EBCDIC_SPACE : 0x20;
  if (f.blankWhenZero && source.every((b) => b === space)) return translateText(buf, at, end, direction);
  const bad = (what: string): never => {
    throw new RecordTranslationError(`${f.name} (PIC ${f.pic}) at offset ${at}: ${what} (bytes ${source.toString('hex')})`);
  };
  // The byte holding the sign: a separate '+'/'-' (plain text), or a digit overpunched with the sign.
  const signAt = !f.signed ? -1 : f.signPosition === 'leading' ? at : end - 1;
  translateText(buf, at, end, direction);
  const [lo, hi] = DIGITS[direction];
  for (let i = at; i < end; i++) {
    if (i === signAt) continue;
    if (buf[i]! < lo || buf[i]! > hi) bad('not a zoned decimal digit');
  }
  if (signAt < 0) return;
  if (f.signSeparate) {
    if (buf[signAt] !== (direction === 'to-native' ? 0x2b : 0x4e) && buf[signAt] !== (direction === 'to-native' ? 0x2d : 0x60)) {
      bad('the separate sign is neither + nor -');
    }
    return;
  }
  const overpunched = source[signAt - at]!;
  if (direction === 'to-native') {
    const zone = overpunched >> 4;
    const digit = overpunched & 0x0f;
    if (digit > 9) bad('not a zoned decimal digit');
    // IBM reads zones A, C, E, F as + and B, D as -; it writes C and D (F when unsigned).
    if (zone < 0xa) bad('the sign zone is not A-F');
    buf[signAt] = nativeSignByte(digit, zone === 0xb || zone === 0xd, sign);
  } else {
    const parsed = readNativeSign(overpunched);
    if (!parsed) return bad('not a zoned decimal digit');
    const [digit, negative] = parsed;
    buf[signAt] = (negative ? 0xd0 : 0xc0) + digit;
  }
}

/** The digit and sign of the sign byte of a zoned decimal as GnuCOBOL reads it (either convention). */
function readNativeSign(b: number): [number, boolean] | undefined {
  if (b >= 0x30 && b <= 0x39) return [b - 0x30, false];
  if (b >= 0x70 && b <= 0x79) return [b - 0x70, true]; // ASCII: 'p'..'y' are -0..-9
  if (b === 0x7b) return [0, false]; // EBCDIC style: '{' 'A'..'I' are +0..+9, '}' 'J'..'R' are -0..-9
  if (b >= 0x41 && b <= 0x49) return [b - 0x40, false];
  if (b === 0x7d) return [0, true];
  if (b >= 0x4a && b <= 0x52) return [b - 0x49, true];
  return undefined;
}

function nativeSignByte(digit: number, negative: boolean, sign: NativeSign): number {
  if (sign === 'ascii') return negative ? 0x70 + digit : 0x30 + digit;
  if (digit === 0) return negative ? 0x7d : 0x7b;
  return negative ? 0x49 + digit : 0x40 + digit;
}
