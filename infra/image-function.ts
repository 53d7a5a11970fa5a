// CobolImageFunction: the container-image way to deploy one program. The image
// is the root Dockerfile (every program of the COBOL folder on
// public.ecr.aws/lambda/provided:al2023); the function picks its program with
// ImageConfig.Command = [name], exactly like `docker run cobol-fn <name>`.
// CDK builds and pushes the image at deploy time (needs Docker then, not at synth).
// An image brings its own base and Node.js, so a program's "runtime" does not
// apply here: a nodejs24.x program runs as in every image, with a warning saying so.
import { dirname, relative, resolve, sep } from 'node:path';
import { Annotations, Duration, IgnoreMode } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ProgramSpec } from '../layer/programs.ts';
import { cobolArchitecture, lambdaArchitecture, PACKAGE_ROOT, synthMemo } from './bundling.ts';
import { addCobolFunctionUrl, logGroupAndRole, programDescription, programForEntry } from './function.ts';
import type { CobolBaseImages, CobolFunctionProps } from './types.ts';

export interface CobolImageFunctionProps extends Omit<CobolFunctionProps, 'runtimeLayer' | 'extraLayers' | 'bundling'> {
  /** The Dockerfile's base images. @default the Dockerfile's own (public.ecr.aws) */
  readonly baseImages?: CobolBaseImages;
}

/** The root Dockerfile's build arguments for `baseImages` (only those given). */
export function baseImageBuildArgs(images: CobolBaseImages = {}): Record<string, string> {
  return {
    ...(images.toolchain ? { TOOLCHAIN_IMAGE: images.toolchain } : {}),
    ...(images.lambdaBase ? { LAMBDA_BASE_IMAGE: images.lambdaBase } : {}),
  };
}

/** Files the image build never needs; keeps the asset fingerprint fast and stable. */
export const IMAGE_EXCLUDE = ['**/node_modules', '.git', 'cdk.out', 'dist', 'bench', 'test', '**/*.test.ts'];

export class CobolImageFunction extends lambda.DockerImageFunction {
  readonly program: ProgramSpec;
  readonly url?: lambda.FunctionUrl;
  readonly functionLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: CobolImageFunctionProps) {
    const program = programForEntry(props.entry, props.cobolDir, synthMemo(scope.node.root));
    const cobolDir = relative(PACKAGE_ROOT, resolve(props.cobolDir ?? dirname(program.source)));
    if (cobolDir.startsWith('..') || resolve(PACKAGE_ROOT, cobolDir) === cobolDir) {
      throw new Error(
        `${program.source}: the image build's context is ${PACKAGE_ROOT}, so the COBOL folder must be inside it`,
      );
    }
    const arch = cobolArchitecture(props.architecture);
    const { logGroup, role } = logGroupAndRole(scope, id, props);
    const { entry: _e, cobolDir: _d, logRetention: _r, logGroup: _g, logRemovalPolicy: _p, functionUrl, baseImages, ...rest } = props;
    super(scope, id, {
      ...rest,
      code: lambda.DockerImageCode.fromImageAsset(PACKAGE_ROOT, {
        file: 'Dockerfile',
        cmd: [program.name],
        platform: arch === 'arm64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        buildArgs: { COBOL_DIR: cobolDir.split(sep).join('/'), ...baseImageBuildArgs(baseImages) },
        exclude: IMAGE_EXCLUDE,
        ignoreMode: IgnoreMode.DOCKER,
      }),
      architecture: lambdaArchitecture(arch),
      timeout: props.timeout ?? Duration.seconds(program.timeoutSeconds),
      memorySize: props.memorySize ?? program.memorySizeMb,
      environment: { ...program.environment, ...props.environment, COBOLAMBDA_PROGRAM_DIR: '/opt/bin' },
      description: props.description ?? programDescription(program),
      role,
      logGroup,
    });
    this.program = program;
    this.functionLogGroup = logGroup;
    this.url = addCobolFunctionUrl(this, functionUrl);
    if (program.runtime !== 'provided.al2023') {
      Annotations.of(this).addWarningV2(
        'cobolambda:runtime',
        `${program.name}: "runtime": "${program.runtime}" applies to zip packaging only; the image runs it on its own base (provided.al2023) and the image's Node.js`,
      );
    }
  }
}
