// `http` mode: Lambda Function URLs and API Gateway HTTP APIs (payload format
// 2.0) spoken as CGI (RFC 3875), so a classic COBOL CGI program runs unchanged.
//
// In:  the request body (base64-decoded when `isBase64Encoded`) on stdin, and the
//      CGI meta-variables (REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_TYPE,
//      CONTENT_LENGTH, HTTP_*, ...) in the program's environment.
// Out: the program's CGI response: header lines (`Status: 404 Not Found`,
//      `Content-Type: text/html`, `Location: ...`, any other header), a blank
//      line (`\n` or `\r\n`), the body → `{statusCode, headers, cookies, body,
//      isBase64Encoded}`. Any failure of the program → 502, details in the log.
import type { Codec, ProgramOutput } from './codec.ts';
import { diagnostic, type Diagnostic } from '../diagnostic.ts';

/** The parts of a payload v2 event the codec reads. */
export interface HttpEventV2 {
  version?: string;
  rawPath?: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: {
    domainName?: string;
    stage?: string;
    http?: { method?: string; path?: string; protocol?: string; sourceIp?: string; userAgent?: string };
  };
}

/** A payload v2 response, as Function URLs and HTTP APIs read it. */
export interface HttpResponseV2 {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

interface ParsedRequest {
  event: HttpEventV2;
  body: Buffer;
}

// The runtime calls encodeInput and programEnv with the same event Buffer: parse it once.
const parsed = new WeakMap<Buffer, ParsedRequest | Diagnostic>();

function parseEvent(raw: Buffer): ParsedRequest | Diagnostic {
  const cached = parsed.get(raw);
  if (cached) return cached;
  const result = parseEventUncached(raw);
  parsed.set(raw, result);
  return result;
}

function parseEventUncached(raw: Buffer): ParsedRequest | Diagnostic {
  let event: unknown;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return diagnostic('Function.InvalidEvent', `http mode: the event is not JSON (${(err as Error).message})`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return diagnostic('Function.InvalidEvent', 'http mode: the event must be a payload format 2.0 object (Function URL or HTTP API)');
  }
  const e = event as HttpEventV2;
  if (typeof e.requestContext?.http?.method !== 'string') {
    return diagnostic(
      'Function.InvalidEvent',
      'http mode: the event has no requestContext.http.method; send a Function URL / HTTP API payload format 2.0 event ({"version":"2.0","rawPath":"/",...})',
    );
  }
  if (e.body !== undefined && e.body !== null && typeof e.body !== 'string') {
    return diagnostic('Function.InvalidEvent', 'http mode: the event body must be a string');
  }
  const text = e.body ?? '';
  const body = e.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { event: e, body };
}

function isDiag(value: ParsedRequest | Diagnostic): value is Diagnostic {
  return 'errorType' in value;
}

// Headers that get a CGI variable of their own, or must never become one:
// `Proxy` would become HTTP_PROXY, which many HTTP clients take as their proxy ("httpoxy").
const NOT_HTTP_VARS = new Set(['content-type', 'content-length', 'proxy']);

function envSafe(value: string): string {
  return value.replaceAll('\0', '');
}

/** The CGI/1.1 meta-variables (RFC 3875 section 4.1) for a payload v2 event. */
export function cgiEnvironment(event: HttpEventV2, body: Buffer): Record<string, string> {
  const http = event.requestContext?.http ?? {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'cobolambda',
    SERVER_PROTOCOL: http.protocol ?? 'HTTP/1.1',
    REQUEST_METHOD: (http.method ?? 'GET').toUpperCase(),
    SCRIPT_NAME: '',
    PATH_INFO: '',
    QUERY_STRING: event.rawQueryString ?? '',
    REMOTE_ADDR: http.sourceIp ?? '',
    SERVER_NAME: event.requestContext?.domainName ?? (headers.host ?? '').replace(/:\d+$/, ''),
    SERVER_PORT: headers['x-forwarded-port'] ?? '443',
  };
  // An HTTP API stage other than $default prefixes the path: it is the "script", the rest is PATH_INFO.
  let path = event.rawPath ?? http.path ?? '/';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    env.SCRIPT_NAME = `/${stage}`;
    path = path.slice(stage.length + 1);
  }
  env.PATH_INFO = decodePath(path);
  env.REQUEST_URI = `${env.SCRIPT_NAME}${path}${env.QUERY_STRING ? `?${env.QUERY_STRING}` : ''}`;
  if (headers['x-forwarded-proto'] === 'https') env.HTTPS = 'on';
  if (headers['content-type'] !== undefined) env.CONTENT_TYPE = headers['content-type'];
  if (body.length > 0 || event.body !== undefined) env.CONTENT_LENGTH = String(body.length);
  for (const [name, value] of Object.entries(headers)) {
    if (NOT_HTTP_VARS.has(name)) continue;
    env[`HTTP_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = value;
  }
  // Payload v2 takes the Cookie header out of `headers` and into `cookies`.
  if (event.cookies && event.cookies.length > 0 && env.HTTP_COOKIE === undefined) env.HTTP_COOKIE = event.cookies.join('; ');
  for (const key of Object.keys(env)) env[key] = envSafe(env[key]!);
  return env;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*)$/;
// Hop-by-hop or recomputed by Lambda: a CGI program's value would only be wrong.
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/** Parses a CGI response (RFC 3875 section 6) into a payload v2 response, or says why it is not one. */
export function parseCgiResponse(stdout: Buffer): HttpResponseV2 | Diagnostic {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  let status: number | undefined;
  let pos = 0;
  let lineNo = 0;
  let sawBlank = false;
  while (pos < stdout.length) {
    let end = stdout.indexOf(0x0a, pos);
    const next = end < 0 ? stdout.length : end + 1;
    if (end < 0) end = stdout.length;
    // COBOL DISPLAY pads fixed-width items: trailing spaces (and a \r) are not part of the header.
    const line = stdout.toString('latin1', pos, end).replace(/[\r \t]+$/, '');
    pos = next;
    lineNo++;
    if (line === '') {
      if (lineNo === 1) {
        return diagnostic('Function.InvalidCgiResponse', 'http mode: the program\'s output starts with a blank line: a CGI response starts with headers (at least "Content-Type: text/html"), then a blank line, then the body');
      }
      sawBlank = true;
      break;
    }
    const m = HEADER_LINE.exec(line);
    if (!m) {
      const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
      return diagnostic(
        'Function.InvalidCgiResponse',
        `http mode: line ${lineNo} of the program's output, ${JSON.stringify(shown)}, is not a header: a CGI response starts with headers (at least "Content-Type: text/html"), then a blank line, then the body`,
      );
    }
    const name = m[1]!.toLowerCase();
    const value = Buffer.from(m[2]!, 'latin1').toString('utf8');
    if (name === 'status') {
      const s = /^([1-5]\d\d)(?:\s.*)?$/.exec(value);
      if (!s) return diagnostic('Function.InvalidCgiResponse', `http mode: line ${lineNo}: "Status: ${value}" is not a status ("Status: 404 Not Found")`);
      status = Number(s[1]);
    } else if (name === 'set-cookie') {
      cookies.push(value);
    } else if (!DROPPED_HEADERS.has(name)) {
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
  }
  if (lineNo === 0) {
    return diagnostic('Function.InvalidCgiResponse', 'http mode: the program wrote nothing: a CGI response needs at least a "Content-Type:" header and a blank line');
  }
  // Lenient: output made only of headers, without the blank line, is a response with an empty body.
  const body = sawBlank ? stdout.subarray(pos) : Buffer.alloc(0);
  if (status === undefined) status = headers.location !== undefined ? 302 : 200;
  if (body.length > 0 && headers['content-type'] === undefined) headers['content-type'] = 'text/plain; charset=utf-8';
  const text = body.length === 0 ? '' : isTextType(headers['content-type']) ? utf8(body) : undefined;
  const response: HttpResponseV2 = {
    statusCode: status,
    headers,
    body: text ?? body.toString('base64'),
    isBase64Encoded: text === undefined,
  };
  if (cookies.length > 0) response.cookies = cookies;
  return response;
}

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|[a-z0-9.+-]*\+(json|xml))\b)/i;

export function isTextType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPE.test(contentType.trim());
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Buffer): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** What the client sees when the program failed; the details are in the function's log. */
export function badGateway(failure: Diagnostic): HttpResponseV2 {
  return {
    statusCode: 502,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `502 Bad Gateway: the program failed (${failure.errorType}); the details are in the function's log.\n`,
    isBase64Encoded: false,
  };
}

function json(response: HttpResponseV2): Buffer {
  return Buffer.from(JSON.stringify(response));
}

export const httpCodec: Codec = {
  handlesFailure: true,
  encodeInput(event) {
    const request = parseEvent(event);
    return isDiag(request) ? request : request.body;
  },
  programEnv(event) {
    const request = parseEvent(event);
    return isDiag(request) ? {} : cgiEnvironment(request.event, request.body);
  },
  decodeOutput(output: ProgramOutput) {
    if (output.failure) return json(badGateway(output.failure));
    const response = parseCgiResponse(output.stdout);
    // A diagnostic goes back to the invoker, which logs it and asks again with it as `failure`.
    return 'errorType' in response ? response : json(response);
  },
};
