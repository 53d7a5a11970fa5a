// How the text of PIC X / A (and edited) fields becomes JSON strings and back.
// A program's `encoding` applies to every text field of its records; a field
// may override it (`fields` in cobolambda.json), `base64` carrying any bytes.
//   utf-8   strict: bytes that are not UTF-8 are an error naming the field;
//           a string that is not well-formed Unicode (a lone surrogate) too.
//   latin1  byte n ↔ U+00nn: every byte decodes, so every record round-trips;
//           a character above U+00FF cannot be written (an error naming the field).
//   base64  the field's bytes exactly, all of them (trailing spaces included);
//           an event must give exactly the field's length.
// Numbers (zoned, COMP, COMP-3, COMP-5, COMP-1/2) are not text: these encodings
// leave them as cobc writes them on this machine (ASCII digits and overpunch).

export type TextEncodingName = 'utf-8' | 'latin1';
export type FieldEncodingName = TextEncodingName | 'base64';

export const TEXT_ENCODINGS: readonly TextEncodingName[] = ['utf-8', 'latin1'];
export const FIELD_ENCODINGS: readonly FieldEncodingName[] = [...TEXT_ENCODINGS, 'base64'];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Field bytes → the JSON string, or a problem (the caller names the field). */
export function decodeText(bytes: Buffer, encoding: FieldEncodingName): { text: string } | { problem: string } {
  switch (encoding) {
    case 'base64':
      return { text: bytes.toString('base64') };
    case 'latin1':
      return { text: bytes.toString('latin1') };
    case 'utf-8':
      try {
        return { text: strictUtf8.decode(bytes) };
      } catch {
        const at = firstInvalidUtf8(bytes);
        return { problem: `bytes ${bytes.toString('hex')} are not UTF-8 (at byte ${at + 1}); set "encoding": "latin1" for the program, or "base64" for this field` };
      }
  }
}

/** JSON string → field bytes (not padded), or a problem. */
export function encodeText(text: string, encoding: FieldEncodingName): Buffer | { problem: string } {
  switch (encoding) {
    case 'base64': {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return { problem: `not base64: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}` };
      return Buffer.from(text, 'base64');
    }
    case 'latin1': {
      const bad = /[^\u0000-\u00ff]/u.exec(text);
      if (bad) return { problem: `${JSON.stringify(bad[0])} (U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) is not a latin1 character` };
      return Buffer.from(text, 'latin1');
    }
    case 'utf-8':
      if (/\p{Surrogate}/u.test(text)) return { problem: 'the string is not well-formed Unicode (a lone surrogate)' };
      return Buffer.from(text, 'utf8');
  }
}

/** Index of the first byte that is not part of a UTF-8 character (for the message). */
function firstInvalidUtf8(bytes: Buffer): number {
  const loose = bytes.toString('utf8');
  return Buffer.byteLength(loose.slice(0, Math.max(0, loose.indexOf('\uFFFD'))));
}
