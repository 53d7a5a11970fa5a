// A cobolambda stack: programs of a COBOL folder as Lambda functions (all of
// them, or the share infra/stack-plan.ts gives it), the runtime layer, and an
// output per function (name, ARN, URL). Each stack has its own copy of the
// layer (one asset, uploaded once), so each deploys and updates on its own.
import { resolve } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { hasFunctionUrl, type FunctionUrls, type ProgramSpec } from '../layer/programs.ts';
import { hostArchitecture, lambdaArchitecture, programsOf, synthMemo } from './bundling.ts';
import { DEFAULT_MAX_FUNCTIONS_PER_STACK } from './stack-plan.ts';
import { CobolFunction } from './function.ts';
import { CobolImageFunction } from './image-function.ts';
import { CobolRuntimeLayer } from './runtime-layer.ts';
import type { CobolArchitecture, CobolBundlingOptions } from './types.ts';

export type { FunctionUrls };

export interface CobolambdaStackProps extends StackProps {
  /** @default 'cobol' (relative to the working directory) */
  readonly cobolDir?: string;
  /** @default the host's architecture */
  readonly architecture?: CobolArchitecture;
  /** `zip` (code asset + runtime layer) or `image` (the root Dockerfile, pushed to ECR by CDK). @default 'zip' */
  readonly packaging?: 'zip' | 'image';
  /** @default 'http': programs whose I/O mode is `http` get a URL, the others none */
  readonly functionUrls?: FunctionUrls;
  /** @default AWS_IAM */
  readonly functionUrlAuth?: lambda.FunctionUrlAuthType;
  /** @default 30 days */
  readonly logRetention?: logs.RetentionDays;
  readonly bundling?: CobolBundlingOptions;
  /** The programs this stack holds. @default every program of cobolDir */
  readonly programs?: ProgramSpec[];
}

/** The settings `cdk.json`/`-c key=value` may give; everything has a default. */
export interface CobolambdaContext {
  stackName: string;
  cobolDir: string;
  architecture: CobolArchitecture;
  packaging: 'zip' | 'image';
  functionUrls: FunctionUrls;
  functionUrlAuth: lambda.FunctionUrlAuthType;
  logRetentionDays: number;
  forceDockerBundling: boolean;
  /** At most this many functions per stack (infra/stack-plan.ts). */
  maxFunctionsPerStack: number;
  /** Pinned shard counts per group ('' or '.' is cobol/ itself). */
  stackShards: Record<string, number>;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value);
  if (!(allowed as readonly string[]).includes(text)) {
    throw new Error(`context "${key}" is "${text}"; expected one of ${allowed.join(', ')}`);
  }
  return text as T;
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
    architecture: oneOf('architecture', get('architecture'), ['x86_64', 'arm64'] as const, hostArchitecture()),
    packaging: oneOf('packaging', get('packaging'), ['zip', 'image'] as const, 'zip'),
    functionUrls: oneOf('functionUrls', get('functionUrls'), ['http', 'all', 'none'] as const, 'http'),
    functionUrlAuth: oneOf(
      'functionUrlAuth',
      get('functionUrlAuth'),
      [lambda.FunctionUrlAuthType.AWS_IAM, lambda.FunctionUrlAuthType.NONE] as const,
      lambda.FunctionUrlAuthType.AWS_IAM,
    ),
    logRetentionDays: retention,
    forceDockerBundling: String(get('forceDockerBundling') ?? 'false') === 'true',
    maxFunctionsPerStack: wholeNumber('maxFunctionsPerStack', get('maxFunctionsPerStack'), DEFAULT_MAX_FUNCTIONS_PER_STACK),
    stackShards: shardsContext(get('stackShards')),
  };
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

/** `payroll-v2` → `PayrollV2`: a construct and output id. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

export class CobolambdaStack extends Stack {
  readonly programs: ProgramSpec[];
  readonly functions: Array<CobolFunction | CobolImageFunction> = [];
  readonly runtimeLayer?: CobolRuntimeLayer;

  constructor(scope: Construct, id: string, props: CobolambdaStackProps = {}) {
    super(scope, id, props);
    const cobolDir = resolve(props.cobolDir ?? 'cobol');
    this.programs = props.programs ?? programsOf(cobolDir, synthMemo(this.node.root));
    if (this.programs.length === 0) throw new Error(`no programs (.cbl/.cob files) in ${cobolDir}`);
    const architecture = lambdaArchitecture(props.architecture ?? hostArchitecture());
    const packaging = props.packaging ?? 'zip';
    const urls = props.functionUrls ?? 'http';
    const authType = props.functionUrlAuth ?? lambda.FunctionUrlAuthType.AWS_IAM;

    if (packaging === 'zip') {
      this.runtimeLayer = CobolRuntimeLayer.of(this, { cobolDir, architecture, bundling: props.bundling });
      new CfnOutput(this, 'RuntimeLayerArn', {
        value: this.runtimeLayer.layerVersionArn,
        description: 'The cobolambda runtime layer version',
      });
    }

    const ids = new Set<string>();
    for (const program of this.programs) {
      let id = pascalCase(program.name) || 'Program';
      while (ids.has(id)) id = `${id}X`;
      ids.add(id);
      const withUrl = hasFunctionUrl(program, urls);
      const physicalName = `${this.stackName}-${program.name}`;
      const common = {
        entry: program.source,
        cobolDir,
        architecture,
        // A name a user can type: `aws lambda invoke --function-name Cobolambda-hello`.
        functionName: physicalName.length <= 64 ? physicalName : undefined,
        logRetention: props.logRetention,
        functionUrl: withUrl ? { authType } : undefined,
      };
      const fn =
        packaging === 'zip'
          ? new CobolFunction(this, id, { ...common, runtimeLayer: this.runtimeLayer, bundling: props.bundling })
          : new CobolImageFunction(this, id, common);
      this.functions.push(fn);
      new CfnOutput(this, `${id}FunctionName`, { value: fn.functionName, description: `${program.name}: function name` });
      new CfnOutput(this, `${id}FunctionArn`, { value: fn.functionArn, description: `${program.name}: function ARN` });
      if (fn.url) {
        new CfnOutput(this, `${id}FunctionUrl`, { value: fn.url.url, description: `${program.name}: Function URL (${authType})` });
      }
    }
    // cdk-nag's AwsSolutions pack finds nothing to acknowledge here: the roles
    // have no managed policies and no wildcards, the log groups have retention.
  }
}
