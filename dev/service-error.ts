// Errors of the Lambda API in the shape the service sends them: the
// `x-amzn-ErrorType` header names the exception, and the body holds the members
// the service model gives that exception. The model is not uniform (some
// exceptions spell it `Message`, others `message`) and the SDK's typed
// exceptions read exactly the model's member, so each is listed here, as
// @aws-sdk/client-lambda's model has it (test/dev-api.test.ts checks the list
// against the model shipped in node_modules).
import type http from 'node:http';
import { randomUUID } from 'node:crypto';

export const MESSAGE_MEMBER = {
  ResourceNotFoundException: 'Message',
  ServiceException: 'Message',
  TooManyRequestsException: 'message',
  RequestTooLargeException: 'message',
  InvalidRequestContentException: 'message',
  InvalidParameterValueException: 'message',
  // Not a Lambda exception (Lambda has no catch-all): dev's answer to a route it does not serve.
  UnknownOperationException: 'message',
} as const;

export type ErrorType = keyof typeof MESSAGE_MEMBER;

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    /** Further members of the exception (`Reason`, ...). */
    readonly members: Record<string, string> = {},
    readonly headers: http.OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

/** The throttling answer: Lambda's `Reason` and the `Retry-After` header its model binds to `retryAfterSeconds`. */
export function tooManyRequests(reason: string, retryAfterSeconds = 1): ServiceError {
  return new ServiceError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: reason }, { 'retry-after': String(retryAfterSeconds) });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: ServiceError): void {
  if (res.headersSent) return void res.destroy();
  const type = err.status >= 500 ? 'Service' : 'User';
  sendJson(res, err.status, { Type: type, [MESSAGE_MEMBER[err.type]]: err.message, ...err.members }, {
    'x-amzn-errortype': err.type,
    'x-amzn-requestid': randomUUID(),
    // The request body may not have been read: close rather than reuse the connection.
    connection: 'close',
    ...err.headers,
  });
}
