// CobolFunction: one COBOL program as a Lambda function, on provided.al2023 or,
// when the program's "runtime" says so, on the managed nodejs24.x. The code asset
// holds bin/<name> and cobolambda/programs/<name>.json (so /var/task/bin/<name>)
// either way; the shared CobolRuntimeLayer of that runtime brings /opt/bootstrap
// and Node.js (provided.al2023) or /opt/exec-wrapper (nodejs24.x), the bundled
// runtime and the GnuCOBOL runtime; the handler is the program name.
import { dirname, resolve } from 'node:path';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ProgramSpec } from '../layer/programs.ts';
import { cobolArchitecture, cobolCode, FUNCTION_PROGRAM_DIR, lambdaArchitecture, programsOf, synthMemo, type SynthMemo } from './bundling.ts';
import { CobolRuntimeLayer, FUNCTION_RUNTIMES } from './runtime-layer.ts';
import type { CobolFunctionProps } from './types.ts';
import { grantS3Access } from './s3-access.ts';

export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * The program `entry` names, as discoverPrograms describes it (the one
 * description of a program). `cobolDir` is the COBOL folder it belongs to
 * (default: the entry's own folder; a program in a group sub-folder names its root).
 */
export function programForEntry(entry: string, cobolDir?: string, memo: SynthMemo = synthMemo()): ProgramSpec {
  const source = resolve(entry);
  const dir = resolve(cobolDir ?? dirname(source));
  const spec = programsOf(dir, memo).find((p) => p.source === source);
  if (!spec) {
    throw new Error(
      `${source} is not a main program of ${dir} (it must be a .cbl/.cob file there or in a group sub-folder, and not a subprogram)`,
    );
  }
  return spec;
}

/**
 * An execution role that may only write the function's own log group:
 * no managed policy, no wildcard action, no wildcard resource.
 */
export function logOnlyRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'cobolambda function role: writes its own log group only',
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // The log group's Arn attribute ends in ":*", which covers its log streams and nothing else.
      resources: [logGroup.logGroupArn],
    }),
  );
  return role;
}

/** The function's own log group (unless given) and a role that may write only to it. */
export function logGroupAndRole(
  scope: Construct,
  id: string,
  props: Pick<CobolFunctionProps, 'logGroup' | 'logRetention' | 'logRemovalPolicy' | 'role'>,
): { logGroup: logs.ILogGroup; role: iam.IRole } {
  // The log group exists before the function, so the role can name it.
  const logGroup =
    props.logGroup ??
    new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? DEFAULT_LOG_RETENTION,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
  return { logGroup, role: props.role ?? logOnlyRole(scope, `${id}ServiceRole`, logGroup) };
}

/** The `functionUrl` prop: AWS_IAM auth unless the user says otherwise. */
export function addCobolFunctionUrl(fn: lambda.Function, functionUrl: CobolFunctionProps['functionUrl']): lambda.FunctionUrl | undefined {
  if (!functionUrl) return undefined;
  const options = functionUrl === true ? {} : functionUrl;
  return fn.addFunctionUrl({ authType: options.authType ?? lambda.FunctionUrlAuthType.AWS_IAM, cors: options.cors });
}

export function programDescription(program: ProgramSpec): string {
  return `COBOL program ${program.name} (${program.mode} I/O), run by cobolambda`;
}

export class CobolFunction extends lambda.Function {
  /** The program this function runs. */
  readonly program: ProgramSpec;
  readonly runtimeLayer: lambda.ILayerVersion;
  /** The Function URL, when `functionUrl` was set. */
  readonly url?: lambda.FunctionUrl;
  /** The log group the function writes to. */
  readonly functionLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: CobolFunctionProps) {
    const memo = synthMemo(scope.node.root);
    const program = programForEntry(props.entry, props.cobolDir, memo);
    const cobolDir = resolve(props.cobolDir ?? dirname(program.source));
    const arch = cobolArchitecture(props.architecture);
    const architecture = lambdaArchitecture(arch);
    const functionRuntime = FUNCTION_RUNTIMES[program.runtime];
    if (props.runtimeLayer instanceof CobolRuntimeLayer && props.runtimeLayer.lambdaRuntime !== program.runtime) {
      throw new Error(
        `${program.name} runs on ${program.runtime} ("runtime" in cobolambda.json), but the runtimeLayer given is the one for ${props.runtimeLayer.lambdaRuntime}: ` +
          `leave runtimeLayer out, or give CobolRuntimeLayer.of(scope, { ..., lambdaRuntime: '${program.runtime}' })`,
      );
    }
    const runtimeLayer =
      props.runtimeLayer ?? CobolRuntimeLayer.of(scope, { cobolDir, architecture, lambdaRuntime: program.runtime, bundling: props.bundling });
    const extraLayers = props.extraLayers ?? [];
    if (extraLayers.length > 4) throw new Error(`${program.name}: Lambda allows 5 layers; the runtime layer is one`);

    const { logGroup, role } = logGroupAndRole(scope, id, props);

    const {
      entry: _entry,
      cobolDir: _d,
      logRetention: _r,
      logGroup: _g,
      logRemovalPolicy: _p,
      functionUrl,
      runtimeLayer: _l,
      extraLayers: _x,
      bundling,
      s3,
      ephemeralStorageMb,
      ...rest
    } = props;
    super(scope, id, {
      ...rest,
      runtime: functionRuntime.runtime,
      handler: program.name,
      architecture,
      code: cobolCode(cobolDir, { kind: 'program', name: program.name }, arch, bundling, memo),
      layers: [runtimeLayer, ...extraLayers],
      timeout: props.timeout ?? Duration.seconds(program.timeoutSeconds),
      memorySize: props.memorySize ?? program.memorySizeMb,
      environment: {
        ...program.environment,
        ...props.environment,
        // The same program folder on either runtime: the runtime finds the program there by _HANDLER.
        COBOLAMBDA_PROGRAM_DIR: FUNCTION_PROGRAM_DIR,
        ...functionRuntime.environment,
      },
      description: props.description ?? programDescription(program),
      ...((ephemeralStorageMb ?? program.batch?.ephemeralStorageMb) ? { ephemeralStorageSize: Size.mebibytes((ephemeralStorageMb ?? program.batch?.ephemeralStorageMb)!) } : {}),
      role,
      logGroup,
    });
    this.program = program;
    this.runtimeLayer = runtimeLayer;
    this.functionLogGroup = logGroup;

    this.url = addCobolFunctionUrl(this, functionUrl);
    grantS3Access(this, s3 ?? program.batch?.s3);
  }
}
