// The app's settings, from CDK context (`-c key=value` or cdk.json "context"):
// every one has a default, and a value that is not allowed stops synth with a
// message that names the setting. The defaults do not depend on the machine
// that runs synth, so an app deploys the same from a laptop and from CI.
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { FunctionUrls } from '../layer/programs.ts';
import { DEFAULT_ARCHITECTURE } from './bundling.ts';
import { DEFAULT_MAX_FUNCTIONS_PER_STACK } from './stack-plan.ts';
import type { CobolArchitecture } from './types.ts';

export type { FunctionUrls };

/** The settings `cdk.json`/`-c key=value` may give; everything has a default. */
export interface CobolambdaContext {
  stackName: string;
  cobolDir: string;
  architecture: CobolArchitecture;
  packaging: 'zip' | 'image';
  functionUrls: FunctionUrls;
  functionUrlAuth: lambda.FunctionUrlAuthType;
  logRetentionDays: number;
  /** `retain`: log groups outlive the stack (CDK's default); `destroy`: `cdk destroy` deletes them. */
  logRemovalPolicy: 'retain' | 'destroy';
  forceDockerBundling: boolean;
  /** The Dockerfiles' base images, when not their defaults (a registry mirror, say). */
  toolchainImage?: string;
  lambdaBaseImage?: string;
  /** At most this many functions per stack (infra/stack-plan.ts). */
  maxFunctionsPerStack: number;
  /** Pinned shard counts per group ('' or '.' is cobol/ itself). */
  stackShards: Record<string, number>;
}

function wholeNumber(key: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`context "${key}" is "${String(value)}"; expected a whole number of at least 1`);
  return n;
}

/** `{"payroll": 4, ".": 2}` (an object in cdk.json, JSON text with -c). */
function shardsContext(value: unknown): Record<string, number> {
  if (value === undefined || value === null || value === '') return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`context "stackShards" is not JSON: ${value} (expected e.g. {"payroll": 4})`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`context "stackShards" must be an object of group → shard count, e.g. {"payroll": 4}`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([group, n]) => [group === '.' ? '' : group, wholeNumber(`stackShards.${group}`, n, 1)]));
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value);
  if (!(allowed as readonly string[]).includes(text)) {
    throw new Error(`context "${key}" is "${text}"; expected one of ${allowed.join(', ')}`);
  }
  return text as T;
}

/** An image reference given as a setting: a non-empty word, no spaces (it becomes a build argument). */
function imageReference(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value);
  if (!/^[^\s]+$/.test(text)) throw new Error(`context "${key}" is "${text}"; expected an image reference such as registry.example.com/node:20-bookworm-slim`);
  return text;
}

/** Reads and checks the app's settings from CDK context (`-c name=value` or cdk.json "context"). */
export function readContext(get: (key: string) => unknown): CobolambdaContext {
  const retention = Number(get('logRetentionDays') ?? 30);
  const valid = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!valid.includes(retention)) {
    throw new Error(`context "logRetentionDays" is ${String(get('logRetentionDays'))}; CloudWatch allows ${valid.join(', ')}`);
  }
  const stackName = String(get('stackName') ?? 'Cobolambda');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new Error(`context "stackName" is "${stackName}"; a stack name is letters, digits and hyphens, starting with a letter`);
  }
  return {
    stackName,
    cobolDir: String(get('cobolDir') ?? 'cobol'),
    architecture: oneOf('architecture', get('architecture'), ['x86_64', 'arm64'] as const, DEFAULT_ARCHITECTURE),
    packaging: oneOf('packaging', get('packaging'), ['zip', 'image'] as const, 'zip'),
    functionUrls: oneOf('functionUrls', get('functionUrls'), ['http', 'all', 'none'] as const, 'http'),
    functionUrlAuth: oneOf(
      'functionUrlAuth',
      get('functionUrlAuth'),
      [lambda.FunctionUrlAuthType.AWS_IAM, lambda.FunctionUrlAuthType.NONE] as const,
      lambda.FunctionUrlAuthType.AWS_IAM,
    ),
    logRetentionDays: retention,
    logRemovalPolicy: oneOf('logRemovalPolicy', get('logRemovalPolicy'), ['retain', 'destroy'] as const, 'retain'),
    forceDockerBundling: oneOf('forceDockerBundling', get('forceDockerBundling'), ['true', 'false'] as const, 'false') === 'true',
    toolchainImage: imageReference('toolchainImage', get('toolchainImage')),
    lambdaBaseImage: imageReference('lambdaBaseImage', get('lambdaBaseImage')),
    maxFunctionsPerStack: wholeNumber('maxFunctionsPerStack', get('maxFunctionsPerStack'), DEFAULT_MAX_FUNCTIONS_PER_STACK),
    stackShards: shardsContext(get('stackShards')),
  };
}
