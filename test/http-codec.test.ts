import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpCodec, cgiEnvironment, parseCgiResponse, type HttpResponseV2 } from '../runtime/src/codecs/http.ts';
import { codecFor } from '../runtime/src/codecs/index.ts';
import type { Diagnostic } from '../runtime/src/diagnostic.ts';
import { ProgramInvoker } from '../runtime/src/program-invoker.ts';
import { functionUrlEvent, functionUrlAnswer } from '../dev/function-url.ts';
import { tempDir } from './support/cobc.ts';
import { mkdirSync } from 'node:fs';

// The event a Function URL sends for a form post (body base64-encoded, cookies split out).
const formPost = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/sign/caf%C3%A9',
  rawQueryString: 'lang=en&x=1',
  cookies: ['session=abc', 'theme=dark'],
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': '21',
    host: 'abcdefg.lambda-url.us-east-1.on.aws',
    'user-agent': 'Mozilla/5.0',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-for': '203.0.113.7',
    'accept-language': 'en-GB',
    proxy: 'http://evil.example',
  },
  requestContext: {
    accountId: 'anonymous',
    apiId: 'abcdefg',
    domainName: 'abcdefg.lambda-url.us-east-1.on.aws',
    domainPrefix: 'abcdefg',
    http: { method: 'POST', path: '/sign/caf%C3%A9', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0' },
    requestId: 'id',
    routeKey: '$default',
    stage: '$default',
    time: '10/Apr/2022:13:30:05 +0000',
    timeEpoch: 1649597405529,
  },
  body: Buffer.from('name=Ada&message=hi%21').toString('base64'),
  isBase64Encoded: true,
};
const eventBytes = (e: unknown) => Buffer.from(JSON.stringify(e));
const decode = (stdout: string | Buffer) => {
  const r = httpCodec.decodeOutput({ stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout), exitCode: 0 });
  return Buffer.isBuffer(r) ? (JSON.parse(r.toString()) as HttpResponseV2) : r;
};

describe('http codec: event → stdin and CGI environment', () => {
  it('puts the base64-decoded body on stdin', () => {
    expect(httpCodec.encodeInput(eventBytes(formPost))).toEqual(Buffer.from('name=Ada&message=hi%21'));
    expect(httpCodec.encodeInput(eventBytes({ ...formPost, body: 'plain text', isBase64Encoded: false }))).toEqual(Buffer.from('plain text'));
    expect(httpCodec.encodeInput(eventBytes({ ...formPost, body: undefined }))).toEqual(Buffer.alloc(0));
  });

  it('sets the CGI/1.1 meta-variables', () => {
    const env = httpCodec.programEnv!(eventBytes(formPost));
    expect(env).toMatchObject({
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      SERVER_SOFTWARE: 'cobolambda',
      REQUEST_METHOD: 'POST',
      SCRIPT_NAME: '',
      PATH_INFO: '/sign/café',
      QUERY_STRING: 'lang=en&x=1',
      REQUEST_URI: '/sign/caf%C3%A9?lang=en&x=1',
      CONTENT_TYPE: 'application/x-www-form-urlencoded',
      CONTENT_LENGTH: '22',
      REMOTE_ADDR: '203.0.113.7',
      SERVER_NAME: 'abcdefg.lambda-url.us-east-1.on.aws',
      SERVER_PORT: '443',
      HTTPS: 'on',
      HTTP_USER_AGENT: 'Mozilla/5.0',
      HTTP_ACCEPT_LANGUAGE: 'en-GB',
      HTTP_HOST: 'abcdefg.lambda-url.us-east-1.on.aws',
      HTTP_X_FORWARDED_FOR: '203.0.113.7',
      HTTP_COOKIE: 'session=abc; theme=dark',
    });
    // Content-Type/Length have their own variables; Proxy never becomes HTTP_PROXY (httpoxy).
    expect(env.HTTP_CONTENT_TYPE).toBeUndefined();
    expect(env.HTTP_CONTENT_LENGTH).toBeUndefined();
    expect(env.HTTP_PROXY).toBeUndefined();
  });

  it('GET without a body has no CONTENT_LENGTH or CONTENT_TYPE; a named stage becomes SCRIPT_NAME', () => {
    const env = cgiEnvironment(
      { rawPath: '/prod/items/7', rawQueryString: '', headers: { Host: 'api.example.com:8443', 'X-Odd.Header': 'v\0x' }, requestContext: { stage: 'prod', http: { method: 'get' } } },
      Buffer.alloc(0),
    );
    expect(env).toMatchObject({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/prod', PATH_INFO: '/items/7', QUERY_STRING: '', SERVER_NAME: 'api.example.com', HTTP_X_ODD_HEADER: 'vx' });
    expect(env.CONTENT_LENGTH).toBeUndefined();
    expect(env.CONTENT_TYPE).toBeUndefined();
    expect(env.HTTPS).toBeUndefined();
  });

  it('refuses events that are not payload v2 requests, so the program is not run', () => {
    expect((httpCodec.encodeInput(Buffer.from('not json')) as Diagnostic).errorType).toBe('Function.InvalidEvent');
    expect((httpCodec.encodeInput(eventBytes({ name: 'Ada' })) as Diagnostic).errorMessage).toContain('requestContext.http.method');
    expect((httpCodec.encodeInput(eventBytes({ ...formPost, body: 5 })) as Diagnostic).errorMessage).toBe('http mode: the event body must be a string');
  });
});

describe('http codec: CGI response → payload v2 response', () => {
  it('maps Content-Type, other headers and the body; 200 by default', () => {
    expect(decode('Content-Type: text/html\nX-Powered-By: COBOL\n\n<p>hi</p>\n')).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/html', 'x-powered-by': 'COBOL' },
      body: '<p>hi</p>\n',
      isBase64Encoded: false,
    });
  });

  it('reads Status, accepts \\r\\n and COBOL-padded header lines and a blank line of spaces', () => {
    expect(decode('Status: 404 Not Found\r\nContent-Type: text/plain   \r\n\r\nno such page')).toMatchObject({ statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'no such page' });
    expect(decode('Content-Type: text/plain      \n     \nbody')).toMatchObject({ statusCode: 200, body: 'body' });
  });

  it('Location without Status is a 302; with Status it keeps the status', () => {
    expect(decode('Location: https://example.com/\n\n')).toMatchObject({ statusCode: 302, headers: { location: 'https://example.com/' }, body: '' });
    expect(decode('Status: 301 Moved Permanently\nLocation: /new\n\n')).toMatchObject({ statusCode: 301 });
  });

  it('Set-Cookie lines become cookies; repeated headers are joined; Content-Length is dropped', () => {
    const r = decode('Content-Type: text/plain\nSet-Cookie: a=1\nSet-Cookie: b=2; HttpOnly\nVary: Accept\nVary: Cookie\nContent-Length: 999\n\nx') as HttpResponseV2;
    expect(r.cookies).toEqual(['a=1', 'b=2; HttpOnly']);
    expect(r.headers).toEqual({ 'content-type': 'text/plain', vary: 'Accept, Cookie' });
  });

  it('base64-encodes binary types and text that is not UTF-8', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x00, 0xff]);
    expect(decode(Buffer.concat([Buffer.from('Content-Type: image/png\n\n'), png]))).toEqual({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: png.toString('base64'), isBase64Encoded: true });
    const latin1 = Buffer.concat([Buffer.from('Content-Type: text/html; charset=iso-8859-1\n\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]);
    expect(decode(latin1)).toMatchObject({ body: Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64'), isBase64Encoded: true });
    expect(decode('Content-Type: application/json\n\n{"a":"é"}')).toMatchObject({ body: '{"a":"é"}', isBase64Encoded: false });
    expect(decode('Content-Type: application/problem+json\n\n{}')).toMatchObject({ isBase64Encoded: false });
  });

  it('headers only, without the blank line, is an empty body; a body without Content-Type is text/plain', () => {
    expect(decode('Status: 204 No Content\n')).toEqual({ statusCode: 204, headers: {}, body: '', isBase64Encoded: false });
    expect(decode('X-A: 1\n\nhello')).toMatchObject({ headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'hello' });
  });

  it('output without a header block is a diagnostic naming the line', () => {
    expect(parseCgiResponse(Buffer.from('<html>hello</html>\n'))).toMatchObject({
      errorType: 'Function.InvalidCgiResponse',
      errorMessage: expect.stringContaining('line 1 of the program\'s output, "<html>hello</html>", is not a header'),
    });
    expect(parseCgiResponse(Buffer.from('Content-Type: text/html\n<html>\n'))).toMatchObject({ errorMessage: expect.stringContaining('line 2') });
    expect(parseCgiResponse(Buffer.from('\nbody'))).toMatchObject({ errorMessage: expect.stringContaining('starts with a blank line') });
    expect(parseCgiResponse(Buffer.alloc(0))).toMatchObject({ errorMessage: expect.stringContaining('wrote nothing') });
    expect(parseCgiResponse(Buffer.from('Status: teapot\n\n'))).toMatchObject({ errorMessage: expect.stringContaining('"Status: teapot" is not a status') });
  });

  it('a failure becomes a short 502', () => {
    const r = httpCodec.decodeOutput({ stdout: Buffer.alloc(0), exitCode: 3, failure: { errorType: 'Function.ProgramExitError', errorMessage: 'secret details', stackTrace: [] } });
    const body = JSON.parse((r as Buffer).toString()) as HttpResponseV2;
    expect(body).toMatchObject({ statusCode: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, isBase64Encoded: false });
    expect(body.body).toContain('Function.ProgramExitError');
    expect(body.body).not.toContain('secret');
  });
});

describe('http mode through ProgramInvoker: every failure is a 502, details in the log', () => {
  const dir = tempDir('http-invoker');
  const script = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${text}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const invoke = async (file: string, event: unknown = formPost, deadlineInMs = 10_000) => {
    const logs: string[] = [];
    const invoker = new ProgramInvoker({
      programName: 'page',
      programFile: file,
      codec: httpCodec,
      baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', REQUEST_METHOD: 'FROM-FUNCTION-ENV' },
      deadlineMarginMs: 500,
      maxResponseBytes: 1000,
      stderrLimitBytes: 10_000,
      jsonLogs: false,
      writeLog: (l) => logs.push(l),
    });
    const result = await invoker.invoke(eventBytes(event), { requestId: 'req-1', deadlineMs: Date.now() + deadlineInMs });
    return { result, logs, response: result.ok ? (JSON.parse(result.response.toString()) as HttpResponseV2) : undefined };
  };

  it('runs a CGI script with the CGI environment and stdin', async () => {
    const file = script('cgi.sh', 'printf "Content-Type: text/plain\\n\\n%s %s %s|" "$REQUEST_METHOD" "$PATH_INFO" "$CONTENT_LENGTH"; cat');
    const { response } = await invoke(file);
    expect(response).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'POST /sign/café 22|name=Ada&message=hi%21', isBase64Encoded: false });
  });

  it.each([
    ['a non-zero exit', 'echo "Content-Type: text/plain"; echo; echo partial; echo oops >&2; exit 3', 'Function.ProgramExitError: program page exited with status 3'],
    ['a signal', 'kill -SEGV $$', 'Function.ProgramSignaled: program page was killed by signal SIGSEGV'],
    ['output too large', 'printf "Content-Type: text/plain\\n\\n"; head -c 5000 /dev/zero', 'Function.ResponseSizeTooLarge'],
    ['output without headers', 'echo "<html>hello</html>"', 'Function.InvalidCgiResponse: http mode: line 1 of the program\'s output'],
  ])('%s', async (_what, text, logged) => {
    const { result, response, logs } = await invoke(script(`f${Math.random().toString(36).slice(2)}.sh`, text));
    expect(result.ok).toBe(true);
    expect(response?.statusCode).toBe(502);
    expect(logs.some((l) => l.includes('\treq-1\t') && l.includes(logged))).toBe(true);
  });

  it('a timeout', async () => {
    const { response, logs } = await invoke(script('slow.sh', 'exec sleep 30'), formPost, 1500);
    expect(response?.statusCode).toBe(502);
    expect(logs.some((l) => l.includes('Function.ProgramTimeout'))).toBe(true);
  });

  it('a program that does not start', async () => {
    const { response, logs } = await invoke(join(dir, 'missing'));
    expect(response?.statusCode).toBe(502);
    expect(logs.some((l) => l.includes('Runtime.ProgramStartError'))).toBe(true);
  });

  it('an event that is not an HTTP request is an error before the program runs', async () => {
    const { result } = await invoke(script('never.sh', 'touch never-ran'), { name: 'Ada' });
    expect(result.ok).toBe(false);
  });
});

describe('wiring', () => {
  it('codecFor picks the http codec from the metadata', () => {
    const root = tempDir('http-meta');
    mkdirSync(join(root, 'cobolambda', 'programs'), { recursive: true });
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'cobolambda', 'programs', 'page.json'), JSON.stringify({ name: 'page', mode: 'http' }));
    expect(codecFor('page', join(root, 'bin'))).toBe(httpCodec);
  });

  it('dev builds the Function URL event and reads the response as Function URLs do', () => {
    const event = functionUrlEvent({
      method: 'POST',
      rawPath: '/a%20b',
      rawQueryString: 'q=1&q=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'a=1; b=2', 'user-agent': 'UA', host: '127.0.0.1:3001' },
      body: Buffer.from('name=Ada'),
      sourceIp: '127.0.0.1',
      requestId: 'rid',
      host: '127.0.0.1:3001',
      now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    });
    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/a%20b',
      rawQueryString: 'q=1&q=2',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { q: '1,2' },
      body: Buffer.from('name=Ada').toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/a%20b', sourceIp: '127.0.0.1', userAgent: 'UA' }, requestId: 'rid', time: '02/Jan/2024:03:04:05 +0000', timeEpoch: Date.UTC(2024, 0, 2, 3, 4, 5) },
    });
    expect((event.headers as Record<string, string>).cookie).toBeUndefined();
    expect(functionUrlAnswer(Buffer.from(JSON.stringify({ statusCode: 201, headers: { 'Content-Type': 'image/png' }, cookies: ['a=1'], body: 'AAE=', isBase64Encoded: true })))).toEqual({
      status: 201,
      headers: { 'content-type': 'image/png', 'set-cookie': ['a=1'] },
      body: Buffer.from([0, 1]),
    });
    expect(functionUrlAnswer(Buffer.from('{"hello":1}'))).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"hello":1}') });
  });
});
