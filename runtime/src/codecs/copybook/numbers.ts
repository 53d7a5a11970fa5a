// The one rule for numbers crossing the bridge, input and output alike:
//   - a field of at most 15 digits is a JSON number in responses (every such
//     decimal survives a double); a longer one is a canonical decimal string
//     ("-12345678901234567.89": no leading zeros, no trailing fraction zeros);
//   - an event may give any numeric field as a JSON number or a decimal string,
//     and a JSON number is taken from its text, never through a double, so
//     12345678901234567.89 arrives as written.
// `parseEventJson` is the parse that keeps that promise; it costs a regular
// JSON.parse unless the text holds a number of more than 15 digits.
import { LosslessNumber, isLosslessNumber, parse as parseLossless } from 'lossless-json';
import type { LayoutField } from './layout.ts';

/** Digits a JSON number may have in a response; fields with more answer decimal strings. */
export const MAX_EXACT_DIGITS = 15;

/** A JSON number of the event kept as its source text (more than MAX_EXACT_DIGITS digits). */
export type ExactNumber = LosslessNumber;
export const isExactNumber = isLosslessNumber;

// Any JSON number with more than MAX_EXACT_DIGITS digits has a run of that many digits and at most one '.';
// an exponent follows a digit. Either may lose digits in a double (1e-400 is 0): read those from the text.
const LONG_NUMBER = new RegExp(`\\d[\\d.]{${MAX_EXACT_DIGITS}}|\\d[eE]`);

/**
 * JSON text → value, numbers of more than 15 digits or with an exponent as ExactNumber (their text). Duplicate keys
 * keep the last value, as JSON.parse does. Throws SyntaxError as JSON.parse does.
 */
export function parseEventJson(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  return parseLossless(text, null, {
    parseNumber: (s) => (LONG_NUMBER.test(s) ? new LosslessNumber(s) : Number(s)),
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

export interface Decimal {
  negative: boolean;
  /** The value × 10^scale as a digit string without leading zeros ('' for zero). */
  stored: string;
}

/** Plain decimal text of a number written with an exponent (`1.5e-3` → `0.0015`), exactly. */
function withoutExponent(text: string): string | undefined {
  const m = text.match(/^([+-]?)(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/);
  if (!m) return text;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  if (Math.abs(exp) > 400) return undefined; // beyond any picture (and any double)
  const digits = int! + frac;
  const point = int!.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Shortest decimal text of a double, without exponent. */
export function numberToDecimal(n: number): string {
  return withoutExponent(String(n)) ?? String(n);
}

export const describeValue = (v: unknown): string =>
  v === null
    ? 'null'
    : isExactNumber(v)
      ? `number ${v.value}`
      : Array.isArray(v)
        ? 'an array'
        : typeof v === 'object'
          ? 'an object'
          : `${typeof v} ${JSON.stringify(v)}`;

/** The decimal text of a JSON number or decimal string, or why it is not one. */
export function decimalTextOf(value: unknown): { text: string } | { problem: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { problem: 'not a finite number' };
    return { text: numberToDecimal(value) };
  }
  if (isExactNumber(value)) {
    const text = withoutExponent(value.value);
    return text === undefined ? { problem: `${value.value} is out of range` } : { text };
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return { problem: `not a number: ${JSON.stringify(value)}` };
    return { text };
  }
  return { problem: `expected a number (or a decimal string), got ${describeValue(value)}` };
}

/** A JSON value as a number for counts and floats (a double: may round). NaN when it is not numeric. */
export function approximateNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (isExactNumber(value)) return Number(value.value);
  if (typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return NaN;
}

/** A JSON number or decimal string → the digits a numeric field stores, or the problem (for the field's path). */
export function toDecimal(value: unknown, field: LayoutField): Decimal | string {
  const parsed = decimalTextOf(value);
  if ('problem' in parsed) return parsed.problem;
  const { text } = parsed;
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [intRaw = '', fracRaw = ''] = unsigned.split('.');
  const int = intRaw.replace(/^0+/, '');
  const frac = fracRaw.replace(/0+$/, '');
  const zero = int === '' && frac === '';
  const pic = `PIC ${field.pic}`;
  if (negative && !zero && !field.signed) return `${text} is negative but ${pic} has no sign (S)`;
  const scale = field.scale ?? 0;
  const digits = field.digits ?? 0;
  if (frac.length > Math.max(scale, 0)) {
    return scale <= 0
      ? `${text} has decimals but ${pic} holds whole numbers only`
      : `${text} has too many decimals: ${frac.length}, ${pic} allows ${scale}`;
  }
  let stored: string;
  if (scale >= 0) {
    stored = (int + frac.padEnd(scale, '0')).replace(/^0+/, '');
  } else {
    const dropped = int.slice(int.length + scale);
    if (int !== '' && !/^0*$/.test(dropped)) return `${text} is not a multiple of ${10 ** -scale} as ${pic} requires`;
    stored = int.slice(0, Math.max(0, int.length + scale));
  }
  if (stored.length > digits) {
    const before = digits - scale;
    return before > 0
      ? `${text} has too many digits: ${pic} allows ${before} before the decimal point`
      : `${text} is too large for ${pic}`;
  }
  return { negative: negative && !zero, stored };
}

function decimalText(negative: boolean, stored: string, scale: number): string {
  let digits = stored.replace(/^0+/, '');
  if (digits === '') return '0';
  let text: string;
  if (scale <= 0) {
    text = digits + '0'.repeat(-scale);
  } else {
    digits = digits.padStart(scale + 1, '0');
    const int = digits.slice(0, digits.length - scale);
    const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    text = frac ? `${int}.${frac}` : int;
  }
  return negative ? `-${text}` : text;
}

/** Stored digits → the response's value: a JSON number up to MAX_EXACT_DIGITS digits, else a decimal string. */
export function jsonNumber(field: LayoutField, negative: boolean, stored: string): number | string {
  const text = decimalText(negative, stored, field.scale ?? 0);
  const significant = stored.replace(/^0+/, '').length;
  if ((field.digits ?? 0) <= MAX_EXACT_DIGITS && significant <= MAX_EXACT_DIGITS) return Number(text);
  return text;
}
