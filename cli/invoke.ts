// `cobolambda invoke`: the SDK's Invoke, against `dev` by default or AWS itself.
import { readFileSync } from 'node:fs';
import { InvokeCommand, LambdaClient, LogType } from '@aws-sdk/client-lambda';

export interface InvokeCliOptions {
  functionName: string;
  /** JSON text, or `@file`. */
  payload?: string;
  endpoint?: string;
  region?: string;
  log: boolean;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3001';

export async function invokeCommand(o: InvokeCliOptions): Promise<number> {
  const payload = o.payload?.startsWith('@') ? readFileSync(o.payload.slice(1)) : Buffer.from(o.payload ?? '');
  const local = o.endpoint !== undefined;
  const client = new LambdaClient({
    region: o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(local
      ? // `dev` checks no signature; the SDK still wants credentials to sign with.
        { endpoint: o.endpoint, credentials: { accessKeyId: 'cobolambda', secretAccessKey: 'cobolambda' } }
      : {}),
  });
  try {
    const out = await client.send(
      new InvokeCommand({ FunctionName: o.functionName, Payload: payload, LogType: o.log ? LogType.Tail : LogType.None }),
    );
    if (o.log && out.LogResult) process.stderr.write(Buffer.from(out.LogResult, 'base64').toString('utf8'));
    const body = Buffer.from(out.Payload ?? new Uint8Array());
    if (out.FunctionError) {
      process.stderr.write(`function error (${out.FunctionError}): ${body.toString('utf8')}\n`);
      return 1;
    }
    process.stdout.write(body);
    return 0;
  } finally {
    client.destroy();
  }
}
