// One HTTP/1.1 keep-alive connection to the Runtime API, on node:net, with
// http-parser-js reading the answers. Not node:http: loading it and making its
// first request cost about 11 ms of every cold start (measured by
// `npm run bench`), more than the rest of the runtime together; the Runtime API
// needs one connection, one request at a time, and no redirects, cookies or TLS.
import { connect, type Socket } from 'node:net';
import { HTTPParser } from 'http-parser-js';

// Header bytes are read as Latin-1, as node:http does: context.ts decodes the UTF-8 ones.
HTTPParser.encoding = 'latin1';

export interface Reply {
  status: number;
  /** Lower-case names; repeated headers joined with ", " as node:http does. */
  headers: Record<string, string>;
  body: Buffer;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
  what: string;
  status: number;
  headers: Record<string, string>;
  chunks: Buffer[];
  keepAlive: boolean;
}

const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export class HttpConnection {
  private socket: Socket | undefined;
  private pending: Pending | undefined;
  /** Requests wait for the one before them: the connection carries one exchange at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const run = () => this.exchange(method, path, body, headers);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private exchange(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const what = `${method} ${path}`;
      let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
      for (const [name, value] of Object.entries(headers)) {
        if (!HEADER_VALUE.test(value)) return reject(new Error(`header ${name} of ${what} has a character HTTP does not allow`));
        head += `${name}: ${value}\r\n`;
      }
      if (body) head += `Content-Length: ${body.length}\r\n`;
      head += '\r\n';
      this.pending = { resolve, reject, what, status: 0, headers: {}, chunks: [], keepAlive: true };
      const socket = this.connection();
      socket.cork();
      socket.write(head, 'latin1');
      if (body && body.length > 0) socket.write(body);
      socket.uncork();
    });
  }

  private connection(): Socket {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return this.socket;
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      const p = this.pending;
      if (!p) return;
      p.status = info.statusCode;
      p.keepAlive = info.shouldKeepAlive;
      for (let i = 0; i < info.headers.length; i += 2) {
        const name = info.headers[i]!.toLowerCase();
        const value = info.headers[i + 1]!;
        p.headers[name] = name in p.headers ? `${p.headers[name]}, ${value}` : value;
      }
    };
    parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      this.pending?.chunks.push(chunk.subarray(offset, offset + length));
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      const p = this.pending;
      if (!p) return;
      this.pending = undefined;
      // An answer that says the connection ends: the next request opens a new one.
      if (!p.keepAlive) this.drop(socket);
      p.resolve({ status: p.status, headers: p.headers, body: Buffer.concat(p.chunks) });
    };
    socket.on('data', (data: Buffer) => {
      if (!this.pending) return this.fail(socket, 'the Runtime API sent bytes while no request was open');
      const what = this.pending.what;
      const parsed = parser.execute(data);
      if (parsed instanceof Error) this.fail(socket, `the Runtime API's answer to ${what} is not HTTP: ${parsed.message}`);
    });
    socket.on('end', () => {
      // An answer without a length ends with the connection.
      if (this.pending && this.pending.status !== 0) parser.finish();
      this.fail(socket, `connection dropped while reading ${this.pending?.what ?? ''}`.trimEnd());
    });
    socket.on('error', (err) => this.fail(socket, err.message));
    socket.on('close', () => this.fail(socket, `connection closed before the answer to ${this.pending?.what ?? ''}`.trimEnd()));
    this.socket = socket;
    return socket;
  }

  private drop(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
  }

  private fail(socket: Socket, message: string): void {
    const current = this.socket === socket;
    this.drop(socket);
    if (!current) return;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new Error(message));
  }
}
