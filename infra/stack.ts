// The cobolambda stack: every program of a COBOL folder as a Lambda function,
// one shared runtime layer, and an output per function (name, ARN, URL).
import { resolve } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { discoverPrograms, hasFunctionUrl, type FunctionUrls, type ProgramSpec } from '../layer/programs.ts';
import { hostArchitecture, lambdaArchitecture } from './bundling.ts';
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
  };
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
    this.programs = discoverPrograms(cobolDir);
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
