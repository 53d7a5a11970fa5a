// Numeric-edited text against its picture. Responses give the edited text
// trimmed (" 1,234.50CR" → "1,234.50CR"); an event's text must be one cobc could
// have written for the picture, and goes back at the position cobc writes it,
// so encoding a decoded record gives its bytes back.

/** One character class per character position of the picture. */
function positions(pic: string): { classes: string[]; symbols: string } {
  const p = pic.toUpperCase().replace(/(.)\((\d+)\)/g, (_m, ch: string, n: string) => ch.repeat(Number(n)));
  const out: string[] = [];
  let symbols = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    const pair = p.slice(i, i + 2);
    if (pair === 'CR' || pair === 'DB') {
      // Shown when negative, spaces otherwise.
      out.push(`[${pair[0]} ]`, `[${pair[1]} ]`);
      symbols += '  ';
      i++;
      continue;
    }
    if (ch !== 'V' && ch !== 'P') symbols += ch;
    switch (ch) {
      case 'V':
      case 'P':
        break;
      case '9':
        out.push('[0-9]');
        break;
      case 'Z':
        out.push('[0-9 ]');
        break;
      case '*':
        out.push('[0-9*]');
        break;
      case ',':
        out.push('[, *$+-]'); // a suppressed comma is a space, an asterisk, or part of a floating string
        break;
      case '.':
        out.push('[. *]'); // all-suppressed pictures blank the point too
        break;
      case 'B':
        out.push('[ ]');
        break;
      case '0':
        out.push('[0 ]');
        break;
      case '/':
        out.push('[/ ]');
        break;
      case '+':
        out.push('[-+ 0-9]');
        break;
      case '-':
        out.push('[- 0-9]');
        break;
      case '$':
        out.push('[$ 0-9]');
        break;
      default:
        out.push(`[${ch.replace(/[\]\\^-]/g, '\\$&')}]`);
    }
  }
  return { classes: out, symbols };
}

/**
 * The digit positions, read left to right (suppression characters, a floating sign or
 * currency symbol, digits), must read as COBOL edits: fill, at most one floating symbol,
 * then digits; a sign or currency symbol that is not floating stands apart.
 */
function digitsInOrder(candidate: string, symbols: string): boolean {
  const floating = new Set([...'+-$'].filter((c) => symbols.split(c).length > 2));
  let digits = '';
  for (let i = 0; i < symbols.length; i++) {
    const sym = symbols[i]!;
    if ('Z*9'.includes(sym) || floating.has(sym)) digits += candidate[i];
  }
  return /^[ *]*[-+$]?[0-9]*$/.test(digits);
}

const patterns = new Map<string, { pattern: RegExp; symbols: string }>();

/**
 * The field's bytes for an edited text: placed where it fits the picture (right-most
 * first, as edited numbers are aligned), padded with spaces; or undefined when the text
 * fits no position of the picture.
 */
export function placeEdited(text: string, pic: string, length: number): string | undefined {
  if (text === '') return ' '.repeat(length);
  let compiled = patterns.get(pic);
  if (!compiled) {
    const { classes, symbols } = positions(pic);
    compiled = { pattern: new RegExp(classes.length === length ? `^${classes.join('')}$` : '^(?!)'), symbols };
    patterns.set(pic, compiled);
  }
  const { pattern, symbols } = compiled;
  if (text.length > length || !/[0-9*]/.test(text)) return undefined;
  for (let pad = length - text.length; pad >= 0; pad--) {
    const candidate = ' '.repeat(pad) + text + ' '.repeat(length - text.length - pad);
    if (pattern.test(candidate) && digitsInOrder(candidate, symbols)) return candidate;
  }
  return undefined;
}
