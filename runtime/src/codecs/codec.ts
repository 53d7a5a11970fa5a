// A codec turns an event into the program's stdin and its stdout into the
// response. Codecs are pure: bytes in, bytes out, no processes.
import type { Diagnostic } from '../diagnostic.ts';
import type { InvocationContext } from '../context.ts';

export interface ProgramOutput {
  stdout: Buffer;
  exitCode: number;
  /** Set (only for codecs with `handlesFailure`) when the program failed: non-zero exit, signal, timeout, ... */
  failure?: Diagnostic;
}

export interface Codec {
  /** Event bytes → stdin bytes, or a diagnostic when the event does not fit the program. */
  encodeInput(event: Buffer): Buffer | Diagnostic;
  /**
   * The program's output → response bytes, or a diagnostic. `event` is the invocation's event, for
   * codecs whose response depends on the request (http mode answers in the request's payload format).
   */
  decodeOutput(output: ProgramOutput, event?: Buffer): Buffer | Diagnostic;
  /** Extra environment variables for the program, taken from the event (http mode: the CGI variables). */
  programEnv?(event: Buffer): Record<string, string>;
  /**
   * Whether a failure still yields a response (http mode answers 502 itself): every failure
   * (non-zero exit, signal, timeout, a diagnostic from decodeOutput) is logged and passed to
   * decodeOutput as `failure`.
   */
  readonly handlesFailure?: boolean;
  /**
   * Modes whose program works on files (batch): prepares them before the run; the session then
   * turns the program's exit into the response and is disposed of whatever happened.
   */
  openSession?(event: Buffer, context: InvocationContext): Promise<FileSession | Diagnostic>;
}

export interface FileSession {
  /** Variables that tell the program where its files are (DD_<name>). */
  env: Record<string, string>;
  /** The program exited (any status): collect its outputs and answer, or fail. */
  finish(exit: { code: number; stdout: Buffer; stderrTail: string[] }): Promise<Buffer | Diagnostic>;
  /** Removes everything the session made. */
  dispose(): Promise<void>;
}

export function isDiagnostic(value: Buffer | Diagnostic): value is Diagnostic {
  return !Buffer.isBuffer(value);
}
