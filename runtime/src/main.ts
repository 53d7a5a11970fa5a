// The bootstrap's entry: read the environment, resolve the program, serve.
import { RuntimeApiClient } from './runtime-api-client.ts';
import { resolveHandler } from './handler-resolver.ts';
import { ProgramInvoker, sharedProgramEnv } from './program-invoker.ts';
import { runInvocationLoop } from './invocation-loop.ts';
import { codecFor } from './codecs/index.ts';
import { prepareSpawn } from './program-runner.ts';

const LAMBDA_MAX_RESPONSE = 6_291_556;

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

function fatal(message: string): never {
  process.stderr.write(`cobolambda: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) fatal('AWS_LAMBDA_RUNTIME_API is not set; this bootstrap must be started by Lambda or `cobolambda dev`');
  const client = new RuntimeApiClient(address);
  const programDir = process.env.COBOLAMBDA_PROGRAM_DIR || '/opt/bin';
  const writeLog = (line: string) => process.stderr.write(`${line}\n`);

  const handler = resolveHandler(process.env._HANDLER, programDir);
  if (!handler.ok) {
    writeLog(handler.error.errorMessage);
    await client.postInitError(handler.error).catch(() => {});
    process.exit(1);
  }
  const maxResponseBytes = envNumber('COBOLAMBDA_MAX_RESPONSE_BYTES', LAMBDA_MAX_RESPONSE);
  const codec = await codecFor(handler.name, programDir, { maxResponseBytes, env: process.env });
  if (!('encodeInput' in codec)) {
    writeLog(codec.errorMessage);
    await client.postInitError(codec).catch(() => {});
    process.exit(1);
  }

  // The program need not see how to reach the Runtime API: only the runtime speaks to it.
  // COBOLAMBDA_FORK_SERVER would make a program built by cobolambda wait for requests
  // on stdin instead of running: only the runtime sets it, for the server it starts.
  const { AWS_LAMBDA_RUNTIME_API: _api, COBOLAMBDA_FORK_SERVER: _fork, ...baseEnv } = process.env as Record<string, string>;
  // Start the program's fork server (or the spawn helper) during init, so the first invocation does not
  // pay for it, but once the first `next` is on its way: Lambda's Init Duration ends at that request.
  setImmediate(() => prepareSpawn(handler.file, sharedProgramEnv(baseEnv)));
  const invoker = new ProgramInvoker({
    programName: handler.name,
    programFile: handler.file,
    codec,
    baseEnv,
    deadlineMarginMs: envNumber('COBOLAMBDA_DEADLINE_MARGIN_MS', 500),
    maxResponseBytes,
    stderrLimitBytes: envNumber('COBOLAMBDA_STDERR_LIMIT_BYTES', 256 * 1024),
    jsonLogs: process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON',
    writeLog,
  });
  await runInvocationLoop(client, (inv) => invoker.invoke(inv.event, inv.context), writeLog);
}

main().catch((err: Error) => fatal(err.message));
