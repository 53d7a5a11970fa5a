// The call-mode samples served by `dev` and called with the AWS CLI, as a user would after `npm start`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DevServer } from '../dev/dev-server.ts';
import { callExampleEvent } from '../layer/metadata.ts';
import { tempDir } from './support/cobc.ts';
import { startDevCli } from './support/dev-cli.ts';

const run = promisify(execFile);
const AWS_ENV = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };
const SAMPLES = join(fileURLToPath(import.meta.url), '..', '..', 'cobol');

function sampleDir(): string {
  const dir = tempDir('call-dev-cobol');
  mkdirSync(join(dir, 'copybooks'));
  for (const f of ['acctinq.cbl', 'intcalc.cbl']) copyFileSync(join(SAMPLES, f), join(dir, f));
  for (const f of ['acctcomm.cpy', 'intreq.cpy', 'intres.cpy']) copyFileSync(join(SAMPLES, 'copybooks', f), join(dir, 'copybooks', f));
  const { acctinq, intcalc } = JSON.parse(readFileSync(join(SAMPLES, 'cobolambda.json'), 'utf8')).programs;
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { acctinq, intcalc } }));
  return dir;
}

let server: DevServer;
let url: string;
// AWS CLI v2 reads --payload as base64 unless told otherwise; v1 takes it as is.
const cliV2 = /aws-cli\/2\./.test(execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));

/** `aws lambda invoke`: the CLI's own output, the payload file, and the log tail. */
async function awsInvoke(fn: string, payload: string): Promise<{ cli: Record<string, unknown>; payload: unknown; log: string }> {
  const out = join(tempDir('call-dev-out'), 'out.json');
  const { stdout } = await run('aws', ['lambda', 'invoke', '--endpoint-url', url, '--function-name', fn, '--payload', payload, ...(cliV2 ? ['--cli-binary-format', 'raw-in-base64-out'] : []), '--log-type', 'Tail', out], { env: AWS_ENV });
  const cli = JSON.parse(stdout) as Record<string, unknown>;
  return { cli, payload: JSON.parse(readFileSync(out, 'utf8')), log: Buffer.from(String(cli.LogResult), 'base64').toString() };
}

beforeAll(async () => {
  server = new DevServer({ cobolDir: sampleDir(), workDir: tempDir('call-dev-work'), host: '127.0.0.1', port: 0, concurrency: 2, region: 'us-east-1', watch: false, log: () => {} });
  url = await server.start();
}, 240_000);

afterAll(async () => {
  await server?.close();
});

describe('call mode through dev and the AWS CLI', () => {
  it('acctinq: the COMMAREA in, the COMMAREA out; DISPLAY in the log tail, not the payload', async () => {
    const r = await awsInvoke('acctinq', '{"caFunction":"D","caAccountId":"0000067890","caAmount":0.9}');
    expect(r.cli).toMatchObject({ StatusCode: 200 });
    expect(r.cli.FunctionError).toBeUndefined();
    expect(r.payload).toMatchObject({ caCustomerName: 'GRACE HOPPER', caBalance: 11, caTxnCount: 1, caResponseCode: '00' });
    expect(r.log).toContain('ACCTINQ D 0000067890 RESPONSE 00');
  });

  it('intcalc: RETURN-CODE 8 is Unhandled, Function.ProgramExitError with the parameters', async () => {
    const r = await awsInvoke('intcalc', '[{"irDays":0},{}]');
    expect(r.cli).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(r.payload).toMatchObject({ errorType: 'Function.ProgramExitError', errorMessage: expect.stringMatching(/^program intcalc returned RETURN-CODE 8;/) });
    expect(JSON.parse((r.payload as { stackTrace: string[] }).stackTrace[1]!)).toMatchObject({ isMessage: 'DAYS MUST BE 1 OR MORE' });
  });

  it('the example event npm start prints for each, built from the copybooks, succeeds', async () => {
    const examples = Object.fromEntries(server.programs.map((spec) => [spec.name, callExampleEvent(spec)!]));
    expect(JSON.parse(examples.intcalc!)).toEqual([
      { irPrincipal: 10000, irAnnualRate: 5.25, irDays: 90, irDayBasis: 365 },
      { isInterest: 0, isMaturityAmount: 0, isDailyRate: 0, isMessage: '' },
    ]);
    expect(JSON.parse(examples.acctinq!)).toMatchObject({ caFunction: 'I', caAccountId: '0000012345', caAmount: 0, caCustomerName: '' });
    expect((await awsInvoke('intcalc', examples.intcalc!)).payload).toMatchObject([{}, { isInterest: 129.45, isMessage: 'OK' }]);
    expect((await awsInvoke('acctinq', examples.acctinq!)).payload).toMatchObject({ caCustomerName: 'ADA LOVELACE', caResponseCode: '00' });
  });
});

describe('what `npm start` prints for call-mode functions', () => {
  it('an aws command whose payload is built from the copybooks, working as printed', async () => {
    const { dev, output } = await startDevCli(['--cobol', sampleDir(), '--port', '0'], { cwd: tempDir('call-dev-cli'), env: AWS_ENV });
    try {
      const lines = output.split('\n').map((l) => l.trim());
      const commandFor = (fn: string) => lines.slice(lines.findIndex((l) => l.startsWith(`${fn}  (call,`))).find((l) => l.startsWith('aws lambda invoke '))!;
      for (const [fn, expected] of [
        ['acctinq', '"caCustomerName":"ADA LOVELACE"'],
        ['intcalc', '"isInterest":129.45'],
      ] as const) {
        const command = commandFor(fn);
        expect(command).toContain(`--function-name ${fn}`);
        const cwd = tempDir('call-dev-cli-run');
        const { stdout } = await run('sh', ['-c', command], { cwd, env: AWS_ENV });
        expect(stdout).toContain('"StatusCode": 200');
        expect(stdout).not.toContain('FunctionError');
        expect(readFileSync(join(cwd, 'out.json'), 'utf8')).toContain(expected);
      }
    } finally {
      dev.kill('SIGINT');
    }
  }, 240_000);
});
