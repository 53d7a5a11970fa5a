// The Lambda Invoke API (and ListFunctions/GetFunction) over HTTP, so the AWS
// CLI and @aws-sdk/client-lambda work unchanged against `dev`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { FunctionPool, TooManyRequestsError, type InvocationReport } from './function-pool.ts';
import { functionArn, LOCAL_ACCOUNT_ID } from './execution-environment.ts';
import { readBody } from './runtime-api-server.ts';
import { functionUrl, serveFunctionUrl } from './function-url.ts';
import { decodeClientContext } from './client-context.ts';
import { EventQueue, LAMBDA_EVENT_SETTINGS, type EventQueueSettings } from './event-queue.ts';
import { sendError, sendJson, ServiceError, tooManyRequests } from './service-error.ts';

export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
/** Event invocations take up to 1 MB, as Invoke does now (256 KB was the old InvokeAsync limit). */
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
const LOG_TAIL_BYTES = 4096;
const API_PREFIX = '/2015-03-31/functions';

export interface InvokeApiOptions {
  functions: () => Map<string, FunctionPool>;
  writeLog: (line: string) => void;
  /** Where the functions live, for the ARNs of functions that do not (default us-east-1 and dev's account). */
  region?: string;
  accountId?: string;
  events?: Partial<EventQueueSettings>;
  /** Slow clients are cut off after this long without a complete request. */
  requestTimeoutMs?: number;
  /** ...and after this long without complete headers (a client sending them byte by byte). */
  headersTimeoutMs?: number;
}

export class InvokeApi {
  readonly server: http.Server;
  readonly events: EventQueue;
  private baseUrl = '';

  constructor(private readonly options: InvokeApiOptions) {
    this.events = new EventQueue(options.functions, { ...LAMBDA_EVENT_SETTINGS, ...options.events }, options.writeLog);
    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    // Node refuses a headers timeout longer than the request timeout, and checks both only
    // every connectionsCheckingInterval (30 s by default): check often enough to mean it.
    const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
    const connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 2)));
    this.server = http.createServer({ requestTimeout, headersTimeout, connectionsCheckingInterval }, (req, res) => {
      this.route(req, res).catch((err: unknown) => {
        const e = err instanceof ServiceError ? err : new ServiceError(500, 'ServiceException', (err as Error).message);
        sendError(res, e);
      });
    });
    // A client that reuses a connection just as the server closes it gets ECONNRESET (the SDK did,
    // in dev.test.ts, after 5 s idle): idle connections stay open about as long as clients keep them.
    this.server.keepAliveTimeout = 120_000;
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    return this.baseUrl;
  }

  /** Event invocations still queued, running or waiting for a retry. */
  async drain(): Promise<void> {
    await this.events.drain();
  }

  async close(): Promise<void> {
    this.events.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (await serveFunctionUrl(req, res, this.options.functions(), this.options.writeLog)) return;
    if (req.method === 'GET' && path === '/') return this.describe(res);
    if (req.method === 'GET' && (path === API_PREFIX || path === `${API_PREFIX}/`)) return this.listFunctions(res);
    if (!path.startsWith(`${API_PREFIX}/`)) throw new ServiceError(404, 'UnknownOperationException', `no such operation: ${req.method} ${path}`);
    const rest = path.slice(API_PREFIX.length + 1).split('/');
    const name = decodeSegment(rest[0]!);
    const qualifier = url.searchParams.get('Qualifier') ?? undefined;
    const op = rest.slice(1).join('/');
    if (req.method === 'POST' && op === 'invocations') return this.invoke(req, res, name, qualifier);
    if (req.method === 'GET' && op === '') return this.getFunction(res, name, qualifier, true);
    if (req.method === 'GET' && op === 'configuration') return this.getFunction(res, name, qualifier, false);
    throw new ServiceError(404, 'UnknownOperationException', `no such operation: ${req.method} ${path}`);
  }

  private find(nameOrArn: string, qualifier: string | undefined): FunctionPool {
    // A name, a partial ARN (123456789012:function:name) or a full ARN in any partition, with an optional :qualifier.
    const m = /^(arn:aws(?:-cn|-us-gov)?:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]+))?$/.exec(nameOrArn);
    const [, prefix, name, arnQualifier] = m ?? [];
    const q = qualifier ?? arnQualifier;
    const pool = name ? this.options.functions().get(name) : undefined;
    if (pool && (q === undefined || q === '$LATEST')) return pool;
    // Lambda names the full ARN of what it looked for; a name it could not parse is shown as given.
    let shown = nameOrArn.length > 200 ? `${nameOrArn.slice(0, 200)}…` : nameOrArn;
    if (name) {
      const account = prefix && !prefix.startsWith('arn:') ? prefix.slice(0, 12) : (this.options.accountId ?? LOCAL_ACCOUNT_ID);
      const arn = prefix?.startsWith('arn:') ? `${prefix}${name}` : functionArn({ region: this.options.region ?? 'us-east-1', accountId: account, name });
      shown = q === undefined ? arn : `${arn}:${q}`;
    }
    throw new ServiceError(404, 'ResourceNotFoundException', `Function not found: ${shown}`);
  }

  private async invoke(req: http.IncomingMessage, res: http.ServerResponse, name: string, qualifier: string | undefined): Promise<void> {
    const pool = this.find(name, qualifier);
    const type = headerText(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw new ServiceError(400, 'InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not ${type}`);
    }
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    const { body, tooLarge } = await readBody(req, limit);
    if (tooLarge) {
      throw new ServiceError(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    }
    if (body.length > 0) {
      try {
        JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new ServiceError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
      }
    }
    const clientContext = decodeClientContext(headerText(req, 'x-amz-client-context'));
    const requestId = randomUUID();
    const traceId = headerText(req, 'x-amzn-trace-id');
    const invocation = { requestId, payload: body, clientContext, traceId };

    if (type === 'DryRun') {
      res.writeHead(204, { 'x-amzn-requestid': requestId });
      return void res.end();
    }
    if (type === 'Event') {
      if (!this.events.enqueue(pool.settings.name, invocation)) throw tooManyRequests('FunctionInvocationRateLimitExceeded');
      res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': 0 });
      return void res.end();
    }
    let report: InvocationReport;
    try {
      report = await pool.invoke(invocation);
    } catch (err) {
      if (err instanceof TooManyRequestsError) throw tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded');
      throw err;
    }
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': '$LATEST',
      'content-length': report.outcome.body.length,
    };
    if (report.outcome.kind === 'error') headers['x-amz-function-error'] = 'Unhandled';
    if ((headerText(req, 'x-amz-log-type') ?? 'None') === 'Tail') {
      const log = Buffer.from(`${report.log.join('\n')}\n`);
      headers['x-amz-log-result'] = log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
    }
    res.writeHead(200, headers);
    res.end(report.outcome.body);
  }

  /** `GET /`: what this is, and how to call each function. */
  private describe(res: http.ServerResponse): void {
    const functions = [...this.options.functions().values()].map((p) => ({
      name: p.settings.name,
      arn: functionArn(p.settings),
      invoke: `POST ${this.baseUrl}${API_PREFIX}/${p.settings.name}/invocations`,
      ...(p.settings.functionUrl ? { functionUrl: functionUrl(this.baseUrl, p.settings.name) } : {}),
    }));
    const text = `${JSON.stringify(
      {
        service: 'cobolambda dev: a local AWS Lambda (Invoke API) serving GnuCOBOL programs',
        endpoint: this.baseUrl,
        try: `aws lambda list-functions --endpoint-url ${this.baseUrl}`,
        functions,
      },
      null,
      2,
    )}\n`;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private listFunctions(res: http.ServerResponse): void {
    const functions = [...this.options.functions().values()].map((p) => configuration(p));
    sendJson(res, 200, { Functions: functions });
  }

  private getFunction(res: http.ServerResponse, name: string, qualifier: string | undefined, withCode: boolean): void {
    const pool = this.find(name, qualifier);
    const config = configuration(pool);
    sendJson(res, 200, withCode ? { Configuration: config, Code: { RepositoryType: 'S3', Location: `file://${pool.settings.programDir}` } } : config);
  }
}

function configuration(pool: FunctionPool): Record<string, unknown> {
  const s = pool.settings;
  return {
    FunctionName: s.name,
    FunctionArn: functionArn(s),
    Runtime: 'provided.al2023',
    Handler: s.name,
    Role: `arn:aws:iam::${s.accountId}:role/cobolambda-local`,
    CodeSize: 0,
    Description: 'GnuCOBOL program served by cobolambda dev',
    Timeout: s.timeoutSeconds,
    MemorySize: s.memorySizeMb,
    Version: '$LATEST',
    PackageType: 'Zip',
    Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
    // Pending while dev compiles the program (an invocation waits for it), Failed while it does not compile.
    State: pool.state,
    ...(pool.state === 'Pending' ? { StateReasonCode: 'Creating', StateReason: 'cobolambda dev is compiling the program' } : {}),
    ...(pool.state === 'Failed' ? { StateReasonCode: 'InvalidConfiguration', StateReason: 'the program does not compile' } : {}),
    LastUpdateStatus: pool.state === 'Pending' ? 'InProgress' : pool.state === 'Failed' ? 'Failed' : 'Successful',
    Environment: { Variables: s.environment },
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerText(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
