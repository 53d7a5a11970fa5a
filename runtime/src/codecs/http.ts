// `http` mode: HTTP requests from Lambda Function URLs and API Gateway HTTP APIs
// (payload format 2.0), API Gateway REST APIs and Application Load Balancers
// (payload format 1.0), spoken as CGI (RFC 3875), so a classic COBOL CGI program
// runs unchanged behind any of them.
//
// In:  the request body (base64-decoded when `isBase64Encoded`) on stdin, and the
//      CGI meta-variables (REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_TYPE,
//      CONTENT_LENGTH, HTTP_*, ...) in the program's environment.
// Out: the program's CGI response: header lines (`Status: 404 Not Found`,
//      `Content-Type: text/html`, `Location: ...`, any other header), a blank
//      line (`\n` or `\r\n`), the body → the response in the request's payload
//      format: 2.0 `{statusCode, headers, cookies, body, isBase64Encoded}`, 1.0
//      `{statusCode, headers, multiValueHeaders, body, isBase64Encoded}` (plus
//      `statusDescription` for an ALB). Any failure of the program → 502, details in the log.
import { STATUS_CODES } from 'node:http';
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

/** The parts of a payload 1.0 event (API Gateway REST API, HTTP API set to 1.0, ALB) the codec reads. */
export interface HttpEventV1 {
  httpMethod: string;
  path?: string;
  headers?: Record<string, string> | null;
  multiValueHeaders?: Record<string, string[]> | null;
  queryStringParameters?: Record<string, string> | null;
  multiValueQueryStringParameters?: Record<string, string[]> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: {
    domainName?: string;
    stage?: string;
    /** REST API: the path the client asked for, stage included. */
    path?: string;
    protocol?: string;
    identity?: { sourceIp?: string };
    /** Present only in events from an Application Load Balancer. */
    elb?: { targetGroupArn?: string };
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

/** A payload 1.0 response, as REST APIs and Application Load Balancers read it. */
export interface HttpResponseV1 {
  statusCode: number;
  /** ALB only: the text of its status line. */
  statusDescription?: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

/** Which payload format the request came in, so the response goes back in it. */
type PayloadFormat = 'v2' | 'v1' | 'alb';

/** One HTTP request, whatever its payload format: what the CGI variables are made of. */
interface HttpRequest {
  format: PayloadFormat;
  method: string;
  /** The API stage the request came in under (`/prod`), or ''. */
  scriptName: string;
  /** The rest of the path, as the event gives it (percent-encoded, but HTTP APIs decode it). */
  path: string;
  queryString: string;
  /** Lower-case names, repeated headers joined. */
  headers: Record<string, string>;
  sourceIp: string;
  protocol: string;
  domainName: string | undefined;
  /** Whether the request carried a body, even an empty one: then CONTENT_LENGTH is set. */
  hasBody: boolean;
}

interface ParsedRequest {
  request: HttpRequest;
  body: Buffer;
}

// The runtime calls encodeInput, programEnv and decodeOutput with the same event Buffer: parse it once.
const parsed = new WeakMap<Buffer, ParsedRequest | Diagnostic>();

function parseEvent(raw: Buffer): ParsedRequest | Diagnostic {
  const cached = parsed.get(raw);
  if (cached) return cached;
  const result = parseEventUncached(raw);
  parsed.set(raw, result);
  return result;
}

const ACCEPTED_EVENTS =
  'send a Function URL / HTTP API payload format 2.0 event ({"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},...}) ' +
  'or a payload format 1.0 event from an API Gateway REST API or an Application Load Balancer ({"httpMethod":"GET","path":"/",...})';

function parseEventUncached(raw: Buffer): ParsedRequest | Diagnostic {
  let event: unknown;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return diagnostic('Function.InvalidEvent', `http mode: the event is not JSON (${(err as Error).message})`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return diagnostic('Function.InvalidEvent', `http mode: the event must be an object with httpMethod or requestContext.http.method; ${ACCEPTED_EVENTS}`);
  }
  const v2 = event as HttpEventV2;
  const v1 = event as HttpEventV1;
  const isV2 = typeof v2.requestContext?.http?.method === 'string';
  if (!isV2 && (v2.version === '2.0' || typeof v1.httpMethod !== 'string')) {
    return diagnostic('Function.InvalidEvent', `http mode: the event has neither requestContext.http.method (payload 2.0) nor httpMethod (payload 1.0); ${ACCEPTED_EVENTS}`);
  }
  const text: unknown = v1.body;
  if (text !== undefined && text !== null && typeof text !== 'string') {
    return diagnostic('Function.InvalidEvent', 'http mode: the event body must be a string');
  }
  const body = Buffer.from(text ?? '', v1.isBase64Encoded ? 'base64' : 'utf8');
  return { request: isV2 ? requestFromV2(v2) : requestFromV1(v1), body };
}

function isDiag(value: ParsedRequest | Diagnostic): value is Diagnostic {
  return 'errorType' in value;
}

function requestFromV2(event: HttpEventV2): HttpRequest {
  const http = event.requestContext?.http ?? {};
  const headers = lowerCaseNames(event.headers);
  // Payload v2 takes the Cookie header out of `headers` and into `cookies`.
  if (event.cookies && event.cookies.length > 0 && headers.cookie === undefined) headers.cookie = event.cookies.join('; ');
  // An HTTP API stage other than $default prefixes the path: it is the "script", the rest is PATH_INFO.
  let path = event.rawPath ?? http.path ?? '/';
  let scriptName = '';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    scriptName = `/${stage}`;
    path = path.slice(stage.length + 1);
  }
  return {
    format: 'v2',
    method: http.method ?? 'GET',
    scriptName,
    path,
    queryString: event.rawQueryString ?? '',
    headers,
    sourceIp: http.sourceIp ?? '',
    protocol: http.protocol ?? 'HTTP/1.1',
    domainName: event.requestContext?.domainName,
    hasBody: event.body !== undefined,
  };
}

function requestFromV1(event: HttpEventV1): HttpRequest {
  const context = event.requestContext ?? {};
  const alb = context.elb !== undefined;
  const headers = event.multiValueHeaders ? joinRepeated(event.multiValueHeaders) : lowerCaseNames(event.headers);
  const path = event.path || '/';
  // A REST API's `path` leaves the stage out; requestContext.path has it when the client used the
  // API's own URL (a custom domain maps it away). Exact match, as a resource may start with the stage's name.
  const stage = context.stage ? `/${context.stage}` : undefined;
  const underStage = stage !== undefined && (context.path === `${stage}${path}` || (path === '/' && context.path === stage));
  return {
    format: alb ? 'alb' : 'v1',
    method: event.httpMethod,
    scriptName: underStage ? stage : '',
    path,
    queryString: queryStringV1(event, alb),
    headers,
    // The ALB appends the address it saw to X-Forwarded-For; whatever precedes it is the client's own claim.
    sourceIp: alb ? (headers['x-forwarded-for'] ?? '').split(',').pop()!.trim() : (context.identity?.sourceIp ?? ''),
    protocol: context.protocol ?? 'HTTP/1.1',
    domainName: context.domainName,
    hasBody: (typeof event.body === 'string' && event.body !== '') || headers['content-length'] !== undefined,
  };
}

function lowerCaseNames(headers: Record<string, string> | null | undefined): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') lower[name.toLowerCase()] = value;
  }
  return lower;
}

function joinRepeated(multiValueHeaders: Record<string, string[]>): Record<string, string> {
  const values: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(multiValueHeaders)) {
    if (Array.isArray(list)) (values[name.toLowerCase()] ??= []).push(...list.filter((v) => typeof v === 'string'));
  }
  // One header line per name, as CGI has one variable per name; cookie pairs are separated by "; " (RFC 6265).
  const joined: Record<string, string> = {};
  for (const [name, list] of Object.entries(values)) joined[name] = list.join(name === 'cookie' ? '; ' : ', ');
  return joined;
}

// API Gateway hands query parameters over decoded, so they are encoded again for QUERY_STRING;
// an ALB hands them over as the client sent them.
function queryStringV1(event: HttpEventV1, alb: boolean): string {
  const multi = event.multiValueQueryStringParameters;
  const pairs = multi
    ? Object.entries(multi).flatMap(([name, values]) => (Array.isArray(values) ? values : []).map((value) => [name, value] as const))
    : Object.entries(event.queryStringParameters ?? {});
  const encode = alb ? (part: string) => part : encodeQueryPart;
  return pairs
    .filter(([, value]) => typeof value === 'string')
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
}

// encodeURIComponent throws on a lone surrogate, which a JSON string may hold; the UTF-8 round trip replaces it.
function encodeQueryPart(part: string): string {
  return encodeURIComponent(Buffer.from(part, 'utf8').toString('utf8'));
}

// Headers that get a CGI variable of their own, or must never become one:
// `Proxy` would become HTTP_PROXY, which many HTTP clients take as their proxy ("httpoxy").
const NOT_HTTP_VARS = new Set(['content-type', 'content-length', 'proxy']);

function envSafe(value: string): string {
  return value.replaceAll('\0', '');
}

/** The CGI/1.1 meta-variables (RFC 3875 section 4.1) for a request. */
function cgiEnvironment(request: HttpRequest, body: Buffer): Record<string, string> {
  const { headers, scriptName, path, queryString } = request;
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'cobolambda',
    SERVER_PROTOCOL: request.protocol,
    REQUEST_METHOD: request.method.toUpperCase(),
    SCRIPT_NAME: scriptName,
    PATH_INFO: decodePath(path),
    QUERY_STRING: queryString,
    REQUEST_URI: `${scriptName}${path}${queryString ? `?${queryString}` : ''}`,
    REMOTE_ADDR: request.sourceIp,
    SERVER_NAME: request.domainName ?? (headers.host ?? '').replace(/:\d+$/, ''),
    SERVER_PORT: headers['x-forwarded-port'] ?? '443',
  };
  if (headers['x-forwarded-proto'] === 'https') env.HTTPS = 'on';
  if (headers['content-type'] !== undefined) env.CONTENT_TYPE = headers['content-type'];
  if (body.length > 0 || request.hasBody) env.CONTENT_LENGTH = String(body.length);
  for (const [name, value] of Object.entries(headers)) {
    if (NOT_HTTP_VARS.has(name)) continue;
    env[`HTTP_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = value;
  }
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

// Payload 1.0 has no `cookies`: Set-Cookie lines go in multiValueHeaders. The other headers go there
// too, because an ALB with multi-value headers on reads only that map (API Gateway merges the two).
function responseV1(response: HttpResponseV2, alb: boolean): HttpResponseV1 {
  const { statusCode, headers, cookies, body, isBase64Encoded } = response;
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  if (cookies) multiValueHeaders['set-cookie'] = cookies;
  const v1: HttpResponseV1 = { statusCode, headers, multiValueHeaders, body, isBase64Encoded };
  if (alb) v1.statusDescription = STATUS_CODES[statusCode] ? `${statusCode} ${STATUS_CODES[statusCode]}` : String(statusCode);
  return v1;
}

function json(response: HttpResponseV2, format: PayloadFormat): Buffer {
  return Buffer.from(JSON.stringify(format === 'v2' ? response : responseV1(response, format === 'alb')));
}

export const httpCodec: Codec = {
  handlesFailure: true,
  encodeInput(event) {
    const request = parseEvent(event);
    return isDiag(request) ? request : request.body;
  },
  programEnv(event) {
    const request = parseEvent(event);
    return isDiag(request) ? {} : cgiEnvironment(request.request, request.body);
  },
  decodeOutput(output: ProgramOutput, event?: Buffer) {
    // The response goes back in the request's payload format (2.0 when the event is not at hand).
    const request = event ? parseEvent(event) : undefined;
    const format = request && !isDiag(request) ? request.request.format : 'v2';
    if (output.failure) return json(badGateway(output.failure), format);
    const response = parseCgiResponse(output.stdout);
    // A diagnostic goes back to the invoker, which logs it and asks again with it as `failure`.
    return 'errorType' in response ? response : json(response, format);
  },
};
