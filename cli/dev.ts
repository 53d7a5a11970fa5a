// `cobolambda dev`: serve cobol/ locally and tell the user how to call it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { DevServer, type DevServerOptions } from '../dev/dev-server.ts';
import { functionUrl } from '../dev/function-url.ts';
import { callExampleEvent } from '../layer/metadata.ts';
import { hasFunctionUrl, type FunctionUrls } from '../layer/programs.ts';

export type DevCliOptions = Omit<DevServerOptions, 'workDir' | 'watch' | 'log'>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Asynchronous: AWS CLI v1 takes seconds to say its version, and the server must answer meanwhile. */
function awsCliMajorVersion(): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('aws', ['--version'], { encoding: 'utf8' }, (_err, stdout, stderr) => {
      const m = /aws-cli\/(\d+)/.exec(`${stdout ?? ''}${stderr ?? ''}`);
      resolve(m ? Number(m[1]) : undefined);
    });
  });
}

/** The deploy settings in ./cdk.json that `dev` mirrors (Function URLs and their auth). */
function deploySettings(): { functionUrls?: FunctionUrls; functionUrlAuth: string } {
  let context: Record<string, unknown> = {};
  if (existsSync('cdk.json')) {
    try {
      context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
    } catch {
      // A broken cdk.json is deploy's to report; dev goes on with the defaults.
    }
  }
  const urls = context.functionUrls;
  return {
    functionUrls: urls === 'http' || urls === 'all' || urls === 'none' ? urls : undefined,
    functionUrlAuth: typeof context.functionUrlAuth === 'string' ? context.functionUrlAuth : 'AWS_IAM',
  };
}

/** What a deployed URL answers a browser, said where the local URL is printed. */
function authNote(auth: string): string {
  return auth === 'NONE'
    ? 'deployed with functionUrlAuth NONE, its URL is public'
    : 'deployed, its URL is AWS_IAM by default: a browser gets 403 Forbidden there; callers sign with SigV4, or deploy with -c functionUrlAuth=NONE for a public URL';
}

export async function devCommand(o: DevCliOptions): Promise<number> {
  const log = (line: string) => console.log(line);
  if (!LOOPBACK.has(o.host)) {
    console.warn(`warning: binding ${o.host}: anyone who can reach this address can run your programs. dev has no authentication.`);
  }
  const deploy = deploySettings();
  const functionUrls = o.functionUrls ?? deploy.functionUrls ?? 'http';
  const server = new DevServer({ ...o, functionUrls, workDir: '.cobolambda/dev', watch: true, log });
  const cliVersion = awsCliMajorVersion();
  const url = await server.start();
  const cliV2 = (await cliVersion) !== 1;
  log(`\ncobolambda dev: ${server.programs.length} function(s) on ${url} (Lambda Invoke API; Ctrl-C stops)\n`);
  // AWS CLI v1 reads only AWS_DEFAULT_REGION, the JavaScript SDK only AWS_REGION: set both.
  log('The AWS CLI and SDK want credentials and a region to sign with (dev checks no signature; any will do):');
  log(`  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=${o.region} AWS_REGION=${o.region}\n`);
  for (const spec of server.programs) {
    const payload = spec.example ?? callExampleEvent(spec) ?? '{}';
    const quoted = `'${payload.replaceAll("'", "'\\''")}'`;
    log(`${spec.name}  (${spec.mode}, timeout ${spec.timeoutSeconds} s, ${spec.memorySizeMb} MB)`);
    if (hasFunctionUrl(spec, functionUrls)) {
      log(`  ${functionUrl(url, spec.name)}  (Function URL: open it in a browser, or curl it)`);
      log(`  (${authNote(deploy.functionUrlAuth)})`);
      // An http-mode program answers requests, not events: the URL is the way to call it.
      if (spec.mode === 'http') {
        log('');
        continue;
      }
    }
    log(`  aws lambda invoke --endpoint-url ${url} --function-name ${spec.name}${cliV2 ? ' --cli-binary-format raw-in-base64-out' : ''} --payload ${quoted} out.json && cat out.json`);
    log(`  npx cobolambda invoke ${spec.name} --payload ${quoted}${o.port === 3001 && LOOPBACK.has(o.host) ? '' : ` --endpoint ${url}`}\n`);
  }
  log(`watching ${o.cobolDir} for changes`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
