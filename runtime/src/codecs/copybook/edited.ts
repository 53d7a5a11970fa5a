// Numeric-edited text against its picture. Responses give the edited text
// trimmed (" 1,234.50CR" → "1,234.50CR"); an event's text must be one cobc could
// have written for the picture, and goes back at the position cobc writes it,
// so encoding a decoded record gives its bytes back.

/** One character class per character position of the picture. */
function positions(pic: string): string[] {
  const p = pic.toUpperCase().replace(/(.)\((\d+)\)/g, (_m, ch: string, n: string) => ch.repeat(Number(n)));
  const out: string[] = [];
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    const pair = p.slice(i, i + 2);
    if (pair === 'CR' || pair === 'DB') {
      // Shown when negative, spaces otherwise.
      out.push(`[${pair[0]} ]`, `[${pair[1]} ]`);
      i++;
      continue;
    }
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
  return out;
}

const patterns = new Map<string, RegExp>();

/**
 * The field's bytes for an edited text: placed where it fits the picture (right-most
 * first, as edited numbers are aligned), padded with spaces; or undefined when the text
 * fits no position of the picture.
 */
export function placeEdited(text: string, pic: string, length: number): string | undefined {
  if (text === '') return ' '.repeat(length);
  let pattern = patterns.get(pic);
  if (!pattern) {
    const classes = positions(pic);
    pattern = new RegExp(classes.length === length ? `^${classes.join('')}$` : '^(?!)');
    patterns.set(pic, pattern);
  }
  if (text.length > length || !/[0-9*]/.test(text)) return undefined;
  for (let pad = length - text.length; pad >= 0; pad--) {
    const candidate = ' '.repeat(pad) + text + ' '.repeat(length - text.length - pad);
    if (pattern.test(candidate)) return candidate;
  }
  return undefined;
}
