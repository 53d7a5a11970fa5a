// A codec turns an event into the program's stdin and its stdout into the
// response. Codecs are pure: bytes in, bytes out, no processes.
import type { Diagnostic } from '../diagnostic.ts';

export interface ProgramOutput {
  stdout: Buffer;
  exitCode: number;
}

export interface Codec {
  /** Event bytes → stdin bytes, or a diagnostic when the event does not fit the program. */
  encodeInput(event: Buffer): Buffer | Diagnostic;
  /** The program's output → response bytes, or a diagnostic. */
  decodeOutput(output: ProgramOutput): Buffer | Diagnostic;
  /** Whether a non-zero exit still yields a response (http mode answers 502 itself). */
  readonly handlesFailure?: boolean;
}

export function isDiagnostic(value: Buffer | Diagnostic): value is Diagnostic {
  return !Buffer.isBuffer(value);
}
