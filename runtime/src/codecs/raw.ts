import type { Codec } from './codec.ts';

const NEWLINE = 0x0a;

/** The event bytes exactly, plus the final newline GnuCOBOL's ACCEPT needs to see the last line. */
export const rawCodec: Codec = {
  encodeInput(event) {
    if (event.length === 0 || event[event.length - 1] === NEWLINE) return event;
    return Buffer.concat([event, Buffer.from('\n')]);
  },
  decodeOutput({ stdout }) {
    return stdout;
  },
};
