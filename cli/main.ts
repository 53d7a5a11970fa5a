// cobolambda's command line: one small function per command.
import { parseArgs } from 'node:util';
import { doctor } from './doctor.ts';

const USAGE = `usage: cobolambda <command> [options]

commands:
  build [--cobol DIR] [--out DIR] [--arch x86_64|arm64] [--only NAME,...]
        compile cobol/ and write the Lambda layers under dist/
  dev [--cobol DIR] [--host 127.0.0.1] [--port 3001] [--concurrency 10] [--timeout S]
      [--region us-east-1] [--env-vars FILE] [--s3-endpoint URL]
        serve every program as a local Lambda function (Invoke API), rebuilt on change
  invoke FUNCTION [--payload JSON|@file] [--endpoint URL|aws] [--region R] [--log]
        invoke a function (default endpoint: the local dev server; "aws" for AWS itself)
  deploy [cdk deploy options]
        build and deploy every program to AWS with the CDK app (npx cdk deploy)
  doctor [--no-install]
        check (and install, as root or with sudo) GnuCOBOL and the libraries the build links
`;

type Command = (args: string[]) => Promise<number>;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${value}`);
  return n;
}

function needToolchain(): boolean {
  return doctor({ install: true, log: (l) => console.error(l) });
}

const commands: Record<string, Command> = {
  async doctor(args) {
    const { values } = parseArgs({ args, options: { 'no-install': { type: 'boolean' } } });
    return doctor({ install: !values['no-install'], log: (l) => console.error(l) }) ? 0 : 1;
  },

  async build(args) {
    const { values } = parseArgs({
      args,
      options: { cobol: { type: 'string', default: 'cobol' }, out: { type: 'string', default: 'dist' }, arch: { type: 'string' }, only: { type: 'string' } },
    });
    if (values.arch !== undefined && values.arch !== 'x86_64' && values.arch !== 'arm64') throw new Error(`--arch must be x86_64 or arm64, not ${values.arch}`);
    if (!needToolchain()) return 1;
    const { buildProject } = await import('../layer/build.ts');
    const result = await buildProject({
      cobolDir: values.cobol,
      outDir: values.out,
      arch: values.arch as 'x86_64' | 'arm64' | undefined,
      only: values.only?.split(',').filter(Boolean),
    });
    return result.ok ? 0 : 1;
  },

  async dev(args) {
    const { values } = parseArgs({
      args,
      options: {
        cobol: { type: 'string', default: 'cobol' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '3001' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        region: { type: 'string' },
        'env-vars': { type: 'string' },
        's3-endpoint': { type: 'string' },
      },
    });
    if (!needToolchain()) return 1;
    const { devCommand } = await import('./dev.ts');
    return devCommand({
      cobolDir: values.cobol,
      host: values.host,
      port: Number(values.port),
      concurrency: positiveInt(values.concurrency, 'concurrency', 10),
      timeoutSeconds: values.timeout === undefined ? undefined : positiveInt(values.timeout, 'timeout', 30),
      region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
      envVarsFile: values['env-vars'],
      s3Endpoint: values['s3-endpoint'],
    });
  },

  async deploy(args) {
    // The CDK app bundles (compiles) each program itself; this is `cdk deploy` with the project's app.
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('npx', ['cdk', 'deploy', ...args], { stdio: 'inherit' });
    return r.status ?? 1;
  },

  async invoke(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { payload: { type: 'string' }, endpoint: { type: 'string' }, region: { type: 'string' }, log: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) throw new Error('invoke takes one function name');
    const { invokeCommand, DEFAULT_ENDPOINT } = await import('./invoke.ts');
    return invokeCommand({
      functionName: positionals[0]!,
      payload: values.payload,
      endpoint: values.endpoint === 'aws' ? undefined : (values.endpoint ?? DEFAULT_ENDPOINT),
      region: values.region,
      log: values.log,
    });
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(USAGE);
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    console.error(`cobolambda ${name}: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
