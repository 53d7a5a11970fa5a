// Headers of `GET /runtime/invocation/next` → the invocation's context.
/** Lower-case header names, as the Runtime API connection hands them over (node:http's shape too). */
type HeaderMap = Record<string, string | string[] | undefined>;

export interface InvocationContext {
  requestId: string;
  /** Epoch milliseconds by which the response must be posted. */
  deadlineMs: number;
  invokedFunctionArn?: string;
  traceId?: string;
  /** JSON text, as sent by the caller of Invoke (`X-Amz-Client-Context`, decoded). */
  clientContext?: string;
  /** JSON text of the Cognito identity, when there is one. */
  cognitoIdentity?: string;
}

export class InvalidInvocationError extends Error {
  override name = 'InvalidInvocationError';
}

function header(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

/** Node reads header bytes as Latin-1; Lambda sends these JSON headers as UTF-8. */
function utf8Header(headers: HeaderMap, name: string): string | undefined {
  const text = header(headers, name);
  return text === undefined ? undefined : Buffer.from(text, 'latin1').toString('utf8');
}

export function contextFromHeaders(headers: HeaderMap): InvocationContext {
  const requestId = header(headers, 'lambda-runtime-aws-request-id');
  if (!requestId) throw new InvalidInvocationError('next invocation has no Lambda-Runtime-Aws-Request-Id header');
  const deadline = Number(header(headers, 'lambda-runtime-deadline-ms'));
  return {
    requestId,
    // A missing deadline means "no limit from the API"; the program still runs once.
    deadlineMs: Number.isFinite(deadline) && deadline > 0 ? deadline : Number.MAX_SAFE_INTEGER,
    invokedFunctionArn: header(headers, 'lambda-runtime-invoked-function-arn'),
    traceId: header(headers, 'lambda-runtime-trace-id'),
    clientContext: utf8Header(headers, 'lambda-runtime-client-context'),
    cognitoIdentity: utf8Header(headers, 'lambda-runtime-cognito-identity'),
  };
}
