// cobolambda's command line: one small function per command, each with its usage.
// Usage asked for (--help) goes to stdout with status 0; usage after a mistake
// goes to stderr with status 2, after a line naming the mistake.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checklist, doctor, formatChecklist } from './doctor.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  usage: string;
  options: Options;
  positionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], rest: string[]): Promise<number>;
  /** Arguments go to another tool unparsed (deploy → cdk deploy). */
  passThrough?: boolean;
}

const HELP: Options = { help: { type: 'boolean', short: 'h' } };

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number, not ${value}`);
  return n;
}

class UsageError extends Error {}

function needToolchain(): boolean {
  return doctor({ install: true, log: (l) => console.error(l) });
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const commands: Record<string, Command> = {
  build: {
    usage: `usage: cobolambda build [--cobol DIR] [--out DIR] [--arch x86_64|arm64] [--only NAME,...] [--jobs N] [--programs-layer]

Compiles every program in the COBOL folder, in parallel and through the build cache that dev and
synth share (.cobolambda/cache, or $COBOLAMBDA_CACHE_DIR: only what changed), and writes the runtime
layer and one code zip per function (dist/README says what each file is).

  --cobol DIR         the programs (default: cobol)
  --out DIR           where the zips go (default: dist)
  --arch ARCH         x86_64 or arm64 (default: this machine's)
  --only NAMES        build only these programs, comma-separated
  --jobs N            compiles at once (default: one per core)
  --programs-layer    also write programs-layer.zip, every program in one layer (refused over Lambda's 250 MB)
`,
    options: {
      cobol: { type: 'string', default: 'cobol' },
      out: { type: 'string', default: 'dist' },
      arch: { type: 'string' },
      only: { type: 'string' },
      jobs: { type: 'string' },
      'programs-layer': { type: 'boolean', default: false },
    },
    async run(values) {
      const arch = str(values.arch);
      if (arch !== undefined && arch !== 'x86_64' && arch !== 'arm64') throw new UsageError(`--arch must be x86_64 or arm64, not ${arch}`);
      const jobs = values.jobs === undefined ? undefined : positiveInt(str(values.jobs), 'jobs', 1);
      if (!needToolchain()) return 1;
      const { buildProject } = await import('../layer/build.ts');
      const result = await buildProject({
        cobolDir: str(values.cobol)!,
        outDir: str(values.out)!,
        arch,
        only: str(values.only)?.split(',').filter(Boolean),
        jobs,
        programsLayer: values['programs-layer'] === true,
      });
      return result.ok ? 0 : 1;
    },
  },

  dev: {
    usage: `usage: cobolambda dev [--cobol DIR] [--host 127.0.0.1] [--port 3001] [--concurrency 10] [--timeout S]
                      [--region R] [--env-vars FILE] [--function-urls http|all|none] [--s3-endpoint URL]

Serves every program as a local Lambda function on the Invoke API, rebuilt when its sources change.

  --cobol DIR              the programs (default: cobol)
  --host HOST, --port N    where to listen (default: 127.0.0.1:3001; not loopback: anyone who reaches it can run your programs)
  --concurrency N          invocations at once per function (default: 10)
  --timeout S              every function's timeout in seconds (default: each program's timeoutSeconds, else 30)
  --region R               the functions' region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)
  --env-vars FILE          SAM-style {"Parameters": {...}, "<function>": {...}} environment variables
  --function-urls WHICH    which functions get /fn/<name>/: as deploy's functionUrls (default: cdk.json's, else http)
  --s3-endpoint URL        S3 endpoint for functions that use S3 (their AWS_ENDPOINT_URL_S3), e.g. a local S3 server
`,
    options: {
      cobol: { type: 'string', default: 'cobol' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '3001' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      region: { type: 'string' },
      'env-vars': { type: 'string' },
      'function-urls': { type: 'string' },
      's3-endpoint': { type: 'string' },
    },
    async run(values) {
      const urls = str(values['function-urls']);
      if (urls !== undefined && !['http', 'all', 'none'].includes(urls)) throw new UsageError(`--function-urls must be http, all or none, not ${urls}`);
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not ${String(values.port)}`);
      if (!needToolchain()) return 1;
      const { devCommand } = await import('./dev.ts');
      return devCommand({
        cobolDir: str(values.cobol)!,
        host: str(values.host)!,
        port,
        concurrency: positiveInt(str(values.concurrency), 'concurrency', 10),
        timeoutSeconds: values.timeout === undefined ? undefined : positiveInt(str(values.timeout), 'timeout', 30),
        region: str(values.region) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        envVarsFile: str(values['env-vars']),
        functionUrls: urls as 'http' | 'all' | 'none' | undefined,
        s3Endpoint: str(values['s3-endpoint']),
      });
    },
  },

  invoke: {
    usage: `usage: cobolambda invoke FUNCTION [--payload JSON|@file] [--endpoint URL|aws] [--region R] [--log]

Invokes a function with @aws-sdk/client-lambda and prints its response; exits 1 with the error body when it failed.

  --payload JSON|@file    the event (default: empty)
  --endpoint URL|aws      the local dev server (default: http://127.0.0.1:3001), or "aws" for AWS itself
  --region R              the region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)
  --log                   print the log tail (START ... REPORT) on stderr
`,
    options: { payload: { type: 'string' }, endpoint: { type: 'string' }, region: { type: 'string' }, log: { type: 'boolean', default: false } },
    positionals: true,
    async run(values, positionals) {
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'invoke needs a function name' : `invoke takes one function name, not ${positionals.length}`);
      const { invokeCommand, DEFAULT_ENDPOINT } = await import('./invoke.ts');
      const endpoint = str(values.endpoint);
      return invokeCommand({
        functionName: positionals[0]!,
        payload: str(values.payload),
        endpoint: endpoint === 'aws' ? undefined : (endpoint ?? DEFAULT_ENDPOINT),
        region: str(values.region),
        log: values.log === true,
      });
    },
  },

  deploy: {
    usage: `usage: cobolambda deploy [cdk deploy options]      (npm run deploy -- [options])

Deploys every program to AWS with the project's CDK app (npx cdk deploy), after checking in
a few seconds that AWS answers to your credentials.

cobolambda's settings (-c key=value, or "context" in cdk.json):
  -c stackName=NAME                 stack name and function-name prefix (default: Cobolambda)
  -c cobolDir=DIR                   the programs (default: cobol)
  -c architecture=x86_64|arm64      (default: x86_64)
  -c packaging=zip|image            zip and a runtime layer, or a container image (default: zip)
  -c functionUrls=http|all|none     Function URLs for http-mode programs, all or none (default: http)
  -c functionUrlAuth=AWS_IAM|NONE   NONE makes the URLs public (default: AWS_IAM: signed requests only)
  -c logRetentionDays=N             CloudWatch retention (default: 30)
  -c logRemovalPolicy=destroy       delete the log groups with the stack (default: retain: kept)
  -c forceDockerBundling=true       build in Docker even with a local cobc
  -c toolchainImage=IMAGE           base of the Dockerfiles' toolchain stage (default: public.ecr.aws/docker/library/node:20-bookworm-slim)
  -c lambdaBaseImage=IMAGE          base of the image for packaging=image (default: public.ecr.aws/lambda/provided:al2023)

Every other option is CDK's own (--profile, --require-approval, --hotswap, ...): see npx cdk deploy --help.
`,
    options: {},
    passThrough: true,
    async run(_values, _positionals, rest) {
      const { deployCommand } = await import('./deploy.ts');
      return deployCommand(rest);
    },
  },

  doctor: {
    usage: `usage: cobolambda doctor [--no-install]

Checks the machine: cobc, the static libraries programs link with, Node.js, the AWS CLI,
Docker or podman. Installs the Debian packages the build needs with apt-get (as root or
with passwordless sudo) unless --no-install.
`,
    options: { 'no-install': { type: 'boolean' } },
    async run(values) {
      const ready = doctor({ install: values['no-install'] !== true, log: (l) => console.error(l) });
      const items = await checklist();
      process.stdout.write(`cobolambda doctor\n${formatChecklist(items)}`);
      return ready && items.every((i) => i.status !== 'missing') ? 0 : 1;
    },
  },
};

const USAGE = `usage: cobolambda <command> [options]

commands:
  build     compile cobol/ and write the Lambda layers under dist/
  dev       serve every program as a local Lambda function (Invoke API), rebuilt on change
  invoke    invoke a function (the local dev server by default, or AWS)
  deploy    build and deploy every program to AWS with the CDK app (cdk deploy)
  doctor    check the machine (and install GnuCOBOL and the libraries the build links)

cobolambda <command> --help shows the command's options.
`;

function usageError(message: string, usage: string): number {
  process.stderr.write(`${message}\n\n${usage}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) return usageError(`cobolambda: unknown command ${name}`, USAGE);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    if (command.passThrough) return await command.run({}, [], rest);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...command.options, ...HELP }, allowPositionals: command.positionals ?? false, strict: true });
    } catch (err) {
      const e = err as Error & { code?: string };
      const option = /'(-[^']*)'/.exec(e.message)?.[1];
      if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return usageError(`cobolambda ${name}: unknown option ${option}`, command.usage);
      if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return usageError(`cobolambda ${name}: unexpected argument ${option ?? e.message}`, command.usage);
      return usageError(`cobolambda ${name}: ${e.message.split('\n')[0]}`, command.usage);
    }
    return await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, rest);
  } catch (err) {
    if (err instanceof UsageError) return usageError(`cobolambda ${name}: ${err.message}`, command.usage);
    console.error(`cobolambda ${name}: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
