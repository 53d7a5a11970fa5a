import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpCodec, parseCgiResponse, type HttpResponseV1, type HttpResponseV2 } from '../runtime/src/codecs/http.ts';
import { codecFor } from '../runtime/src/codecs/index.ts';
import type { Diagnostic } from '../runtime/src/diagnostic.ts';
import { ProgramInvoker } from '../runtime/src/program-invoker.ts';
import { functionUrlEvent, functionUrlAnswer } from '../dev/function-url.ts';
import { compileTestProgram, tempDir } from './support/cobc.ts';
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
// The event a REST API (stage "prod", a {proxy+} resource) sends for
// POST https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/sign/caf%C3%A9?lang=en&tag=a%20b&tag=x%26y
// `path` leaves out the stage, query parameters arrive decoded, repeated headers are in multiValueHeaders.
const restApiPost = {
  resource: '/{proxy+}',
  path: '/sign/caf%C3%A9',
  httpMethod: 'POST',
  headers: {
    Accept: 'text/html',
    'Accept-Language': 'en-GB',
    'CloudFront-Forwarded-Proto': 'https',
    'Content-Type': 'application/x-www-form-urlencoded',
    Cookie: 'theme=dark',
    Host: 'abc123defg.execute-api.us-east-1.amazonaws.com',
    Proxy: 'http://evil.example',
    'User-Agent': 'Mozilla/5.0',
    Via: '2.0 a1b2c3.cloudfront.net (CloudFront)',
    'X-Amzn-Trace-Id': 'Root=1-5e66d96f-7491f09xmpl79d18acf3d050',
    'X-Forwarded-For': '198.51.100.1, 203.0.113.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  },
  multiValueHeaders: {
    Accept: ['text/html'],
    'Accept-Language': ['en-GB', 'fr;q=0.5'],
    'CloudFront-Forwarded-Proto': ['https'],
    'Content-Type': ['application/x-www-form-urlencoded'],
    Cookie: ['session=abc', 'theme=dark'],
    Host: ['abc123defg.execute-api.us-east-1.amazonaws.com'],
    Proxy: ['http://evil.example'],
    'User-Agent': ['Mozilla/5.0'],
    Via: ['2.0 a1b2c3.cloudfront.net (CloudFront)'],
    'X-Amzn-Trace-Id': ['Root=1-5e66d96f-7491f09xmpl79d18acf3d050'],
    'X-Forwarded-For': ['198.51.100.1, 203.0.113.7'],
    'X-Forwarded-Port': ['443'],
    'X-Forwarded-Proto': ['https'],
  },
  queryStringParameters: { lang: 'en', tag: 'x&y' },
  multiValueQueryStringParameters: { lang: ['en'], tag: ['a b', 'x&y'] },
  pathParameters: { proxy: 'sign/café' },
  stageVariables: null,
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123defg',
    domainName: 'abc123defg.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'abc123defg',
    extendedRequestId: 'JJbxmplHYosFVYQ=',
    httpMethod: 'POST',
    identity: {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '203.0.113.7',
      user: null,
      userAgent: 'Mozilla/5.0',
      userArn: null,
    },
    path: '/prod/sign/caf%C3%A9',
    protocol: 'HTTP/1.1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTime: '10/Apr/2024:13:30:05 +0000',
    requestTimeEpoch: 1712755805529,
    resourceId: 'roq9wj',
    resourcePath: '/{proxy+}',
    stage: 'prod',
  },
  body: 'name=Ada&message=hi%21',
  isBase64Encoded: false,
};

// The event an Application Load Balancer (multi-value headers off, the default) sends for
// GET http://lambda-alb-123578498.us-east-1.elb.amazonaws.com/lambda/caf%C3%A9?query=1234ABCD&q=a%20b%26c
// The query parameters arrive as the client sent them; the ALB appends the address it saw to X-Forwarded-For.
const albGet = {
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a' } },
  httpMethod: 'GET',
  path: '/lambda/caf%C3%A9',
  queryStringParameters: { query: '1234ABCD', q: 'a%20b%26c' },
  headers: {
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8',
    'accept-encoding': 'gzip',
    'accept-language': 'en-US,en;q=0.9',
    connection: 'keep-alive',
    cookie: 'session=abc; theme=dark',
    host: 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
    'upgrade-insecure-requests': '1',
    'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    'x-amzn-trace-id': 'Root=1-5c536348-3d683b8b04734faae651f476',
    'x-forwarded-for': '10.9.8.7, 72.12.164.125',
    'x-forwarded-port': '80',
    'x-forwarded-proto': 'http',
    'x-imforwards': '20',
  },
  body: '',
  isBase64Encoded: false,
};

// The same ALB with lambda.multi_value_headers.enabled: only the multi-value maps, a form post base64-encoded.
const albMultiPost = {
  requestContext: albGet.requestContext,
  httpMethod: 'POST',
  path: '/sign',
  multiValueQueryStringParameters: { tag: ['a%20b', 'c'], empty: [''] },
  multiValueHeaders: {
    'content-type': ['application/x-www-form-urlencoded'],
    'content-length': ['22'],
    cookie: ['session=abc', 'theme=dark'],
    host: ['lambda-alb-123578498.us-east-1.elb.amazonaws.com'],
    'x-forwarded-for': ['72.12.164.125'],
    'x-forwarded-port': ['443'],
    'x-forwarded-proto': ['https'],
    'x-multi': ['1', '2'],
  },
  body: Buffer.from('name=Ada&message=hi%21').toString('base64'),
  isBase64Encoded: true,
};
const eventBytes = (e: unknown) => Buffer.from(JSON.stringify(e));
const decode = (stdout: string | Buffer) => {
  const r = httpCodec.decodeOutput({ stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout), exitCode: 0 });
  return Buffer.isBuffer(r) ? (JSON.parse(r.toString()) as HttpResponseV2) : r;
};
/** The response to `event` (any payload format), parsed. */
const answer = (event: unknown, output: { stdout?: string; exitCode?: number; failure?: Diagnostic }) => {
  const r = httpCodec.decodeOutput({ stdout: Buffer.from(output.stdout ?? ''), exitCode: output.exitCode ?? 0, failure: output.failure }, eventBytes(event));
  return Buffer.isBuffer(r) ? (JSON.parse(r.toString()) as unknown) : r;
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
    const env = httpCodec.programEnv!(
      eventBytes({ rawPath: '/prod/items/7', rawQueryString: '', headers: { Host: 'api.example.com:8443', 'X-Odd.Header': 'v\0x' }, requestContext: { stage: 'prod', http: { method: 'get' } } }),
    );
    expect(env).toMatchObject({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/prod', PATH_INFO: '/items/7', QUERY_STRING: '', SERVER_NAME: 'api.example.com', HTTP_X_ODD_HEADER: 'vx' });
    expect(env.CONTENT_LENGTH).toBeUndefined();
    expect(env.CONTENT_TYPE).toBeUndefined();
    expect(env.HTTPS).toBeUndefined();
  });

  it('refuses events that are not HTTP requests of payload format 2.0 or 1.0, so the program is not run', () => {
    expect((httpCodec.encodeInput(Buffer.from('not json')) as Diagnostic).errorType).toBe('Function.InvalidEvent');
    const notHttp = httpCodec.encodeInput(eventBytes({ name: 'Ada' })) as Diagnostic;
    expect(notHttp.errorType).toBe('Function.InvalidEvent');
    expect(notHttp.errorMessage).toContain('requestContext.http.method');
    expect(notHttp.errorMessage).toContain('httpMethod');
    expect(notHttp.errorMessage).toContain('payload format 2.0');
    expect(notHttp.errorMessage).toContain('API Gateway REST API or an Application Load Balancer');
    expect((httpCodec.encodeInput(eventBytes(['GET', '/'])) as Diagnostic).errorMessage).toContain('httpMethod');
    expect((httpCodec.encodeInput(eventBytes({ httpMethod: 7, path: '/' })) as Diagnostic).errorType).toBe('Function.InvalidEvent');
    // A 2.0 event is never read as 1.0, even with an httpMethod beside it.
    expect((httpCodec.encodeInput(eventBytes({ version: '2.0', httpMethod: 'GET', path: '/' })) as Diagnostic).errorType).toBe('Function.InvalidEvent');
    expect((httpCodec.encodeInput(eventBytes({ ...restApiPost, body: { a: 1 } })) as Diagnostic).errorMessage).toBe('http mode: the event body must be a string');
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

describe('http codec: payload 1.0 events (API Gateway REST API, Application Load Balancer) → CGI', () => {
  const CGI_CONSTANTS = { GATEWAY_INTERFACE: 'CGI/1.1', SERVER_SOFTWARE: 'cobolambda', SERVER_PROTOCOL: 'HTTP/1.1' };

  it('a REST API event: the stage is SCRIPT_NAME, the decoded query is encoded again, repeated headers are joined', () => {
    expect(httpCodec.encodeInput(eventBytes(restApiPost))).toEqual(Buffer.from('name=Ada&message=hi%21'));
    expect(httpCodec.programEnv!(eventBytes(restApiPost))).toEqual({
      ...CGI_CONSTANTS,
      REQUEST_METHOD: 'POST',
      SCRIPT_NAME: '/prod',
      PATH_INFO: '/sign/café',
      QUERY_STRING: 'lang=en&tag=a%20b&tag=x%26y',
      REQUEST_URI: '/prod/sign/caf%C3%A9?lang=en&tag=a%20b&tag=x%26y',
      REMOTE_ADDR: '203.0.113.7',
      SERVER_NAME: 'abc123defg.execute-api.us-east-1.amazonaws.com',
      SERVER_PORT: '443',
      HTTPS: 'on',
      CONTENT_TYPE: 'application/x-www-form-urlencoded',
      CONTENT_LENGTH: '22',
      HTTP_ACCEPT: 'text/html',
      HTTP_ACCEPT_LANGUAGE: 'en-GB, fr;q=0.5',
      HTTP_CLOUDFRONT_FORWARDED_PROTO: 'https',
      HTTP_COOKIE: 'session=abc; theme=dark',
      HTTP_HOST: 'abc123defg.execute-api.us-east-1.amazonaws.com',
      HTTP_USER_AGENT: 'Mozilla/5.0',
      HTTP_VIA: '2.0 a1b2c3.cloudfront.net (CloudFront)',
      HTTP_X_AMZN_TRACE_ID: 'Root=1-5e66d96f-7491f09xmpl79d18acf3d050',
      HTTP_X_FORWARDED_FOR: '198.51.100.1, 203.0.113.7',
      HTTP_X_FORWARDED_PORT: '443',
      HTTP_X_FORWARDED_PROTO: 'https',
    });
  });

  it('an ALB event: the query as the client sent it, REMOTE_ADDR the address the ALB saw, no CONTENT_LENGTH for a GET', () => {
    expect(httpCodec.encodeInput(eventBytes(albGet))).toEqual(Buffer.alloc(0));
    expect(httpCodec.programEnv!(eventBytes(albGet))).toEqual({
      ...CGI_CONSTANTS,
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '',
      PATH_INFO: '/lambda/café',
      QUERY_STRING: 'query=1234ABCD&q=a%20b%26c',
      REQUEST_URI: '/lambda/caf%C3%A9?query=1234ABCD&q=a%20b%26c',
      REMOTE_ADDR: '72.12.164.125',
      SERVER_NAME: 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      SERVER_PORT: '80',
      HTTP_ACCEPT: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8',
      HTTP_ACCEPT_ENCODING: 'gzip',
      HTTP_ACCEPT_LANGUAGE: 'en-US,en;q=0.9',
      HTTP_CONNECTION: 'keep-alive',
      HTTP_COOKIE: 'session=abc; theme=dark',
      HTTP_HOST: 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      HTTP_UPGRADE_INSECURE_REQUESTS: '1',
      HTTP_USER_AGENT: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      HTTP_X_AMZN_TRACE_ID: 'Root=1-5c536348-3d683b8b04734faae651f476',
      HTTP_X_FORWARDED_FOR: '10.9.8.7, 72.12.164.125',
      HTTP_X_FORWARDED_PORT: '80',
      HTTP_X_FORWARDED_PROTO: 'http',
      HTTP_X_IMFORWARDS: '20',
    });
  });

  it('an ALB event with multi-value headers: repeated parameters and headers, a base64 body', () => {
    expect(httpCodec.encodeInput(eventBytes(albMultiPost))).toEqual(Buffer.from('name=Ada&message=hi%21'));
    expect(httpCodec.programEnv!(eventBytes(albMultiPost))).toEqual({
      ...CGI_CONSTANTS,
      REQUEST_METHOD: 'POST',
      SCRIPT_NAME: '',
      PATH_INFO: '/sign',
      QUERY_STRING: 'tag=a%20b&tag=c&empty=',
      REQUEST_URI: '/sign?tag=a%20b&tag=c&empty=',
      REMOTE_ADDR: '72.12.164.125',
      SERVER_NAME: 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      SERVER_PORT: '443',
      HTTPS: 'on',
      CONTENT_TYPE: 'application/x-www-form-urlencoded',
      CONTENT_LENGTH: '22',
      HTTP_COOKIE: 'session=abc; theme=dark',
      HTTP_HOST: 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      HTTP_X_FORWARDED_FOR: '72.12.164.125',
      HTTP_X_FORWARDED_PORT: '443',
      HTTP_X_FORWARDED_PROTO: 'https',
      HTTP_X_MULTI: '1, 2',
    });
  });

  it('REST API paths: the stage root; a custom domain, whose requestContext.path has no stage; headers only in `headers`', () => {
    const root = { ...restApiPost, httpMethod: 'GET', path: '/', body: null, multiValueQueryStringParameters: null, queryStringParameters: null, requestContext: { ...restApiPost.requestContext, path: '/prod/' } };
    expect(httpCodec.programEnv!(eventBytes(root))).toMatchObject({ SCRIPT_NAME: '/prod', PATH_INFO: '/', QUERY_STRING: '', REQUEST_URI: '/prod/' });
    expect(httpCodec.programEnv!(eventBytes(root)).CONTENT_LENGTH).toBeUndefined();
    // api.example.com/prod/report (no base path mapping): the resource path happens to start with the stage name.
    const customDomain = { ...root, path: '/prod/report', requestContext: { ...restApiPost.requestContext, domainName: 'api.example.com', path: '/prod/report' } };
    expect(httpCodec.programEnv!(eventBytes(customDomain))).toMatchObject({ SCRIPT_NAME: '', PATH_INFO: '/prod/report', REQUEST_URI: '/prod/report', SERVER_NAME: 'api.example.com' });
    const singleValued = { ...root, multiValueHeaders: null, queryStringParameters: { q: 'a b' }, headers: { Cookie: 'a=1; b=2', 'X-Odd': 'v\0x' } };
    expect(httpCodec.programEnv!(eventBytes(singleValued))).toMatchObject({ QUERY_STRING: 'q=a%20b', HTTP_COOKIE: 'a=1; b=2', HTTP_X_ODD: 'vx' });
  });
});

describe('http codec: CGI response → payload 1.0 response', () => {
  const page = 'Status: 201 Created\nContent-Type: text/html\nSet-Cookie: a=1; Path=/\nSet-Cookie: b=2; HttpOnly\nVary: Accept\n\n<p>hi</p>';

  it('REST API: Set-Cookie lines in multiValueHeaders (1.0 has no `cookies`), every other header in both maps', () => {
    expect(answer(restApiPost, { stdout: page })).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'text/html', vary: 'Accept' },
      multiValueHeaders: { 'content-type': ['text/html'], vary: ['Accept'], 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] },
      body: '<p>hi</p>',
      isBase64Encoded: false,
    } satisfies HttpResponseV1);
  });

  it('ALB: the same, with the statusDescription an ALB needs', () => {
    expect(answer(albGet, { stdout: page })).toEqual({
      statusCode: 201,
      statusDescription: '201 Created',
      headers: { 'content-type': 'text/html', vary: 'Accept' },
      multiValueHeaders: { 'content-type': ['text/html'], vary: ['Accept'], 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] },
      body: '<p>hi</p>',
      isBase64Encoded: false,
    } satisfies HttpResponseV1);
    expect(answer(albMultiPost, { stdout: 'Status: 299 Custom\n\n' })).toEqual({ statusCode: 299, statusDescription: '299', headers: {}, multiValueHeaders: {}, body: '', isBase64Encoded: false });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const binary = httpCodec.decodeOutput({ stdout: Buffer.concat([Buffer.from('Content-Type: image/png\n\n'), png]), exitCode: 0 }, eventBytes(albGet)) as Buffer;
    expect(JSON.parse(binary.toString())).toMatchObject({ statusCode: 200, statusDescription: '200 OK', body: png.toString('base64'), isBase64Encoded: true });
  });

  it('a failure is a 502 in the request\'s format', () => {
    const failure = { errorType: 'Function.ProgramExitError', errorMessage: 'secret details', stackTrace: [] };
    const body = "502 Bad Gateway: the program failed (Function.ProgramExitError); the details are in the function's log.\n";
    const headers = { 'content-type': 'text/plain; charset=utf-8' };
    const multiValueHeaders = { 'content-type': ['text/plain; charset=utf-8'] };
    expect(answer(restApiPost, { exitCode: 3, failure })).toEqual({ statusCode: 502, headers, multiValueHeaders, body, isBase64Encoded: false });
    expect(answer(albGet, { exitCode: 3, failure })).toEqual({ statusCode: 502, statusDescription: '502 Bad Gateway', headers, multiValueHeaders, body, isBase64Encoded: false });
    expect(answer(formPost, { exitCode: 3, failure })).toEqual({ statusCode: 502, headers, body, isBase64Encoded: false });
  });

  it('a payload 2.0 event still gets a payload 2.0 response; a CGI error is still a diagnostic', () => {
    expect(answer(formPost, { stdout: page })).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'text/html', vary: 'Accept' },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: '<p>hi</p>',
      isBase64Encoded: false,
    });
    expect(answer(restApiPost, { stdout: '<html>\n' })).toMatchObject({ errorType: 'Function.InvalidCgiResponse' });
  });
});

describe('http mode through ProgramInvoker: real programs; every failure is a 502, details in the log', () => {
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

  it('a COBOL CGI program behind a REST API and an ALB: the CGI variables it saw, its cookies in multiValueHeaders', async () => {
    const program = compileTestProgram('cgienv.cbl', join(dir, 'cobol'));
    const cookies = ['visits=1; Path=/; HttpOnly', 'lang=en; Path=/'];
    const headers = { 'content-type': 'text/plain; charset=utf-8' };
    const multiValueHeaders = { 'content-type': ['text/plain; charset=utf-8'], 'set-cookie': cookies };
    expect((await invoke(program, restApiPost)).response).toEqual({
      statusCode: 200,
      headers,
      multiValueHeaders,
      body: [
        'REQUEST_METHOD=POST',
        'SCRIPT_NAME=/prod',
        'PATH_INFO=/sign/café',
        'QUERY_STRING=lang=en&tag=a%20b&tag=x%26y',
        'REQUEST_URI=/prod/sign/caf%C3%A9?lang=en&tag=a%20b&tag=x%26y',
        'CONTENT_TYPE=application/x-www-form-urlencoded',
        'CONTENT_LENGTH=22',
        'REMOTE_ADDR=203.0.113.7',
        'SERVER_NAME=abc123defg.execute-api.us-east-1.amazonaws.com',
        'SERVER_PORT=443',
        'SERVER_PROTOCOL=HTTP/1.1',
        'HTTPS=on',
        'HTTP_COOKIE=session=abc; theme=dark',
        'HTTP_ACCEPT_LANGUAGE=en-GB, fr;q=0.5',
        'HTTP_PROXY unset',
        'body=name=Ada&message=hi%21',
        '',
      ].join('\n'),
      isBase64Encoded: false,
    });
    expect((await invoke(program, albGet)).response).toEqual({
      statusCode: 200,
      statusDescription: '200 OK',
      headers,
      multiValueHeaders,
      body: [
        'REQUEST_METHOD=GET',
        'SCRIPT_NAME=',
        'PATH_INFO=/lambda/café',
        'QUERY_STRING=query=1234ABCD&q=a%20b%26c',
        'REQUEST_URI=/lambda/caf%C3%A9?query=1234ABCD&q=a%20b%26c',
        'CONTENT_TYPE unset',
        'CONTENT_LENGTH unset',
        'REMOTE_ADDR=72.12.164.125',
        'SERVER_NAME=lambda-alb-123578498.us-east-1.elb.amazonaws.com',
        'SERVER_PORT=80',
        'SERVER_PROTOCOL=HTTP/1.1',
        'HTTPS unset',
        'HTTP_COOKIE=session=abc; theme=dark',
        'HTTP_ACCEPT_LANGUAGE=en-US,en;q=0.9',
        'HTTP_PROXY unset',
        'body=',
        '',
      ].join('\n'),
      isBase64Encoded: false,
    });
  }, 60_000);

  it('a REST API event gets its 502 in payload 1.0', async () => {
    const { response } = await invoke(script('fail1.sh', 'echo oops >&2; exit 3'), restApiPost);
    expect(response).toEqual({
      statusCode: 502,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      multiValueHeaders: { 'content-type': ['text/plain; charset=utf-8'] },
      body: "502 Bad Gateway: the program failed (Function.ProgramExitError); the details are in the function's log.\n",
      isBase64Encoded: false,
    });
  });

  it('an event that is not an HTTP request is an error before the program runs', async () => {
    const { result } = await invoke(script('never.sh', 'touch never-ran'), { name: 'Ada' });
    expect(result.ok).toBe(false);
  });
});

describe('wiring', () => {
  it('codecFor picks the http codec from the metadata', async () => {
    const root = tempDir('http-meta');
    mkdirSync(join(root, 'cobolambda', 'programs'), { recursive: true });
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'cobolambda', 'programs', 'page.json'), JSON.stringify({ name: 'page', mode: 'http' }));
    expect(await codecFor('page', join(root, 'bin'))).toBe(httpCodec);
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
