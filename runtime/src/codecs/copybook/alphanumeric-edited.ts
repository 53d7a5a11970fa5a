// Alphanumeric-edited items (X, A, 9 with the insertion characters B, 0 and /) against
// their picture. A response gives the item's bytes as the program holds them, trailing
// spaces trimmed ("26/11/30"); an event gives either that edited form or the unedited
// characters, which are edited as a COBOL MOVE to the item edits them ("261130" →
// "26/11/30"). Nothing is cut off or shifted silently: a value that is neither is refused.
// Works on the field's bytes as a latin1 string (one character per byte), so positions
// are byte positions whatever the text encoding.

import { expandPicture } from './picture.ts';

const INSERTED: Readonly<Record<string, string>> = { B: ' ', '0': '0', '/': '/' };

const masks = new Map<string, string>();

/** One symbol per byte of the item: X, A, 9, B, 0 or /. */
function maskOf(pic: string): string {
  let mask = masks.get(pic);
  if (mask === undefined) {
    mask = expandPicture(pic.toUpperCase());
    masks.set(pic, mask);
  }
  return mask;
}

const isInsertion = (symbol: string): boolean => symbol in INSERTED;

const listed = (items: string[]): string => (items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** `"0" at position 3 and "/" at positions 6 and 9` for the message (positions count from 1). */
function insertionsAt(mask: string, positions: number[]): string {
  const byChar = new Map<string, number[]>();
  for (const p of positions) byChar.set(INSERTED[mask[p]!]!, [...(byChar.get(INSERTED[mask[p]!]!) ?? []), p + 1]);
  return listed([...byChar].map(([ch, at]) => `${JSON.stringify(ch)} at position${at.length > 1 ? 's' : ''} ${listed(at.map(String))}`));
}

/**
 * The item's bytes for `value` (`bytes`: its text already in the field's encoding, as a
 * latin1 string), or the problem. `truncate` (the truncateStrings option) lets unedited
 * characters beyond the item's character positions go, as MOVE drops them.
 */
export function editAlphanumeric(value: string, bytes: string, pic: string, truncate = false): { image: string } | { problem: string } {
  const mask = maskOf(pic);
  const length = mask.length;
  // Blank: what a group MOVE SPACES or an absent value leaves, and what such an item decodes to.
  if (/^ *$/.test(bytes) && bytes.length <= length) return { image: ' '.repeat(length) };

  const insertions = [...mask].flatMap((s, i) => (isInsertion(s) ? [i] : []));
  const dataPositions = length - insertions.length;
  const reached = insertions.filter((i) => i < bytes.length);
  const shownValue = JSON.stringify(value);
  const expectation = () => `its edited form (${length} characters, ${insertionsAt(mask, insertions)}) or at most ${dataPositions} characters to edit into it`;

  let image: string;
  if (bytes.length <= length && reached.length > 0 && reached.every((i) => bytes[i] === INSERTED[mask[i]!])) {
    // The insertion characters stand where the picture puts them: the edited form, which must be whole.
    const missing = insertions.filter((i) => i >= bytes.length && INSERTED[mask[i]!] !== ' ');
    if (missing.length > 0) {
      return { problem: `${shownValue} is not PIC ${pic}: read as its edited form it lacks ${insertionsAt(mask, missing)}; give ${expectation()}` };
    }
    image = bytes.padEnd(length, ' ');
  } else {
    let data = bytes;
    if (data.length > dataPositions) {
      if (!truncate) return { problem: `${shownValue} does not fit PIC ${pic}: give ${expectation()}` };
      data = data.slice(0, dataPositions);
    }
    let next = 0;
    image = [...mask].map((s) => (isInsertion(s) ? INSERTED[s]! : (data[next++] ?? ' '))).join('');
  }

  // cobc's MOVE does not check A and 9 positions, but the picture is the program's contract
  // (IS ALPHABETIC / IS NUMERIC tests, PIC A items are checked too): refuse what it excludes.
  for (let i = 0; i < length; i++) {
    const s = mask[i]!;
    const ch = image[i]!;
    if (s === 'A' && !/[A-Za-z ]/.test(ch)) return { problem: `PIC ${pic} takes letters and spaces at its A positions, got ${JSON.stringify(ch)} at position ${i + 1} of ${JSON.stringify(image)}` };
    if (s === '9' && !/[0-9 ]/.test(ch)) return { problem: `PIC ${pic} takes digits and spaces at its 9 positions, got ${JSON.stringify(ch)} at position ${i + 1} of ${JSON.stringify(image)}` };
  }
  return { image };
}

/**
 * The response's text for the item's `bytes` (`text`: them decoded): trailing spaces trimmed
 * when the trimmed text encodes back to these bytes, as for every image a MOVE to the item
 * writes; otherwise (a group MOVE left "A" where "/" belongs) all of it, which an event
 * then cannot give back silently changed ("A" would become "A /  /  ").
 */
export function decodeAlphanumericEdited(text: string, bytes: Buffer, pic: string): string {
  const trimmed = text.replace(/ +$/, '');
  const kept = bytes.subarray(0, bytes.length - (text.length - trimmed.length)).toString('latin1');
  const edited = editAlphanumeric(trimmed, kept, pic);
  return 'image' in edited && edited.image === bytes.toString('latin1') ? trimmed : text;
}
