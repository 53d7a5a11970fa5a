// The data path of one invocation, in one direction:
// event → input codec → program → output codec → response (or a diagnostic).
// The output codec is handed the event too: http mode answers in the request's payload format.
import type { InvocationContext } from './context.ts';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import { isDiagnostic, type Codec, type FileSession } from './codecs/codec.ts';
import { runProgram, type RunOutcome } from './program-runner.ts';
import { StderrLog } from './stderr-log.ts';

export interface ProgramInvokerOptions {
  programName: string;
  programFile: string;
  codec: Codec;
  /** The function's environment, which the program inherits. */
  baseEnv: Record<string, string>;
  /** The program is killed this long before the deadline so the error can still be posted. */
  deadlineMarginMs: number;
  maxResponseBytes: number;
  stderrLimitBytes: number;
  jsonLogs: boolean;
  writeLog: (line: string) => void;
}

export type InvocationResult = { ok: true; response: Buffer } | { ok: false; error: Diagnostic };

const isDiagnosticValue = (v: FileSession | Diagnostic): v is Diagnostic => 'errorType' in v;

const SIGNAL_NUMBERS: Record<string, number> = { SIGSEGV: 11, SIGKILL: 9, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGTERM: 15 };

/** The variables the runtime sets per invocation: never part of the environment invocations share. */
const INVOCATION_VARIABLES = [
  'AWS_REQUEST_ID',
  'LAMBDA_DEADLINE_MS',
  '_X_AMZN_TRACE_ID',
  'AWS_LAMBDA_INVOKED_FUNCTION_ARN',
  'AWS_LAMBDA_CLIENT_CONTEXT',
  'AWS_LAMBDA_COGNITO_IDENTITY',
];

/**
 * The environment every invocation of the program shares: the function's, less
 * what the runtime sets per invocation. A fork server is started with it, and
 * forks an invocation only while it is unchanged.
 */
export function sharedProgramEnv(baseEnv: Record<string, string>): Record<string, string> {
  const env = { ...baseEnv };
  for (const name of INVOCATION_VARIABLES) delete env[name];
  return env;
}

export class ProgramInvoker {
  private readonly sharedEnv: Record<string, string>;

  constructor(private readonly options: ProgramInvokerOptions) {
    this.sharedEnv = sharedProgramEnv(options.baseEnv);
  }

  async invoke(event: Buffer, context: InvocationContext): Promise<InvocationResult> {
    const { codec } = this.options;
    const stdin = codec.encodeInput(event);
    if (isDiagnostic(stdin)) return { ok: false, error: stdin };
    if (!codec.openSession) return this.run(event, context, stdin);
    const session = await codec.openSession(event, context);
    if (isDiagnosticValue(session)) return { ok: false, error: session };
    try {
      return await this.run(event, context, stdin, session);
    } finally {
      await session.dispose();
    }
  }

  private async run(event: Buffer, context: InvocationContext, stdin: Buffer, session?: FileSession): Promise<InvocationResult> {
    const { codec, programName } = this.options;
    const stderr = new StderrLog({
      requestId: context.requestId,
      json: this.options.jsonLogs,
      limitBytes: this.options.stderrLimitBytes,
      tailLines: 20,
      write: this.options.writeLog,
    });
    const outcome = await runProgram({
      file: this.options.programFile,
      stdin,
      env: this.sharedEnv,
      invocationEnv: { ...invocationEnv(context), ...codec.programEnv?.(event), ...session?.env },
      killAtMs: context.deadlineMs - this.options.deadlineMarginMs,
      maxStdoutBytes: this.options.maxResponseBytes,
      stderr,
    });
    const tail = stderr.lastLines();

    // A plain exit goes to the session, which judges the status (a batch step's RETURN-CODE up to its
    // maximum is success); a signal libcob caught stays a failure.
    if (session && outcome.kind === 'exited' && describeFailure(programName, outcome, tail).errorType === 'Function.ProgramExitError') {
      const response = await session.finish({ code: outcome.code, stdout: outcome.stdout, stderrTail: tail });
      return isDiagnostic(response) ? { ok: false, error: response } : { ok: true, response };
    }
    let error: Diagnostic;
    if (outcome.kind === 'exited' && outcome.code === 0) {
      const response = codec.decodeOutput({ stdout: outcome.stdout, exitCode: outcome.code }, event);
      if (isDiagnostic(response)) error = response;
      else if (response.length <= this.options.maxResponseBytes) return { ok: true, response };
      // The cap on stdout stops a runaway program early; encoding (JSON escapes, base64) can still grow it past Lambda's limit.
      else error = tooLarge(programName, outcome.stdout.length, response.length, this.options.maxResponseBytes);
    } else {
      error = describeFailure(programName, outcome, tail);
    }
    if (!codec.handlesFailure) return { ok: false, error };
    // The codec answers failures itself (http: 502); the details go to the log.
    this.logLine(context, `${error.errorType}: ${error.errorMessage}`);
    const exitCode = outcome.kind === 'exited' ? outcome.code : -1;
    const response = codec.decodeOutput({ stdout: Buffer.alloc(0), exitCode, failure: error }, event);
    return isDiagnostic(response) ? { ok: false, error: response } : { ok: true, response };
  }

  private logLine(context: InvocationContext, message: string): void {
    const { jsonLogs, writeLog } = this.options;
    writeLog(
      jsonLogs
        ? JSON.stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId: context.requestId, message })
        : `${new Date().toISOString()}\t${context.requestId}\t${message}`,
    );
  }
}

function invocationEnv(context: InvocationContext): Record<string, string> {
  const env: Record<string, string> = { AWS_REQUEST_ID: context.requestId, LAMBDA_DEADLINE_MS: String(context.deadlineMs) };
  if (context.traceId) env._X_AMZN_TRACE_ID = context.traceId;
  if (context.invokedFunctionArn) env.AWS_LAMBDA_INVOKED_FUNCTION_ARN = context.invokedFunctionArn;
  if (context.clientContext) env.AWS_LAMBDA_CLIENT_CONTEXT = context.clientContext;
  if (context.cognitoIdentity) env.AWS_LAMBDA_COGNITO_IDENTITY = context.cognitoIdentity;
  return env;
}

function tooLarge(program: string, stdoutBytes: number, responseBytes: number, limit: number): Diagnostic {
  return diagnostic(
    'Function.ResponseSizeTooLarge',
    `program ${program} wrote ${stdoutBytes} bytes to stdout, which encode as a ${responseBytes}-byte response, over Lambda's ${limit}-byte response limit`,
  );
}

// libcob reports runtime errors as "libcob: file:line: error: ..." on stderr.
function libcobMessage(tail: string[]): string | undefined {
  return [...tail].reverse().find((line) => line.includes('libcob:') || line.includes('error while loading shared libraries'));
}

export function describeFailure(program: string, outcome: Exclude<RunOutcome, never>, tail: string[]): Diagnostic {
  switch (outcome.kind) {
    case 'exited': {
      const loader = tail.find((line) => line.includes('error while loading shared libraries'));
      if (outcome.code === 127 && loader) {
        return diagnostic('Runtime.ProgramStartError', `program ${program} could not start: ${loader}`, tail);
      }
      // libcob catches SIGSEGV and friends, reports them, then exits with the signal's number.
      const caught = tail.find((line) => /\(signal SIG[A-Z]+\)/.test(line));
      if (caught) {
        const signal = /\(signal (SIG[A-Z]+)\)/.exec(caught)![1]!;
        return diagnostic('Function.ProgramSignaled', `program ${program} was killed by signal ${signal}: ${caught.trim()}`, tail);
      }
      const detail = libcobMessage(tail);
      return diagnostic(
        'Function.ProgramExitError',
        `program ${program} exited with status ${outcome.code}${detail ? `: ${detail}` : ''}`,
        tail,
      );
    }
    case 'signaled': {
      const number = SIGNAL_NUMBERS[outcome.signal];
      return diagnostic(
        'Function.ProgramSignaled',
        `program ${program} was killed by signal ${outcome.signal}${number ? ` (${number})` : ''}`,
        tail,
      );
    }
    case 'timed-out':
      return diagnostic(
        'Function.ProgramTimeout',
        `program ${program} was stopped after ${(outcome.ranMs / 1000).toFixed(2)} seconds, before the invocation's deadline; it and every process it started were killed`,
        tail,
      );
    case 'output-too-large':
      return diagnostic(
        'Function.ResponseSizeTooLarge',
        `program ${program} wrote more than ${outcome.limit} bytes to stdout, Lambda's response limit; it was stopped`,
        tail,
      );
    case 'did-not-start':
      return diagnostic('Runtime.ProgramStartError', `program ${program} could not start: ${outcome.message}`, tail);
    case 'interrupted':
      return diagnostic(
        'Runtime.ProgramInterrupted',
        `program ${program} was interrupted: its ${outcome.message} while it ran; it and every process it started were killed`,
        tail,
      );
  }
}
