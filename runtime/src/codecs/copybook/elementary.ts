// One elementary item's bytes ↔ its JSON value (and a field's default bytes).
// Records (groups, tables, REDEFINES choice) are data.ts.
import type { LayoutField } from './layout.ts';
import { approximateNumber, describeValue, jsonNumber, toDecimal, type Decimal } from './numbers.ts';
import { decodeText, encodeText, type FieldEncodingName, type TextEncodingName } from './text.ts';
import { placeEdited } from './edited.ts';
import { decodeAlphanumericEdited, editAlphanumeric } from './alphanumeric-edited.ts';

export const SPACE = 0x20;

/** Thrown by readElementary; data.ts gathers them into a RecordDataError. */
export class FieldDataError extends Error {
  override name = 'FieldDataError';
}

export const isNumeric = (f: LayoutField): boolean => f.kind === 'zoned' || f.kind === 'binary' || f.kind === 'packed';

/** Whether the field is read and written as text in `encoding` (text kinds), or as bytes (any field under base64). */
export const isTextual = (f: LayoutField): boolean =>
  f.encoding === 'base64' || f.kind === 'alphanumeric' || f.kind === 'alphabetic' || f.kind === 'alphanumeric-edited' || f.kind === 'numeric-edited';

export function writeNumber(buf: Buffer, at: number, field: LayoutField, d: Decimal): void {
  const { length } = field;
  if (field.blankWhenZero && d.stored === '') {
    buf.fill(SPACE, at, at + length);
    return;
  }
  if (field.kind === 'zoned') {
    const digits = field.digits!;
    const body = Buffer.from(d.stored.padStart(digits, '0'), 'latin1');
    if (field.signed && field.signSeparate) {
      const sign = d.negative ? 0x2d : 0x2b;
      if (field.signPosition === 'leading') {
        buf[at] = sign;
        body.copy(buf, at + 1);
      } else {
        body.copy(buf, at);
        buf[at + digits] = sign;
      }
      return;
    }
    if (field.signed && d.negative) {
      const i = field.signPosition === 'leading' ? 0 : digits - 1;
      body[i] = body[i]! + 0x40; // '0'..'9' → 'p'..'y', as cobc writes on ASCII
    }
    body.copy(buf, at);
    return;
  }
  if (field.kind === 'binary') {
    let v = BigInt(d.stored || '0');
    if (d.negative) v = -v;
    if (v < 0n) v += 1n << BigInt(8 * length);
    for (let i = 0; i < length; i++) {
      const byte = Number(v & 0xffn);
      v >>= 8n;
      if (field.usage === 'comp-5') buf[at + i] = byte; // native: little-endian on x86_64 and arm64
      else buf[at + length - 1 - i] = byte;
    }
    return;
  }
  if (field.kind === 'packed') {
    const nibbles = d.stored.padStart(2 * length - 1, '0') + (field.signed ? (d.negative ? 'd' : 'c') : 'f');
    Buffer.from(nibbles, 'hex').copy(buf, at);
  }
}

/** Writes a JSON value into the field; returns the problem instead when it does not fit. */
export function writeElementary(buf: Buffer, at: number, field: LayoutField, value: unknown, encoding: FieldEncodingName, truncateStrings = false): string | undefined {
  const pic = field.pic ? `PIC ${field.pic}` : field.usage.toUpperCase();
  if (isTextual(field)) {
    if (typeof value !== 'string') return `expected a string, got ${describeValue(value)}`;
    const own = field.encoding ?? encoding;
    if (own === 'base64') {
      const bytes = encodeText(value, 'base64');
      if (!Buffer.isBuffer(bytes)) return bytes.problem;
      if (bytes.length !== field.length) return `base64 of ${bytes.length} bytes, the field has ${field.length} (${pic}): give every byte`;
      bytes.copy(buf, at);
      return undefined;
    }
    if (field.kind === 'alphabetic' && !/^[A-Za-z ]*$/.test(value)) return `${pic} takes letters and spaces only, got ${JSON.stringify(value)}`;
    if (field.kind === 'alphanumeric-edited') return writeAlphanumericEdited(buf, at, field, value, own, truncateStrings);
    let text = value;
    if (field.kind === 'numeric-edited') {
      const placed = placeEdited(value, field.pic!, field.length);
      if (placed === undefined) return `${JSON.stringify(value)} is not an edited number of ${pic}`;
      text = placed;
    }
    let bytes = encodeText(text, own);
    if (!Buffer.isBuffer(bytes)) return bytes.problem;
    if (bytes.length > field.length) {
      if (!truncateStrings) return `string of ${bytes.length} bytes is longer than the ${field.length} of ${pic}`;
      let end = field.length;
      if (own === 'utf-8') while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not split a UTF-8 character
      bytes = bytes.subarray(0, end);
    }
    buf.fill(SPACE, at, at + field.length);
    bytes.copy(buf, field.justifiedRight ? at + field.length - bytes.length : at);
    return undefined;
  }
  if (field.kind === 'float') {
    const n = approximateNumber(value);
    if (!Number.isFinite(n)) return `expected a number, got ${describeValue(value)}`;
    if (field.length === 4) buf.writeFloatLE(n, at);
    else buf.writeDoubleLE(n, at);
    return undefined;
  }
  const d = toDecimal(value, field);
  if (typeof d === 'string') return d;
  writeNumber(buf, at, field, d);
  return undefined;
}

function writeAlphanumericEdited(buf: Buffer, at: number, field: LayoutField, value: string, encoding: TextEncodingName, truncate: boolean): string | undefined {
  const bytes = encodeText(value, encoding);
  if (!Buffer.isBuffer(bytes)) return bytes.problem;
  const edited = editAlphanumeric(value, bytes.toString('latin1'), field.pic!, truncate);
  if ('problem' in edited) return edited.problem;
  const image = Buffer.from(edited.image, 'latin1');
  // Editing places bytes, so an insertion character (or a cut) can land inside a UTF-8 character.
  if (encoding === 'utf-8' && 'problem' in decodeText(image, encoding)) {
    return `${JSON.stringify(value)} edited into PIC ${field.pic} splits a UTF-8 character (bytes ${image.toString('hex')}); positions are bytes`;
  }
  image.copy(buf, at);
  return undefined;
}

/** The bytes of a field nobody gave a value: its VALUE clause, else spaces (text) or zero (numbers). */
export function writeDefault(buf: Buffer, at: number, field: LayoutField): void {
  const value = field.value;
  if (field.kind === 'group') {
    if (value) {
      fillWith(buf, at, field.length, value);
      return;
    }
    for (const child of field.children ?? []) {
      if (child.redefines) continue; // the first definition initialises the area, as in COBOL
      const count = child.occurs?.max ?? 1;
      for (let i = 0; i < count; i++) writeDefault(buf, at + (child.offset - field.offset) + i * child.length, child);
    }
    return;
  }
  if (value) {
    if ('number' in value && isNumeric(field)) {
      const d = toDecimal(value.number, field);
      if (typeof d !== 'string') {
        writeNumber(buf, at, field, d);
        return;
      }
    }
    if ('figurative' in value && value.figurative === 'ZEROS' && isNumeric(field)) {
      writeNumber(buf, at, field, { negative: false, stored: '' });
      return;
    }
    if (field.kind === 'float') {
      buf.fill(0, at, at + field.length);
      if ('number' in value) (field.length === 4 ? buf.writeFloatLE(Number(value.number), at) : buf.writeDoubleLE(Number(value.number), at));
      return;
    }
    fillWith(buf, at, field.length, value, field.justifiedRight);
    return;
  }
  if (isNumeric(field)) writeNumber(buf, at, field, { negative: false, stored: '' });
  else if (field.kind === 'float') buf.fill(0, at, at + field.length);
  else buf.fill(SPACE, at, at + field.length);
}

function fillWith(buf: Buffer, at: number, length: number, value: NonNullable<LayoutField['value']>, right = false): void {
  buf.fill(SPACE, at, at + length);
  if ('figurative' in value) {
    const byte = { SPACES: SPACE, ZEROS: 0x30, 'HIGH-VALUES': 0xff, 'LOW-VALUES': 0x00, QUOTES: 0x22 }[value.figurative];
    buf.fill(byte, at, at + length);
  } else if ('all' in value) {
    if (value.all.length > 0) buf.fill(Buffer.from(value.all, 'utf8'), at, at + length);
  } else {
    const bytes = 'number' in value ? Buffer.from(value.number, 'latin1') : Buffer.from(value.text, value.hex ? 'latin1' : 'utf8');
    const n = Math.min(bytes.length, length);
    bytes.copy(buf, right ? at + length - n : at, 0, n);
  }
}

/** The JSON value of a field's bytes; throws FieldDataError naming what is wrong with them. */
export function readElementary(buf: Buffer, at: number, f: LayoutField, encoding: FieldEncodingName): string | number {
  const bytes = buf.subarray(at, at + f.length);
  const bad = (what: string): never => {
    throw new FieldDataError(`${what} (bytes ${bytes.toString('hex')}, PIC ${f.pic ?? f.usage})`);
  };
  if (isTextual(f)) {
    const decoded = decodeText(bytes, f.encoding ?? encoding);
    if ('problem' in decoded) throw new FieldDataError(decoded.problem);
    const { text } = decoded;
    if (f.encoding === 'base64') return text;
    switch (f.kind) {
      case 'numeric-edited':
        return text.trim();
      case 'alphanumeric-edited':
        return decodeAlphanumericEdited(text, bytes, f.pic!);
      default: {
        const trimmed = text.replace(/ +$/, '');
        return f.justifiedRight ? trimmed.replace(/^ +/, '') : trimmed;
      }
    }
  }
  switch (f.kind) {
    case 'float': {
      const n = f.length === 4 ? bytes.readFloatLE(0) : bytes.readDoubleLE(0);
      if (!Number.isFinite(n)) bad('not a finite number');
      return n;
    }
    case 'zoned': {
      if (f.blankWhenZero && /^ *$/.test(bytes.toString('latin1'))) return 0;
      let text = bytes.toString('latin1');
      let negative = false;
      if (f.signed && f.signSeparate) {
        const sign = f.signPosition === 'leading' ? text[0] : text[text.length - 1];
        if (sign !== '+' && sign !== '-') bad('the separate sign is neither + nor -');
        negative = sign === '-';
        text = f.signPosition === 'leading' ? text.slice(1) : text.slice(0, -1);
      } else if (f.signed) {
        const i = f.signPosition === 'leading' ? 0 : text.length - 1;
        const ch = text.charCodeAt(i);
        let digit: number | undefined;
        if (ch >= 0x30 && ch <= 0x39) digit = ch - 0x30;
        else if (ch >= 0x70 && ch <= 0x79) [digit, negative] = [ch - 0x70, true]; // cobc on ASCII
        else if (ch === 0x7b) digit = 0; // '{' and A-I: EBCDIC-style positive
        else if (ch >= 0x41 && ch <= 0x49) digit = ch - 0x40;
        else if (ch === 0x7d) [digit, negative] = [0, true]; // '}' and J-R: EBCDIC-style negative
        else if (ch >= 0x4a && ch <= 0x52) [digit, negative] = [ch - 0x49, true];
        if (digit === undefined) bad('not valid zoned decimal data');
        text = text.slice(0, i) + String(digit) + text.slice(i + 1);
      }
      if (!/^\d+$/.test(text)) bad('not valid zoned decimal data');
      return jsonNumber(f, negative, text);
    }
    case 'binary': {
      let v = 0n;
      for (let i = 0; i < f.length; i++) {
        const byte = f.usage === 'comp-5' ? bytes[f.length - 1 - i]! : bytes[i]!;
        v = (v << 8n) | BigInt(byte);
      }
      if (f.signed && v >= 1n << BigInt(8 * f.length - 1)) v -= 1n << BigInt(8 * f.length);
      const negative = v < 0n;
      return jsonNumber(f, negative, (negative ? -v : v).toString());
    }
    case 'packed': {
      const hex = bytes.toString('hex');
      const digits = hex.slice(0, -1);
      const sign = hex[hex.length - 1]!;
      if (!/^\d*$/.test(digits) || !'abcdef'.includes(sign)) bad('not valid packed decimal data');
      return jsonNumber(f, sign === 'b' || sign === 'd', digits);
    }
    default:
      return bad('unexpected field kind');
  }
}
