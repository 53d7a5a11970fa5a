// A cobolambda stack: programs of a COBOL folder as Lambda functions (all of
// them, or the share infra/stack-plan.ts gives it), the runtime layer of each
// Lambda runtime its programs use, and an output per function (name, ARN, URL).
// Each stack has its own copy of the layers (one asset each, uploaded once), so
// each deploys and updates on its own.
import { resolve } from 'node:path';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { hasFunctionUrl, type FunctionUrls, type ProgramSpec } from '../layer/programs.ts';
import { DEFAULT_ARCHITECTURE, lambdaArchitecture, programsOf, synthMemo } from './bundling.ts';
import { CobolFunction } from './function.ts';
import { CobolImageFunction } from './image-function.ts';
import { CobolRuntimeLayer } from './runtime-layer.ts';
import type { CobolArchitecture, CobolBaseImages, CobolBundlingOptions } from './types.ts';
import type { LambdaRuntime } from '../layer/config-schema.ts';

export { readContext, type CobolambdaContext, type FunctionUrls } from './config.ts';

export interface CobolambdaStackProps extends StackProps {
  /** @default 'cobol' (relative to the working directory) */
  readonly cobolDir?: string;
  /** @default 'x86_64', whatever the host */
  readonly architecture?: CobolArchitecture;
  /** `zip` (code asset + runtime layer) or `image` (the root Dockerfile, pushed to ECR by CDK). @default 'zip' */
  readonly packaging?: 'zip' | 'image';
  /** @default 'http': programs whose I/O mode is `http` get a URL, the others none */
  readonly functionUrls?: FunctionUrls;
  /** @default AWS_IAM */
  readonly functionUrlAuth?: lambda.FunctionUrlAuthType;
  /** @default 30 days */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN: log groups outlive the stack */
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly bundling?: CobolBundlingOptions;
  /** Base images of the Dockerfiles (bundling and `packaging: 'image'`). @default the Dockerfiles' own */
  readonly baseImages?: CobolBaseImages;
  /** The programs this stack holds. @default every program of cobolDir */
  readonly programs?: ProgramSpec[];
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
  /** The provided.al2023 runtime layer, when some program runs on provided.al2023 (the default). */
  readonly runtimeLayer?: CobolRuntimeLayer;
  /** The runtime layer without Node.js, when some program has `"runtime": "nodejs24.x"`. */
  readonly nodejsRuntimeLayer?: CobolRuntimeLayer;

  constructor(scope: Construct, id: string, props: CobolambdaStackProps = {}) {
    super(scope, id, props);
    const cobolDir = resolve(props.cobolDir ?? 'cobol');
    this.programs = props.programs ?? programsOf(cobolDir, synthMemo(this.node.root));
    if (this.programs.length === 0) throw new Error(`no programs (.cbl/.cob files) in ${cobolDir}`);
    const architecture = lambdaArchitecture(props.architecture ?? DEFAULT_ARCHITECTURE);
    const packaging = props.packaging ?? 'zip';
    const urls = props.functionUrls ?? 'http';
    const authType = props.functionUrlAuth ?? lambda.FunctionUrlAuthType.AWS_IAM;

    const bundling = { toolchainImage: props.baseImages?.toolchain, ...props.bundling };
    const layerFor = (lambdaRuntime: LambdaRuntime) => CobolRuntimeLayer.of(this, { cobolDir, architecture, lambdaRuntime, bundling });
    const runtimes = new Set(this.programs.map((p) => p.runtime));
    // Only the layers some program uses: a stack of nodejs24.x programs uploads no Node.js.
    if (packaging === 'zip' && runtimes.has('provided.al2023')) {
      this.runtimeLayer = layerFor('provided.al2023');
      new CfnOutput(this, 'RuntimeLayerArn', {
        value: this.runtimeLayer.layerVersionArn,
        description: 'The cobolambda runtime layer version',
      });
    }
    if (packaging === 'zip' && runtimes.has('nodejs24.x')) {
      this.nodejsRuntimeLayer = layerFor('nodejs24.x');
      new CfnOutput(this, 'NodejsRuntimeLayerArn', {
        value: this.nodejsRuntimeLayer.layerVersionArn,
        description: 'The cobolambda runtime layer version for nodejs24.x functions (no Node.js)',
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
        logRemovalPolicy: props.logRemovalPolicy,
        functionUrl: withUrl ? { authType } : undefined,
      };
      const fn =
        packaging === 'zip'
          ? new CobolFunction(this, id, { ...common, runtimeLayer: layerFor(program.runtime), bundling })
          : new CobolImageFunction(this, id, { ...common, baseImages: props.baseImages });
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
