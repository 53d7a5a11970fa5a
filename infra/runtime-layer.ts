// The runtime layers and the Lambda runtime each goes with. provided.al2023:
// bootstrap, the bundled runtime, Node.js and the GnuCOBOL runtime the programs
// need. nodejs24.x: the same without Node.js and bootstrap; Lambda's own Node
// runs the bundle through the exec wrapper. Unpacked by Lambda under /opt. One
// per stack, COBOL folder, architecture and Lambda runtime, shared by every
// CobolFunction.
import { resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { LambdaRuntime } from '../layer/config-schema.ts';
import { RUNTIME_LAYERS } from '../layer/runtime-layers.ts';
import { cobolArchitecture, cobolCode, lambdaArchitecture, synthMemo } from './bundling.ts';
import type { CobolRuntimeLayerProps } from './types.ts';

/** Where the runtime layer puts runtime/exec-wrapper: the layer's root, /opt. */
export const EXEC_WRAPPER_PATH = '/opt/exec-wrapper';

interface FunctionRuntime {
  runtime: lambda.Runtime;
  /** What the function's environment needs for this runtime to start cobolambda's bootstrap. */
  environment: Record<string, string>;
  layerId: string;
  layerDescription: string;
}

/** How a function runs on each Lambda runtime a program can ask for (cobolambda.json's "runtime"). */
export const FUNCTION_RUNTIMES: Record<LambdaRuntime, FunctionRuntime> = {
  'provided.al2023': {
    runtime: lambda.Runtime.PROVIDED_AL2023,
    environment: {},
    layerId: 'CobolRuntimeLayer',
    layerDescription: 'cobolambda runtime (bootstrap, Node.js, GnuCOBOL runtime)',
  },
  'nodejs24.x': {
    runtime: lambda.Runtime.NODEJS_24_X,
    // Lambda's Node runtime runs `wrapper NODE FLAGS ITS-ENTRY`; the wrapper runs cobolambda's bundle instead.
    environment: { AWS_LAMBDA_EXEC_WRAPPER: EXEC_WRAPPER_PATH },
    layerId: 'CobolNodejsRuntimeLayer',
    layerDescription: "cobolambda runtime for Lambda's Node.js (exec wrapper, GnuCOBOL runtime; no Node.js)",
  },
};

export class CobolRuntimeLayer extends lambda.LayerVersion {
  /** The stack's shared layer for this COBOL folder, architecture and Lambda runtime, created on first use. */
  static of(scope: Construct, props: CobolRuntimeLayerProps): CobolRuntimeLayer {
    const stack = Stack.of(scope);
    const arch = cobolArchitecture(props.architecture);
    const lambdaRuntime = props.lambdaRuntime ?? 'provided.al2023';
    const dir = resolve(props.cobolDir);
    const key = `${dir}\0${arch}\0${lambdaRuntime}`;
    let ids = sharedIds.get(stack);
    if (!ids) sharedIds.set(stack, (ids = new Map()));
    const existingId = ids.get(key);
    if (existingId) return stack.node.findChild(existingId) as CobolRuntimeLayer;
    // Numbered per Lambda runtime, so adding a nodejs24.x program never renames the provided.al2023 layers.
    const base = FUNCTION_RUNTIMES[lambdaRuntime].layerId;
    const same = [...ids.keys()].filter((k) => k.endsWith(`\0${lambdaRuntime}`)).length;
    const id = same === 0 ? base : `${base}${same + 1}`;
    ids.set(key, id);
    return new CobolRuntimeLayer(stack, id, props);
  }

  readonly architecture: lambda.Architecture;
  /** The Lambda runtime of the functions this layer serves. */
  readonly lambdaRuntime: LambdaRuntime;

  constructor(scope: Construct, id: string, props: CobolRuntimeLayerProps) {
    const arch = cobolArchitecture(props.architecture);
    const lambdaRuntime = props.lambdaRuntime ?? 'provided.al2023';
    const fr = FUNCTION_RUNTIMES[lambdaRuntime];
    super(scope, id, {
      code: cobolCode(props.cobolDir, { kind: RUNTIME_LAYERS[lambdaRuntime].name }, arch, props.bundling, synthMemo(scope.node.root)),
      compatibleRuntimes: [fr.runtime],
      compatibleArchitectures: [lambdaArchitecture(arch)],
      description: `${fr.layerDescription} for ${arch}`,
      license: 'MIT',
    });
    this.architecture = lambdaArchitecture(arch);
    this.lambdaRuntime = lambdaRuntime;
  }
}

const sharedIds = new WeakMap<Stack, Map<string, string>>();
