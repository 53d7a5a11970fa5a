// The runtime's own HTTP/1.1 connection to the Runtime API (runtime/src/http-connection.ts),
// against real servers: node:http for what well-behaved servers send, raw sockets for the rest.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { HttpConnection } from '../runtime/src/http-connection.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { (server as http.Server).closeAllConnections?.(); server.close(() => resolve()); }));
  return (server.address() as net.AddressInfo).port;
}

/** A server that answers each request with the bytes `answer` gives for it, written as `pieces` says. */
async function rawServer(answer: (request: string, n: number) => Buffer | string, split = 0): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buffered = '';
    let n = 0;
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + length) return;
        const request = buffered.slice(0, end + length);
        buffered = buffered.slice(end + length);
        const bytes = Buffer.from(answer(request, n++));
        if (split === 0) socket.write(bytes);
        else for (let i = 0; i < bytes.length; i += split) socket.write(bytes.subarray(i, i + split));
      }
    });
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return { port, connections: () => connections };
}

describe('HttpConnection', () => {
  it('keeps one connection for many exchanges and carries bodies both ways byte for byte', async () => {
    const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    let sockets = 0;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.setHeader('x-echo-length', String(body.length));
        res.end(body);
      });
    });
    server.on('connection', () => sockets++);
    const port = await listen(server);
    const c = new HttpConnection('127.0.0.1', port);
    closers.unshift(async () => c.close());
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const replies = [
      await c.request('GET', '/2018-06-01/runtime/invocation/next'),
      await c.request('POST', '/r/1/response', big, { 'content-type': 'application/octet-stream' }),
      await c.request('POST', '/r/2/response', Buffer.alloc(0)),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies[1]!.body.equals(big)).toBe(true);
    expect(replies[1]!.headers['x-echo-length']).toBe(String(big.length));
    expect(seen.map((s) => `${s.method} ${s.url} ${s.headers['content-length'] ?? '-'}`)).toEqual([
      'GET /2018-06-01/runtime/invocation/next -',
      `POST /r/1/response ${big.length}`,
      'POST /r/2/response 0',
    ]);
    expect(seen[1]!.headers['content-type']).toBe('application/octet-stream');
    expect(sockets).toBe(1);
  });

  it('requests made together go one after another, each getting its own answer', async () => {
    const server = http.createServer((req, res) => setImmediate(() => res.end(req.url)));
    const port = await listen(server);
    const c = new HttpConnection('127.0.0.1', port);
    closers.unshift(async () => c.close());
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.request('GET', `/n/${i}`)));
    expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `/n/${i}`));
  });

  it('reads chunked answers, answers split into single bytes, and repeated headers as node:http joins them', async () => {
    const event = 'Zürich € {"a":1}';
    const body = Buffer.from(event);
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Twice: a\r\nX-Twice: b\r\n\r\n${(5).toString(16)}\r\n${body.subarray(0, 5).toString('latin1')}\r\n${(body.length - 5).toString(16)}\r\n${body.subarray(5).toString('latin1')}\r\n0\r\n\r\n`;
    const { port } = await rawServer(() => Buffer.from(chunked, 'latin1'), 1);
    const c = new HttpConnection('127.0.0.1', port);
    closers.unshift(async () => c.close());
    for (let i = 0; i < 2; i++) {
      const reply = await c.request('GET', '/next');
      expect(reply.body.toString()).toBe(event);
      expect(reply.headers['x-twice']).toBe('a, b');
    }
  });

  it('hands header bytes over as Latin-1, as node:http does, so UTF-8 in them survives', async () => {
    const json = '{"custom":{"city":"Zürich €"}}';
    const { port } = await rawServer(() => Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nLambda-Runtime-Client-Context: '), Buffer.from(json), Buffer.from('\r\nContent-Length: 0\r\n\r\n')]));
    const c = new HttpConnection('127.0.0.1', port);
    closers.unshift(async () => c.close());
    const reply = await c.request('GET', '/next');
    expect(Buffer.from(reply.headers['lambda-runtime-client-context']!, 'latin1').toString('utf8')).toBe(json);
  });

  it('an answer with Connection: close, or without a length, ends that connection; the next request opens another', async () => {
    const { port, connections } = await rawServer((_, n) => (n === 0 ? 'HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok' : 'never'));
    const c = new HttpConnection('127.0.0.1', port);
    closers.unshift(async () => c.close());
    expect((await c.request('POST', '/a', Buffer.from('x'))).status).toBe(202);
    expect((await c.request('POST', '/b', Buffer.from('y'))).status).toBe(202);
    expect(connections()).toBe(2);

    const unsized = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')));
    const c2 = new HttpConnection('127.0.0.1', await listen(unsized));
    closers.unshift(async () => c2.close());
    expect((await c2.request('GET', '/x')).body.toString()).toBe('until the end');
  });

  it('a connection dropped mid-answer, refused, or answered with something that is not HTTP rejects with the reason', async () => {
    const dropping = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part')));
    const c1 = new HttpConnection('127.0.0.1', await listen(dropping));
    closers.unshift(async () => c1.close());
    await expect(c1.request('GET', '/next')).rejects.toThrow(/connection dropped while reading GET \/next/);

    const garbage = net.createServer((socket) => socket.once('data', () => socket.write('SMTP ready\r\n\r\n')));
    const c2 = new HttpConnection('127.0.0.1', await listen(garbage));
    closers.unshift(async () => c2.close());
    await expect(c2.request('GET', '/next')).rejects.toThrow(/not HTTP/);

    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const c3 = new HttpConnection('127.0.0.1', port);
    await expect(c3.request('GET', '/next')).rejects.toThrow(/ECONNREFUSED/);
    // The connection is usable again once the server is back.
    const back = http.createServer((_, res) => res.end('back'));
    await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => back.close(() => resolve())));
    expect((await c3.request('GET', '/next')).body.toString()).toBe('back');
    c3.close();
  });

  it('refuses a header value that would split the request, before sending anything', async () => {
    const { port, connections } = await rawServer(() => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const c = new HttpConnection('127.0.0.1', port);
    closers.unshift(async () => c.close());
    await expect(c.request('POST', '/e', Buffer.from('{}'), { 'lambda-runtime-function-error-type': 'X\r\nInjected: 1' })).rejects.toThrow(/character HTTP does not allow/);
    expect(connections()).toBe(0);
  });
});
