// PICTURE strings → the kind, storage length and digits of an elementary item.
import type { FieldKind } from './layout.ts';
import { CopybookError } from './source.ts';

export interface Picture {
  kind: FieldKind;
  length: number;
  digits?: number;
  scale?: number;
  signed?: boolean;
}

/** `X(3)/9(2)` → `XXX/99`. */
export function expandPicture(pic: string): string {
  return pic.replace(/(.)\((\d+)\)/g, (_m, ch: string, n: string) => ch.repeat(Number(n)));
}

export function parsePicture(pic: string, where: { file: string; line: number }): Picture {
  const fail = (problem: string): never => {
    throw new CopybookError(where.file, where.line, `PIC ${pic}`, problem);
  };
  if (/\(\s*0*\s*\)/.test(pic)) fail('a repetition count must be at least 1');
  const p = expandPicture(pic.toUpperCase());
  if (p.length === 0) fail('empty picture');
  if (/^[XA9]+$/.test(p) && /[XA]/.test(p)) {
    return { kind: /^A+$/.test(p) ? 'alphabetic' : 'alphanumeric', length: p.length };
  }
  if (/^S?[9VP]+$/.test(p)) {
    const body = p.replace(/^S/, '');
    if ((body.match(/V/g) ?? []).length > 1) fail('more than one V');
    const digits = (body.match(/9/g) ?? []).length;
    if (digits === 0) fail('a numeric picture needs at least one 9');
    const noV = body.replace('V', '');
    if (!/^P*9+P*$/.test(noV) || (/^P/.test(noV) && /P$/.test(noV))) fail('P may only stand at one end of the digits');
    if (digits > 38) fail('more than 38 digits');
    const vAt = body.indexOf('V');
    const decimalPoint = vAt < 0 ? body.length : vAt; // characters before the point
    const afterPoint = body.slice(decimalPoint).replace('V', '');
    const leadingP = noV.match(/^P*/)![0].length;
    const trailingP = noV.match(/P*$/)![0].length;
    let scale: number;
    if (trailingP > 0) scale = -trailingP;
    else if (leadingP > 0) scale = digits + leadingP;
    else scale = afterPoint.length;
    return { kind: 'zoned', length: digits, digits, scale, signed: p.startsWith('S') };
  }
  if (/^S/.test(p) && /[.,Z*+\-$B0\/]|CR$|DB$/.test(p.slice(1))) {
    fail('S cannot be used in an edited picture (cobc: ". cannot follow S"); an edited item shows its sign with +, -, CR or DB (for example -9(3).99), or use S9(3)V99 for a numeric item');
  }
  if (/S/.test(p)) fail('S is allowed only at the start of a numeric picture');
  const editedChars = p.replace(/CR$|DB$/, '');
  if (!/^[9XAZ*,.+\-$B0\/VP]+$/.test(editedChars)) fail('unsupported picture symbols');
  const length = p.replace(/[VP]/g, '').length;
  if (/[XA]/.test(p)) {
    if (!/^[XA9B0\/]+$/.test(p)) fail('an alphanumeric-edited picture takes X, A, 9, B, 0 and / only');
    return { kind: 'alphanumeric-edited', length };
  }
  if (!/[9Z*+\-$]/.test(editedChars)) fail('a numeric-edited picture needs digit positions');
  return { kind: 'numeric-edited', length };
}
