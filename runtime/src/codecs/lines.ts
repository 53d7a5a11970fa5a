// `lines` mode: a JSON string (one line, or several separated by \n) or an
// array of strings becomes lines on stdin, each ended by \n; the program's
// stdout lines become a JSON array of strings. Trailing spaces of each output
// line are dropped (DISPLAY of a fixed-width item pads with spaces, and
// LINE SEQUENTIAL files drop them too), as are \r line ends.
import type { Codec } from './codec.ts';
import { diagnostic } from '../diagnostic.ts';

export const linesCodec: Codec = {
  encodeInput(event) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.toString('utf8'));
    } catch (err) {
      return diagnostic('Function.InvalidEvent', `lines mode: the event is not JSON (${(err as Error).message})`);
    }
    let lines: string[];
    if (typeof parsed === 'string') {
      lines = [parsed];
    } else if (Array.isArray(parsed)) {
      const bad = parsed.findIndex((line) => typeof line !== 'string');
      if (bad >= 0) {
        return diagnostic('Function.InvalidEvent', `lines mode: element [${bad}] of the event is ${JSON.stringify(parsed[bad])}, not a string`);
      }
      lines = parsed as string[];
    } else {
      return diagnostic('Function.InvalidEvent', 'lines mode: the event must be a JSON string or an array of strings');
    }
    return Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
  },
  decodeOutput({ stdout }) {
    const text = stdout.toString('utf8');
    if (text === '') return Buffer.from('[]');
    const lines = text.replace(/\n$/, '').split('\n').map((line) => line.replace(/\r$/, '').replace(/ +$/, ''));
    return Buffer.from(JSON.stringify(lines));
  },
};
