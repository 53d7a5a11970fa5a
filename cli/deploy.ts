// `cobolambda deploy`: `cdk deploy` with the project's app, after a quick check
// that AWS can be reached with credentials at all. CDK would find out only after
// synthesizing (compiling every program), and then say it in general terms.
import { spawnSync } from 'node:child_process';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';

const HOW_TO_FIX_CREDENTIALS = 'run `aws configure` (or `aws sso login`, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then deploy again';

/** Problems the service reports for the credentials themselves (anything else means they were accepted). */
const REJECTED_CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken']);

/** undefined when deploying can start; else the one line saying what is wrong and how to fix it. */
export async function deployPreflight(profile?: string, timeoutMs = 8_000): Promise<string | undefined> {
  // The CDK CLI also reads AWS_DEFAULT_REGION; the JavaScript SDK only AWS_REGION and the profile.
  const client = new LambdaClient({ maxAttempts: 1, profile, region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION });
  try {
    try {
      await client.config.credentials();
    } catch (err) {
      return `cobolambda deploy: no AWS credentials (${(err as Error).message.split('\n')[0]}): ${HOW_TO_FIX_CREDENTIALS}`;
    }
    let region: string;
    try {
      region = await client.config.region();
    } catch {
      return 'cobolambda deploy: no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or `aws configure set region eu-west-1`';
    }
    try {
      await client.send(new GetAccountSettingsCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) as never });
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
      if (REJECTED_CREDENTIALS.has(e.name)) return `cobolambda deploy: AWS refused the credentials (${e.name}: ${e.message}): ${HOW_TO_FIX_CREDENTIALS}`;
      if (e.$metadata?.httpStatusCode === undefined) {
        return `cobolambda deploy: cannot reach AWS Lambda in ${region} (${e.code ?? e.name}: ${e.message}): check the network, a proxy (HTTPS_PROXY) or the region`;
      }
      // Any other answer (AccessDenied to this call, say) came from AWS with valid credentials: deploying may go on.
    }
    return undefined;
  } finally {
    client.destroy();
  }
}

export async function deployCommand(cdkArgs: string[]): Promise<number> {
  const at = cdkArgs.findIndex((a) => a === '--profile' || a.startsWith('--profile='));
  const profile = at < 0 ? undefined : cdkArgs[at]!.includes('=') ? cdkArgs[at]!.split('=')[1] : cdkArgs[at + 1];
  const problem = await deployPreflight(profile);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return 1;
  }
  // The CDK app bundles (compiles) each program itself; this is `cdk deploy` with the project's app.
  const r = spawnSync('npx', ['cdk', 'deploy', ...cdkArgs], { stdio: 'inherit' });
  return r.status ?? 1;
}
