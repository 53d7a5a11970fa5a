// The `cobolambda` command line as a user meets it (issue 18): --help and
// mistakes, doctor's checklist, deploy's credentials check, and the commands
// `cobolambda dev` prints, run verbatim with AWS CLI v1 and v2 in a clean environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { CLI, startDevCli } from './support/dev-cli.ts';
import { processesWithEnv } from '../dev/process-tree.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_DIR = dirname(process.execPath);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with exactly `env` (nothing of this process's environment but what is passed). */
function cli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH!, HOME: tempDir('cli-home'), ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('--help, and mistakes', () => {
  it.each(['build', 'dev', 'invoke', 'deploy', 'doctor'])('%s --help prints its usage on stdout and exits 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([command, flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: cobolambda ${command}`));
    }
  });

  it("deploy --help shows cobolambda's own settings first, then where CDK's options are", async () => {
    const { stdout } = await cli(['deploy', '--help']);
    const own = stdout.indexOf('-c functionUrls=http|all|none');
    const cdk = stdout.indexOf('npx cdk deploy --help');
    expect(own).toBeGreaterThan(0);
    expect(cdk).toBeGreaterThan(own);
  });

  it('cobolambda --help and no command print the command list on stdout', async () => {
    for (const args of [['--help'], []]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: cobolambda <command>/);
      for (const c of ['build', 'dev', 'invoke', 'deploy', 'doctor']) expect(r.stdout).toContain(`\n  ${c} `);
    }
  });

  it.each([
    [['dev', '--nope'], 'cobolambda dev: unknown option --nope', 'usage: cobolambda dev'],
    [['build', '--arch=sparc'], 'cobolambda build: --arch must be x86_64 or arm64, not sparc', 'usage: cobolambda build'],
    [['invoke'], 'cobolambda invoke: invoke needs a function name', 'usage: cobolambda invoke'],
    [['invoke', 'echo', '--log=yes'], "cobolambda invoke: Option '--log' does not take an argument", 'usage: cobolambda invoke'],
    [['doctor', 'extra'], 'cobolambda doctor: unexpected argument', 'usage: cobolambda doctor'],
    [['frobnicate'], 'cobolambda: unknown command frobnicate', 'usage: cobolambda <command>'],
  ])('%j: says what is wrong, shows the usage on stderr, exits 2', async (args, message, usage) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [first, blank, usageLine] = r.stderr.split('\n');
    expect(first).toContain(message);
    expect(blank).toBe('');
    expect(usageLine).toMatch(new RegExp(`^${usage.replace(/[<>]/g, '.')}`));
  });
});

describe('cobolambda doctor', () => {
  it('prints a short checklist even when all is well', async () => {
    const r = await cli(['doctor', '--no-install']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('cobolambda doctor');
    const cobc = execFileSync('cobc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}ok +cobc +${cobc.replace(/[()]/g, '\\$&')}$`)));
    for (const what of ['static libraries', 'Node.js \\(host tools\\)', 'Node.js for the runtime layer', 'AWS CLI', 'Docker or podman']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}(ok|-) +${what} `)));
    }
    expect(lines.length).toBeLessThanOrEqual(8);
  });
});

describe('deploy checks for credentials before it synthesizes anything', () => {
  let fakeAws: Server;
  let fakeUrl: string;
  beforeAll(async () => {
    // Answers as AWS does to a key it does not know.
    fakeAws = createServer((_req, res) => {
      const body = JSON.stringify({ message: 'The security token included in the request is invalid.' });
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnrecognizedClientException', 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => fakeAws.listen(0, '127.0.0.1', r));
    fakeUrl = `http://127.0.0.1:${(fakeAws.address() as AddressInfo).port}`;
  });
  afterAll(() => fakeAws?.close());

  it('without credentials: one line that says so and how to fix it, and nothing else runs', async () => {
    const cwd = tempDir('deploy-cwd');
    const r = await cli(['deploy'], { AWS_DEFAULT_REGION: 'eu-west-1' }, cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cobolambda deploy: no AWS credentials \(.*\): run `aws configure` .* then deploy again\n$/);
    expect(existsSync(join(cwd, 'cdk.out'))).toBe(false);
  });

  it('AWS out of reach: one line naming the region and the network', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await cli(['deploy'], { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cobolambda deploy: cannot reach AWS Lambda in eu-west-1 \(ECONNREFUSED: .*\): check the network, a proxy \(HTTPS_PROXY\) or the region\n$/);
  });

  it('credentials AWS refuses: one line with its reason', async () => {
    const r = await cli(['deploy'], { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_LAMBDA: fakeUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cobolambda deploy: AWS refused the credentials \(UnrecognizedClientException: The security token included in the request is invalid\.\): run `aws configure`.*\n$/);
  });
});

/** Every `aws` on PATH, by major version. */
function awsClis(): Map<number, string> {
  const found = new Map<number, string>();
  const paths = execFileSync('sh', ['-c', 'which -a aws || true'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const path of paths) {
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const major = Number(/aws-cli\/(\d+)/.exec(version)?.[1]);
      if (major && !found.has(major)) found.set(major, path);
    } catch {
      // not runnable
    }
  }
  return found;
}

describe("the commands `cobolambda dev` prints, run verbatim in a clean environment", () => {
  const clis = awsClis();
  const cobolDir = tempDir('cli-dev-cobol');
  copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(cobolDir, 'echo.cbl'));
  copyFileSync(join(TEST_COBOL_DIR, 'cgienv.cbl'), join(cobolDir, 'cgienv.cbl'));
  writeFileSync(
    join(cobolDir, 'cobolambda.json'),
    JSON.stringify({ programs: { echo: { cobcFlags: ['-free'], example: '{"name":"Ada"}' }, cgienv: { cobcFlags: ['-free'], mode: 'http' } } }),
  );

  it('both AWS CLI versions are installed (v1 preinstalled, v2 from the Debian package awscli)', () => {
    expect([...clis.keys()].sort()).toEqual([1, 2]);
  });

  it.each([1, 2])('AWS CLI v%i: the export line and the aws command work as printed; so does npx cobolambda invoke', async (major) => {
    const aws = clis.get(major);
    expect(aws, `AWS CLI v${major} is not installed`).toBeDefined();
    // `aws` in this PATH is the version under test; dev finds the same one.
    const path = `${dirname(aws!)}:${NODE_DIR}:/usr/bin:/bin`;
    const home = tempDir('cli-dev-home');
    const { dev, output } = await startDevCli(['--cobol', cobolDir, '--port', '0'], { cwd: tempDir('cli-dev-cwd'), env: { PATH: path, HOME: home } });
    try {
      const lines = output.split('\n').map((l) => l.trim());
      // The http-mode function: its URL, and what the deployed URL answers a browser.
      const at = lines.findIndex((l) => l.startsWith('cgienv '));
      expect(lines[at + 1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fn\/cgienv\/ {2}\(Function URL/);
      expect(lines[at + 2]).toBe(
        '(deployed, its URL is AWS_IAM by default: a browser gets 403 Forbidden there; callers sign with SigV4, or deploy with -c functionUrlAuth=NONE for a public URL)',
      );
      expect(lines.some((l) => l.includes('--function-name cgienv'))).toBe(false);
      const exportLine = lines.find((l) => l.startsWith('export '))!;
      expect(exportLine).toMatch(/^export AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1$/);
      const awsLine = lines.find((l) => l.startsWith('aws lambda invoke '))!;
      expect(awsLine.includes('--cli-binary-format raw-in-base64-out')).toBe(major === 2);
      const npxLine = lines.find((l) => l.startsWith('npx cobolambda invoke '))!;

      const cwd = tempDir('cli-dev-run');
      const clean = { PATH: path, HOME: home };
      const shell = (command: string, dir: string) =>
        new Promise<Run>((resolve) =>
          execFile('sh', ['-c', `${exportLine}\n${command}`], { cwd: dir, env: clean }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        );
      const viaAws = await shell(awsLine, cwd);
      expect(viaAws.stderr).toBe('');
      expect(viaAws.code).toBe(0);
      expect(viaAws.stdout).toContain('"StatusCode": 200');
      expect(viaAws.stdout.endsWith('{"name":"Ada"}\n')).toBe(true);
      expect(readFileSync(join(cwd, 'out.json'), 'utf8')).toBe('{"name":"Ada"}\n');

      // npx finds the project's own cobolambda from its folder; no SDK warning reaches the user
      // (npm may add its own update notice with a fresh HOME: that one is npm's).
      const viaNpx = await shell(npxLine, ROOT);
      expect(viaNpx.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm notice'))).toEqual([]);
      expect(viaNpx.stdout).toBe('{"name":"Ada"}\n');
    } finally {
      dev.kill('SIGINT');
    }
  }, 180_000);
});

describe('cobolambda dev stops on SIGTERM, hostile client contexts or not', () => {
  it('after six concurrent calls with a non-Latin-1 client context: exits, and leaves no process behind', async () => {
    const cobolDir = tempDir('cli-term-cobol');
    copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(cobolDir, 'echo.cbl'));
    writeFileSync(join(cobolDir, 'cobolambda.json'), JSON.stringify({ programs: { echo: { cobcFlags: ['-free'] } } }));
    const cwd = tempDir('cli-term-cwd');
    const { dev, output } = await startDevCli(['--cobol', cobolDir, '--port', '0'], { cwd });
    const base = /function\(s\) on (http:\/\/\S+)/.exec(output)![1]!;
    const context = Buffer.from('{"c":"€"}').toString('base64');
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => (await fetch(`${base}/2015-03-31/functions/echo/invocations`, { method: 'POST', body: '"x"', headers: { 'x-amz-client-context': context } })).status),
    );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    dev.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Every process of its environments carries the program folder in its environment.
    await expect.poll(() => processesWithEnv(`COBOLAMBDA_PROGRAM_DIR=${join(cwd, '.cobolambda', 'dev', 'programs', 'bin')}`), { timeout: 10_000, interval: 100 }).toEqual([]);
  }, 120_000);
});

