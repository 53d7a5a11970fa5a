// Function URLs in `dev`: `http://<host>:<port>/fn/<name>/<path>?<query>` is
// served the way `https://<url-id>.lambda-url.<region>.on.aws/<path>?<query>`
// is: the browser's request becomes a payload format 2.0 event, the function's
// result becomes the HTTP response. Only the functions deploy gives a URL have
// one here (http-mode programs, or as cdk.json's `functionUrls` says).
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { FunctionPool, TooManyRequestsError } from './function-pool.ts';
import { readBody } from './runtime-api-server.ts';

export const FUNCTION_URL_PREFIX = '/fn/';
/** Function URLs take requests up to 6 MB, as synchronous invocations do. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export function functionUrl(baseUrl: string, name: string): string {
  return `${baseUrl}${FUNCTION_URL_PREFIX}${name}/`;
}

// Function URLs pass text and JSON bodies as they are and base64-encode everything else
// (form posts included).
function isTextBody(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json');
}

function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

export interface FunctionUrlRequest {
  method: string;
  /** The path after `/fn/<name>`, starting with `/`, still percent-encoded. */
  rawPath: string;
  rawQueryString: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  requestId: string;
  host: string;
  now?: Date;
}

/** The payload v2 event a Function URL sends for this request. */
export function functionUrlEvent(r: FunctionUrlRequest): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(r.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = (Array.isArray(value) ? value : [value]).flatMap((c) => c.split(/;\s*/)).filter((c) => c !== '');
      continue;
    }
    if (key === 'connection' || key === 'keep-alive' || key === 'transfer-encoding') continue;
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-for'] = r.sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = /:(\d+)$/.exec(r.host)?.[1] ?? '80';
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const now = r.now ?? new Date();
  const domainName = r.host.replace(/:\d+$/, '');
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.rawPath,
    rawQueryString: r.rawQueryString,
  };
  if (cookies && cookies.length > 0) event.cookies = cookies;
  event.headers = headers;
  if (r.rawQueryString !== '') {
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(r.rawQueryString)) params[k] = params[k] === undefined ? v : `${params[k]},${v}`;
    event.queryStringParameters = params;
  }
  event.requestContext = {
    accountId: 'anonymous',
    apiId: 'cobolambdadev',
    domainName,
    domainPrefix: domainName.split('.')[0],
    http: { method: r.method, path: r.rawPath, protocol: 'HTTP/1.1', sourceIp: r.sourceIp, userAgent: headers['user-agent'] ?? '' },
    requestId: r.requestId,
    routeKey: '$default',
    stage: '$default',
    time: clfTime(now),
    timeEpoch: now.getTime(),
  };
  if (r.body.length > 0) {
    const text = isTextBody(headers['content-type']);
    event.body = text ? r.body.toString('utf8') : r.body.toString('base64');
    event.isBase64Encoded = !text;
  } else {
    event.isBase64Encoded = false;
  }
  return event;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * How a Function URL turns the function's response into HTTP: an object with
 * `statusCode` is a structured response; anything else is a JSON body with 200.
 */
export function functionUrlAnswer(response: Buffer): HttpAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.toString('utf8'));
  } catch {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: response };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('statusCode' in parsed)) {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: response };
  }
  const r = parsed as { statusCode: unknown; headers?: Record<string, unknown>; cookies?: unknown[]; body?: unknown; isBase64Encoded?: boolean };
  const status = Number(r.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return internalError();
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (Array.isArray(r.cookies) && r.cookies.length > 0) headers['set-cookie'] = r.cookies.map(String);
  const text = typeof r.body === 'string' ? r.body : r.body === undefined || r.body === null ? '' : JSON.stringify(r.body);
  const body = r.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  headers['content-type'] ??= 'application/json';
  return { status, headers, body };
}

function internalError(): HttpAnswer {
  return { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Internal Server Error') };
}

function send(res: http.ServerResponse, answer: HttpAnswer, requestId: string): void {
  const headers: http.OutgoingHttpHeaders = { ...answer.headers, 'x-amzn-requestid': requestId, 'content-length': answer.body.length };
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** Serves `/fn/<name>/...`; false when the path is not under the prefix. */
export async function serveFunctionUrl(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  functions: Map<string, FunctionPool>,
  writeLog: (line: string) => void,
): Promise<boolean> {
  const target = req.url ?? '/';
  if (!target.startsWith(FUNCTION_URL_PREFIX)) return false;
  const q = target.indexOf('?');
  const pathPart = q < 0 ? target : target.slice(0, q);
  const rawQueryString = q < 0 ? '' : target.slice(q + 1);
  const rest = pathPart.slice(FUNCTION_URL_PREFIX.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '/' : rest.slice(slash);
  const requestId = randomUUID();
  const pool = functions.get(name);
  if (!pool || !pool.settings.functionUrl) {
    const message = !pool
      ? `no function ${name} in dev`
      : `function ${name} has no Function URL: deploy gives one to http-mode programs, or as cdk.json's functionUrls says (http, all, none)`;
    send(res, { status: 404, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ Message: message })) }, requestId);
    return true;
  }
  const { body, tooLarge } = await readBody(req, MAX_REQUEST_BYTES);
  if (tooLarge) {
    send(res, { status: 413, headers: { 'content-type': 'application/json', connection: 'close' }, body: Buffer.from('{"Message":"Request Entity Too Large"}') }, requestId);
    return true;
  }
  const event = functionUrlEvent({
    method: req.method ?? 'GET',
    rawPath,
    rawQueryString,
    headers: req.headers,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    requestId,
    host: req.headers.host ?? 'localhost',
  });
  let answer: HttpAnswer;
  try {
    const report = await pool.invoke({ requestId, payload: Buffer.from(JSON.stringify(event)), traceId: (event.headers as Record<string, string>)['x-amzn-trace-id'] });
    // An Unhandled function error is a 502 to the client, as a Function URL answers it.
    answer = report.outcome.kind === 'response' ? functionUrlAnswer(report.outcome.body) : internalError();
  } catch (err) {
    if (!(err instanceof TooManyRequestsError)) throw err;
    answer = { status: 429, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"Message":"Rate Exceeded."}') };
  }
  writeLog(`${name} ${req.method} ${FUNCTION_URL_PREFIX}${name}${rawPath}${rawQueryString ? `?${rawQueryString}` : ''} -> ${answer.status}`);
  send(res, answer, requestId);
  return true;
}
