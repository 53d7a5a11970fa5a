// Props of the cobolambda constructs. Kept apart from the constructs, as
// aws-cdk-lib's aws-lambda-nodejs keeps its `types.ts`.
import type { DockerImage, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { LambdaRuntime } from '../layer/config-schema.ts';

/** The two Lambda architectures, spelled as the build spells them. */
export type CobolArchitecture = 'x86_64' | 'arm64';

/**
 * The base images the Dockerfiles build on, as build arguments: the same images
 * from a registry mirror, say. Unset, each Dockerfile's default.
 */
export interface CobolBaseImages {
  /**
   * The toolchain stage of layer/Dockerfile and the root Dockerfile (`TOOLCHAIN_IMAGE`):
   * Debian 12 with Node.js 20+ and npm.
   * @default public.ecr.aws/docker/library/node:20-bookworm-slim
   */
  readonly toolchain?: string;
  /**
   * The last stage of the root Dockerfile (`LAMBDA_BASE_IMAGE`): what Lambda runs.
   * @default public.ecr.aws/lambda/provided:al2023
   */
  readonly lambdaBase?: string;
}

/** How an asset is built. Local first; Docker when the local toolchain cannot make a Lambda binary. */
export interface CobolBundlingOptions {
  /**
   * Build in Docker even when cobc is installed locally.
   * @default false
   */
  readonly forceDocker?: boolean;
  /**
   * The Docker image to build in. It must contain GnuCOBOL, Node.js 20+ and
   * cobolambda at /cobolambda (see layer/Dockerfile, which is the default).
   * @default the image built from layer/Dockerfile for the function's architecture
   */
  readonly image?: DockerImage;
  /**
   * The toolchain base image of layer/Dockerfile when `image` is not given.
   * @default public.ecr.aws/docker/library/node:20-bookworm-slim
   */
  readonly toolchainImage?: string;
  /**
   * Where progress lines of the build go.
   * @default process.stderr
   */
  readonly log?: (line: string) => void;
}

export interface CobolRuntimeLayerProps {
  /**
   * The folder of COBOL programs the layer serves (the GnuCOBOL runtime it
   * carries is the one those programs need).
   */
  readonly cobolDir: string;
  /** @default lambda.Architecture.X86_64 */
  readonly architecture?: lambda.Architecture;
  /**
   * The Lambda runtime of the functions it serves: `provided.al2023` (the layer
   * brings Node.js and bootstrap) or `nodejs24.x` (neither: Lambda's Node runs the
   * runtime through the exec wrapper).
   * @default 'provided.al2023'
   */
  readonly lambdaRuntime?: LambdaRuntime;
  readonly bundling?: CobolBundlingOptions;
}

/** A Function URL for the function. */
export interface CobolFunctionUrlOptions {
  /**
   * `AWS_IAM` (callers sign with SigV4 and need `lambda:InvokeFunctionUrl`) or
   * `NONE` (anyone on the internet can call it: a public resource policy).
   * @default lambda.FunctionUrlAuthType.AWS_IAM
   */
  readonly authType?: lambda.FunctionUrlAuthType;
  readonly cors?: lambda.FunctionUrlCorsOptions;
}

export interface CobolFunctionProps
  extends Omit<lambda.FunctionOptions, 'logRetention' | 'logGroup' | 'architecture' | 'layers'> {
  /**
   * The COBOL main program, e.g. `cobol/payroll.cbl`. Its folder is the COBOL
   * folder: copybooks (the folder and its `copybooks/`), dialect, flags, I/O
   * mode and subprograms come from there and its `cobolambda.json`, exactly as
   * `cobolambda build` and `cobolambda dev` read them.
   */
  readonly entry: string;
  /**
   * The COBOL folder the program belongs to, when `entry` sits in one of its
   * group sub-folders (`cobol/payroll/weekly.cbl` → `cobol`): settings and
   * copybooks come from there.
   * @default the entry's own folder
   */
  readonly cobolDir?: string;
  /**
   * Function timeout.
   * @default `timeoutSeconds` from cobolambda.json, else 30 seconds
   */
  readonly timeout?: lambda.FunctionOptions['timeout'];
  /**
   * Memory in MB.
   * @default `memorySizeMb` from cobolambda.json, else 256
   */
  readonly memorySize?: number;
  /**
   * x86_64 unless set, whatever machine runs synth: the same app deploys the same
   * from a laptop and from CI (another CPU than the host's is built in Docker).
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Environment variables, merged over the program's `environment` in
   * cobolambda.json. `COBOLAMBDA_PROGRAM_DIR` is set by the construct.
   */
  readonly environment?: Record<string, string>;
  /**
   * How long the function's log group keeps logs. The construct creates the
   * log group (so the role can be scoped to it) unless `logGroup` is given.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** Use this log group instead of creating one; the role may write to it only. */
  readonly logGroup?: logs.ILogGroup;
  /**
   * What happens to the log group the construct creates when it leaves the stack
   * (`cdk destroy`, say). Kept, as CDK keeps log groups by default: logs outlive
   * the function. `RemovalPolicy.DESTROY` deletes them with the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Add a Function URL. `true` means `AWS_IAM` auth.
   * @default no Function URL
   */
  readonly functionUrl?: boolean | CobolFunctionUrlOptions;
  /**
   * The runtime layer to attach. It must match the program's `runtime` (a layer
   * without Node.js for `nodejs24.x`).
   * @default the stack's shared CobolRuntimeLayer for the COBOL folder, architecture and the program's `runtime`
   */
  readonly runtimeLayer?: ILayerVersion;
  /** Extra layers after the runtime layer (at most 4: Lambda allows 5). */
  readonly extraLayers?: ILayerVersion[];
  readonly bundling?: CobolBundlingOptions;
  /**
   * S3 the function may use (batch mode): `bucket` or `bucket/prefix` entries;
   * `read` grants s3:GetObject, `write` s3:PutObject and s3:AbortMultipartUpload,
   * on the objects under each, nothing else.
   * @default `s3` of the program in cobolambda.json, else none
   */
  readonly s3?: { readonly read?: string[]; readonly write?: string[] };
  /**
   * /tmp size in MB (512–10240), where batch mode puts the program's files.
   * @default `ephemeralStorageMb` of the program in cobolambda.json, else Lambda's 512
   */
  readonly ephemeralStorageMb?: number;
}
