// What a function that uses S3 gets from `dev`, as SAM local gives it: the
// developer's standard AWS settings (credentials, profile, endpoint), and
// nothing of them for functions that do not use S3. With a local endpoint and
// no credentials at all, dummy ones (a local S3 server accepts any it knows).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const PASSED = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
] as const;

export function s3Environment(env: NodeJS.ProcessEnv, s3Endpoint?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED) if (env[name]) out[name] = env[name]!;
  if (s3Endpoint) out.AWS_ENDPOINT_URL_S3 = s3Endpoint;
  // The function's HOME is not the developer's: point the SDK at the developer's files.
  for (const [name, file] of [['AWS_CONFIG_FILE', 'config'], ['AWS_SHARED_CREDENTIALS_FILE', 'credentials']] as const) {
    const path = join(homedir(), '.aws', file);
    if (!out[name] && existsSync(path)) out[name] = path;
  }
  const hasCredentials = out.AWS_ACCESS_KEY_ID || out.AWS_PROFILE || out.AWS_SHARED_CREDENTIALS_FILE;
  if (!hasCredentials && out.AWS_ENDPOINT_URL_S3) Object.assign(out, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  return out;
}
