// Failures are values, posted as Lambda's error body. The error type doubles as
// the `Lambda-Runtime-Function-Error-Type` header, so it must match Lambda's pattern.
export interface Diagnostic {
  errorType: string;
  errorMessage: string;
  stackTrace: string[];
  /** Structured facts beside the message (batch mode: the outputs a failed step still wrote). */
  details?: unknown;
}

const ERROR_TYPE = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

export function diagnostic(errorType: string, errorMessage: string, stackTrace: string[] = []): Diagnostic {
  if (!ERROR_TYPE.test(errorType)) throw new Error(`invalid Lambda error type: ${errorType}`);
  return { errorType, errorMessage, stackTrace };
}

export function isValidErrorType(errorType: string): boolean {
  return ERROR_TYPE.test(errorType);
}
