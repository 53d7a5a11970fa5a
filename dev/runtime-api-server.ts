// A Lambda Runtime API for one execution environment, served over real HTTP:
// the bootstrap under `dev` (and under test) talks to it exactly as it talks to
// Lambda. It queues invocations, hands them to `next`, and settles each with the
// runtime's response or error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { utf8HeaderValue } from './client-context.ts';

export const MAX_RESPONSE_BYTES = 6_291_556;

export interface InvocationRequest {
  event: Buffer;
  deadlineMs: number;
  requestId?: string;
  invokedFunctionArn?: string;
  traceId?: string;
  /** JSON text; sent as its UTF-8 bytes, as Lambda sends it. */
  clientContext?: string;
  cognitoIdentity?: string;
}

export type InvocationOutcome =
  | { kind: 'response'; body: Buffer }
  | { kind: 'error'; errorType: string; body: Buffer };

export interface InitError {
  errorType: string;
  body: Buffer;
}

interface Pending {
  request: InvocationRequest & { requestId: string };
  settle: (outcome: InvocationOutcome) => void;
}

export class RuntimeApiServer {
  private readonly server: http.Server;
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private waitingNext: http.ServerResponse | undefined;
  private nextFailuresLeft = 0;
  private initErrorListeners: Array<(e: InitError) => void> = [];
  private nextListeners: Array<() => void> = [];
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(private readonly maxResponseBytes = MAX_RESPONSE_BYTES) {
    this.server = http.createServer((req, res) => this.route(req, res));
    this.server.keepAliveTimeout = 0;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${host}:${port}`;
  }

  /** Queues one invocation; the promise settles when the runtime answers. */
  invoke(request: InvocationRequest): { requestId: string; outcome: Promise<InvocationOutcome> } {
    const requestId = request.requestId ?? randomUUID();
    const outcome = new Promise<InvocationOutcome>((settle) => {
      this.queue.push({ request: { ...request, requestId }, settle });
    });
    this.dispatch();
    return { requestId, outcome };
  }

  /** Settles every invocation the runtime holds or has not taken yet (it died or was reset). */
  failAll(outcome: InvocationOutcome): void {
    for (const p of [...this.inFlight.values(), ...this.queue.splice(0)]) p.settle(outcome);
    this.inFlight.clear();
  }

  /** Fault injection: answer the next `count` polls of `next` with HTTP 500. */
  failNextPolls(count: number): void {
    this.nextFailuresLeft = count;
  }

  onInitError(listener: (e: InitError) => void): void {
    this.initErrorListeners.push(listener);
  }

  /** Called each time the runtime starts waiting on `next`. */
  onNext(listener: () => void): void {
    this.nextListeners.push(listener);
  }

  /** Drops every open connection, as a crashed or restarted Runtime API would. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.waitingNext = undefined;
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') return this.next(res);
    const result = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && result) return this.result(req, res, decodeURIComponent(result[1]!), result[2] as 'response' | 'error');
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      return void readBody(req, this.maxResponseBytes).then(({ body }) => {
        const errorType = headerText(req, 'lambda-runtime-function-error-type') ?? 'Runtime.Unknown';
        reply(res, 202, { status: 'OK' });
        for (const l of this.initErrorListeners) l({ errorType, body });
      });
    }
    reply(res, 404, { errorMessage: `no such Runtime API route: ${req.method} ${url}`, errorType: 'InvalidRequest' });
  }

  private next(res: http.ServerResponse): void {
    if (this.nextFailuresLeft > 0) {
      this.nextFailuresLeft--;
      return reply(res, 500, { errorMessage: 'injected failure', errorType: 'ServiceException' });
    }
    this.waitingNext = res;
    res.on('close', () => {
      if (this.waitingNext === res) this.waitingNext = undefined;
    });
    for (const l of this.nextListeners) l();
    this.dispatch();
  }

  private dispatch(): void {
    const res = this.waitingNext;
    if (!res || this.queue.length === 0) return;
    if (res.destroyed || !res.socket || res.socket.destroyed) {
      this.waitingNext = undefined;
      return;
    }
    const pending = this.queue.shift()!;
    this.waitingNext = undefined;
    const r = pending.request;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': r.event.length,
      'lambda-runtime-aws-request-id': r.requestId,
      'lambda-runtime-deadline-ms': String(r.deadlineMs),
    };
    if (r.invokedFunctionArn) headers['lambda-runtime-invoked-function-arn'] = r.invokedFunctionArn;
    if (r.traceId) headers['lambda-runtime-trace-id'] = r.traceId;
    if (r.clientContext) headers['lambda-runtime-client-context'] = utf8HeaderValue(r.clientContext);
    if (r.cognitoIdentity) headers['lambda-runtime-cognito-identity'] = utf8HeaderValue(r.cognitoIdentity);
    try {
      res.writeHead(200, headers);
    } catch (err) {
      // A header Node refuses to send: this invocation fails, the runtime keeps its poll.
      this.waitingNext = res;
      const message = `the invocation could not be handed to the runtime: ${(err as Error).message}`;
      pending.settle({ kind: 'error', errorType: 'Runtime.InvalidInvocation', body: Buffer.from(JSON.stringify({ errorType: 'Runtime.InvalidInvocation', errorMessage: message })) });
      return this.dispatch();
    }
    this.inFlight.set(r.requestId, pending);
    // An event written to a connection that drops before it is flushed was never
    // delivered: it goes back to the front of the queue for the next poll.
    res.on('close', () => {
      if (!res.writableFinished && this.inFlight.delete(r.requestId)) this.queue.unshift(pending);
    });
    res.end(r.event);
  }

  private result(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, kind: 'response' | 'error'): void {
    void readBody(req, this.maxResponseBytes).then(({ body, tooLarge }) => {
      const pending = this.inFlight.get(requestId);
      if (!pending) {
        return reply(res, 400, { errorMessage: `unknown or already answered request id ${requestId}`, errorType: 'InvalidRequestID' });
      }
      if (tooLarge) {
        // As Lambda does: the runtime is told, and may still post an error for this request.
        return reply(res, 413, { errorMessage: `response over ${this.maxResponseBytes} bytes`, errorType: 'RequestEntityTooLarge' });
      }
      this.inFlight.delete(requestId);
      reply(res, 202, { status: 'OK' });
      if (kind === 'response') pending.settle({ kind: 'response', body });
      else {
        const errorType = headerText(req, 'lambda-runtime-function-error-type');
        pending.settle({ kind: 'error', errorType: errorType && /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/.test(errorType) ? errorType : 'Runtime.Unknown', body });
      }
    });
  }
}

function headerText(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a request body, keeping at most `limit` bytes in memory. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(c);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge }));
    req.on('error', () => resolve({ body: Buffer.concat(chunks), tooLarge }));
  });
}
