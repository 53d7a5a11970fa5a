// http mode end to end: the guestbook sample compiled by `dev` with the real
// cobc, driven with the event a Function URL sends (through the Invoke API),
// through dev's own Function URLs (/fn/<name>/), and in headless chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { DevServer } from '../dev/dev-server.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { Browser, chromiumPath, dumpDom } from './support/chromium.ts';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'cobol');

function makeCobolDir(): string {
  const dir = tempDir('http-dev');
  copyFileSync(join(SAMPLES, 'guestbook.cbl'), join(dir, 'guestbook.cbl'));
  copyFileSync(join(TEST_COBOL_DIR, 'fail.cbl'), join(dir, 'failhttp.cbl'));
  copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(dir, 'echo.cbl'));
  writeFileSync(join(dir, 'broken.cbl'), 'IDENTIFICATION DIVISION.\nPROGRAM-ID. broken.\nPROCEDURE DIVISION.\n    NOT COBOL AT ALL.\n');
  writeFileSync(
    join(dir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        guestbook: { mode: 'http' },
        failhttp: { mode: 'http', cobcFlags: ['-free'] },
        echo: { cobcFlags: ['-free'] },
        broken: { mode: 'http', cobcFlags: ['-free'] },
      },
    }),
  );
  return dir;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = request(url, { method, headers: { ...(data ? { 'content-length': String(data.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const logs: string[] = [];
let server: DevServer;
let url: string;

beforeAll(async () => {
  server = new DevServer({
    cobolDir: makeCobolDir(),
    workDir: tempDir('http-dev-work'),
    host: '127.0.0.1',
    port: 0,
    concurrency: 4,
    region: 'us-east-1',
    watch: false,
    log: (l) => logs.push(l),
    // Every function gets a URL here (deploy's -c functionUrls=all), so raw-mode ones can be reached too.
    functionUrls: 'all',
  });
  url = await server.start();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

// What a Function URL sends for a browser's form post: the body base64-encoded
// (Function URLs pass only text/* and JSON bodies as text), cookies split out.
const functionUrlEvent = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  cookies: ['seen=1'],
  headers: {
    'sec-fetch-mode': 'navigate',
    'content-length': '56',
    'x-amzn-tls-version': 'TLSv1.2',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-for': '203.0.113.7',
    accept: 'text/html,application/xhtml+xml',
    'content-type': 'application/x-www-form-urlencoded',
    host: 'abcdefghij.lambda-url.us-east-1.on.aws',
    origin: 'https://abcdefghij.lambda-url.us-east-1.on.aws',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)',
  },
  requestContext: {
    accountId: 'anonymous',
    apiId: 'abcdefghij',
    domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
    domainPrefix: 'abcdefghij',
    http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
    requestId: '5a5d4c84-0d2f-4e7b-9f0c-0b9a4a3e2f11',
    routeKey: '$default',
    stage: '$default',
    time: '10/Apr/2024:13:30:05 +0000',
    timeEpoch: 1712755805529,
  },
  body: Buffer.from('name=Grace+%3CH%3E&message=1+%3C+2+%26%26+caf%C3%A9%21').toString('base64'),
  isBase64Encoded: true,
};

describe('an http-mode program through the Invoke API, with the event a Function URL sends', () => {
  it('answers the payload v2 response with the CGI page', async () => {
    const r = await call(`${url}/2015-03-31/functions/guestbook/invocations`, 'POST', JSON.stringify(functionUrlEvent));
    expect(r.status).toBe(200);
    expect(r.headers['x-amz-function-error']).toBeUndefined();
    const response = JSON.parse(r.body) as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'text/html; charset=utf-8' });
    expect(response.isBase64Encoded).toBe(false);
    expect(response.body).toMatch(/^<!DOCTYPE html>\n/);
    expect(response.body).toContain('<p id="entry-name">Grace &lt;H&gt;</p>');
    expect(response.body).toContain('<p id="entry-message">1 &lt; 2 &amp;&amp; café!</p>');
  });

  it('a failing program is a 502 response, the details in the log', async () => {
    const event = { ...functionUrlEvent, headers: { 'content-type': 'text/plain' }, body: 'return-code', isBase64Encoded: false };
    const r = await call(`${url}/2015-03-31/functions/failhttp/invocations`, 'POST', JSON.stringify(event));
    const response = JSON.parse(r.body) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(502);
    expect(response.body).toContain('Function.ProgramExitError');
    expect(logs.some((l) => l.includes('Function.ProgramExitError: program failhttp exited with status 3'))).toBe(true);
  });
});

describe("dev's Function URLs: /fn/<name>/", () => {
  it('GET renders the form', async () => {
    const r = await call(`${url}/fn/guestbook/`, 'GET');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<form method="post">');
    expect(r.body).toContain('No entries yet in this invocation');
  });

  it('POST of a form is URL-decoded, HTML-escaped and echoed', async () => {
    const r = await call(`${url}/fn/guestbook`, 'POST', 'name=Ada+%26+co&message=%3Cscript%3Ealert(1)%3C%2Fscript%3E', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<p id="entry-name">Ada &amp; co</p>');
    expect(r.body).toContain('<p id="entry-message">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(logs).toContain('guestbook POST /fn/guestbook/ -> 200');
  });

  it("the program's Status and headers reach the client", async () => {
    const r = await call(`${url}/fn/guestbook/anything?x=1`, 'PUT', 'x');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, POST');
    expect(r.body).toBe('guestbook answers GET and POST only\n');
  });

  it('a failing program is a 502; a function error (Unhandled) is 502 Internal Server Error', async () => {
    const failed = await call(`${url}/fn/failhttp/`, 'POST', 'return-code', { 'content-type': 'text/plain' });
    expect(failed.status).toBe(502);
    expect(failed.body).toContain('502 Bad Gateway: the program failed (Function.ProgramExitError)');
    const broken = await call(`${url}/fn/broken/`, 'GET');
    expect(broken.status).toBe(502);
    expect(broken.body).toBe('Internal Server Error');
  });

  it('with functionUrls all, a raw-mode function answers its output as a JSON body; unknown functions are 404; the Invoke API is untouched', async () => {
    const echo = await call(`${url}/fn/echo/p?q=1`, 'GET');
    expect(echo.status).toBe(200);
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.body).toContain('"rawQueryString":"q=1"');
    expect((await call(`${url}/fn/nosuch/`, 'GET')).status).toBe(404);
    const list = await call(`${url}/2015-03-31/functions/`, 'GET');
    expect(list.status).toBe(200);
  });
});

const chromium = chromiumPath();
if (!chromium) {
  console.warn('http-dev.test.ts: chromium is not installed, the browser checks are skipped (CI: apt-get install -y chromium)');
}

describe.skipIf(!chromium)('the guestbook in headless chromium', () => {
  it('renders the form (--dump-dom)', async () => {
    const dom = await dumpDom(`${url}/fn/guestbook/`);
    expect(dom).toContain('<title>COBOL guestbook</title>');
    expect(dom).toMatch(/<input name="name" id="name">/);
    expect(dom).toContain('<button type="submit" id="sign">Sign</button>');
  }, 90_000);

  it('fills the form, clicks Sign, and shows the posted entry', async () => {
    const browser = await Browser.launch();
    try {
      await browser.goto(`${url}/fn/guestbook/`);
      expect(await browser.evaluate<string>('document.title')).toBe('COBOL guestbook');
      const posted = browser.nextLoad();
      await browser.evaluate<void>(`
        document.querySelector('#name').value = 'Grace <Hopper>';
        document.querySelector('#message').value = 'Ünïcode & 100% COBOL + "quotes"';
        document.querySelector('#sign').click();`);
      await posted;
      const entry = await browser.evaluate<{ name: string; message: string; url: string }>(
        "({ name: document.querySelector('#entry-name').textContent, message: document.querySelector('#entry-message').textContent, url: location.href })",
      );
      expect(entry).toEqual({ name: 'Grace <Hopper>', message: 'Ünïcode & 100% COBOL + "quotes"', url: `${url}/fn/guestbook/` });
      expect(logs).toContain('guestbook POST /fn/guestbook/ -> 200');
    } finally {
      browser.close();
    }
  }, 90_000);
});
