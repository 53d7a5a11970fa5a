// The HTTP transport to the Lambda Runtime API, and nothing else: it knows the
// four calls and their headers, not programs or codecs.
import { HttpConnection, type Reply } from './http-connection.ts';
import { contextFromHeaders, InvalidInvocationError, type InvocationContext } from './context.ts';
import type { Diagnostic } from './diagnostic.ts';

export interface Invocation {
  context: InvocationContext;
  event: Buffer;
}

export class RuntimeApiUnreachableError extends Error {
  override name = 'RuntimeApiUnreachableError';
}

/** `next` handed out an invocation that cannot be answered (no request id): it is not asked for again. */
export class MalformedInvocationError extends Error {
  override name = 'MalformedInvocationError';
}

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 10, firstDelayMs: 20, maxDelayMs: 1000 };
/** Attempts to deliver one result (response or error) when the connection drops. */
const RESULT_ATTEMPTS = 4;

export class RuntimeApiClient {
  private readonly connection: HttpConnection;
  private readonly host: string;
  private readonly port: number;

  constructor(
    address: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    const url = new URL(`http://${address}`);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.connection = new HttpConnection(this.host, this.port);
  }

  /** Waits for the next event. Retries transport failures and 5xx answers with backoff. */
  async nextInvocation(): Promise<Invocation> {
    let delay = this.retry.firstDelayMs;
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        const reply = await this.request('GET', '/2018-06-01/runtime/invocation/next');
        if (reply.status === 200) return { context: this.contextOf(reply), event: reply.body };
        lastProblem = `HTTP ${reply.status}: ${reply.body.toString('utf8', 0, 200)}`;
        if (reply.status < 500) break;
      } catch (err) {
        // An invocation was handed out: asking again would drop it without a word.
        if (err instanceof MalformedInvocationError) throw err;
        lastProblem = (err as Error).message;
      }
      if (attempt < this.retry.attempts) {
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
    throw new RuntimeApiUnreachableError(
      `Runtime API at ${this.host}:${this.port} unusable after ${this.retry.attempts} attempts to get the next invocation: ${lastProblem}`,
    );
  }

  private contextOf(reply: Reply): InvocationContext {
    try {
      return contextFromHeaders(reply.headers);
    } catch (err) {
      if (err instanceof InvalidInvocationError) throw new MalformedInvocationError(`${err.message} (${reply.body.length} bytes of event)`);
      throw err;
    }
  }

  async postResponse(requestId: string, body: Buffer): Promise<number> {
    const reply = await this.requestResending(
      'POST',
      `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      body,
      { 'content-type': 'application/octet-stream' },
    );
    return reply.status;
  }

  async postError(requestId: string, error: Diagnostic): Promise<number> {
    return this.postDiagnostic(`/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/error`, error);
  }

  async postInitError(error: Diagnostic): Promise<number> {
    return this.postDiagnostic('/2018-06-01/runtime/init/error', error);
  }

  close(): void {
    this.connection.close();
  }

  private async postDiagnostic(path: string, error: Diagnostic): Promise<number> {
    const reply = await this.requestResending('POST', path, Buffer.from(JSON.stringify(error)), {
      'content-type': 'application/json',
      'lambda-runtime-function-error-type': error.errorType,
    });
    return reply.status;
  }

  /**
   * A result whose connection drops before its answer arrives is sent again on a fresh
   * connection: otherwise the invocation would wait for an answer that never comes. The
   * Runtime API accepts one result per request id, so a repeat that did arrive is refused, not doubled.
   */
  private async requestResending(method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<Reply> {
    let delay = this.retry.firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.request(method, path, body, headers);
      } catch (err) {
        if (attempt >= RESULT_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  private request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    return this.connection.request(method, path, body, headers);
  }
}
