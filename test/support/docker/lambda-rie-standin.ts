// A STAND-IN for the AWS Lambda Runtime Interface Emulator (aws-lambda-rie), for
// the test's stand-in of public.ecr.aws/lambda/provided:al2023, which no registry
// here can serve. It is NOT the emulator AWS ships: it is cobolambda's own `dev`
// Runtime API server (dev/runtime-api-server.ts) behind the emulator's one route,
//   POST :8080/2015-03-31/functions/function/invocations
// so `docker run -p 9000:8080 IMAGE <handler>` and the README's curl work as on
// the real base image. Like the emulator, it starts the bootstrap it is given
// (argv[2], /var/runtime/bootstrap) on the first invocation, with _HANDLER from
// the environment, and answers a function error with 200 and the error body.
// Bundled by esbuild into one file and run with its own Node.js (not on PATH),
// so the image under test cannot lean on a Node.js the real base image lacks.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readBody, RuntimeApiServer } from '../../../dev/runtime-api-server.ts';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
const bootstrap = process.argv[2] ?? '/var/runtime/bootstrap';
const timeoutMs = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? 300) * 1000;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'test_function';

const runtimeApi = new RuntimeApiServer();
const runtimeApiAddress = await runtimeApi.listen('127.0.0.1');
let runtime: ChildProcess | undefined;

function log(line: string): void {
  process.stdout.write(`[rie-standin] ${line}\n`);
}

/** The bootstrap, started on first use and again after it exits, as the emulator does. */
function ensureRuntime(): void {
  if (runtime) return;
  log(`starting ${bootstrap} (handler ${process.env._HANDLER ?? '(none)'}) against ${runtimeApiAddress}`);
  const child = spawn(bootstrap, [], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      AWS_LAMBDA_RUNTIME_API: runtimeApiAddress,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '3008',
    },
  });
  runtime = child;
  child.on('exit', (code, signal) => {
    log(`${bootstrap} exited (${signal ?? code})`);
    runtime = undefined;
    const body = Buffer.from(JSON.stringify({ errorMessage: `Runtime exited (${signal ?? code})`, errorType: 'Runtime.ExitError' }));
    runtimeApi.failAll({ kind: 'error', errorType: 'Runtime.ExitError', body });
  });
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== INVOKE_PATH) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`the emulator stand-in serves only POST ${INVOKE_PATH}\n`);
    return;
  }
  void readBody(req, 6 * 1024 * 1024).then(async ({ body }) => {
    ensureRuntime();
    const { requestId, outcome } = runtimeApi.invoke({
      event: body,
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:012345678912:function:${functionName}`,
    });
    log(`START RequestId: ${requestId}`);
    const result = await outcome;
    log(`END RequestId: ${requestId}${result.kind === 'error' ? ` (${result.errorType})` : ''}`);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': result.body.length });
    res.end(result.body);
  });
});

server.listen(8080, '0.0.0.0', () => log(`listening on 0.0.0.0:8080 (${INVOKE_PATH})`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    runtime?.kill('SIGKILL');
    process.exit(0);
  });
}
