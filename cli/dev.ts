// `cobolambda dev`: serve cobol/ locally and tell the user how to call it.
import { spawnSync } from 'node:child_process';
import { DevServer, type DevServerOptions } from '../dev/dev-server.ts';
import { functionUrl } from '../dev/function-url.ts';
import { callExampleEvent } from '../layer/metadata.ts';

export type DevCliOptions = Omit<DevServerOptions, 'workDir' | 'watch' | 'log'>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function awsCliMajorVersion(): number | undefined {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const m = /aws-cli\/(\d+)/.exec(`${r.stdout}${r.stderr}`);
  return m ? Number(m[1]) : undefined;
}

export async function devCommand(o: DevCliOptions): Promise<number> {
  const log = (line: string) => console.log(line);
  if (!LOOPBACK.has(o.host)) {
    console.warn(`warning: binding ${o.host}: anyone who can reach this address can run your programs. dev has no authentication.`);
  }
  const server = new DevServer({ ...o, workDir: '.cobolambda/dev', watch: true, log });
  const url = await server.start();
  const cliV2 = awsCliMajorVersion() !== 1;
  log(`\ncobolambda dev: ${server.programs.length} function(s) on ${url} (Lambda Invoke API; Ctrl-C stops)\n`);
  for (const spec of server.programs) {
    const payload = spec.example ?? callExampleEvent(spec) ?? '{}';
    const quoted = `'${payload.replaceAll("'", "'\\''")}'`;
    log(`${spec.name}  (${spec.mode}, timeout ${spec.timeoutSeconds} s, ${spec.memorySizeMb} MB)`);
    if (spec.mode === 'http') {
      // Served as a Function URL would be: open it in a browser.
      log(`  ${functionUrl(url, spec.name)}  (Function URL: open it in a browser, or curl it)\n`);
      continue;
    }
    log(`  aws lambda invoke --endpoint-url ${url} --function-name ${spec.name}${cliV2 ? ' --cli-binary-format raw-in-base64-out' : ''} --payload ${quoted} out.json && cat out.json`);
    log(`  npx cobolambda invoke ${spec.name} --payload ${quoted}${o.port === 3001 && LOOPBACK.has(o.host) ? '' : ` --endpoint ${url}`}\n`);
  }
  log('(dev checks no signature, but the AWS CLI and SDK want credentials to sign with: any will do,');
  log(' e.g. export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1)');
  log(`watching ${o.cobolDir} for changes`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
