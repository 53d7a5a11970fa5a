// The runtime layer: bootstrap, the bundled runtime, Node.js and the GnuCOBOL
// runtime the programs need, unpacked by Lambda under /opt. One per stack, COBOL
// folder and architecture, shared by every CobolFunction.
import { resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { cobolArchitecture, cobolCode, lambdaArchitecture, synthMemo } from './bundling.ts';
import type { CobolRuntimeLayerProps } from './types.ts';

export class CobolRuntimeLayer extends lambda.LayerVersion {
  /** The stack's shared layer for this COBOL folder and architecture, created on first use. */
  static of(scope: Construct, props: CobolRuntimeLayerProps): CobolRuntimeLayer {
    const stack = Stack.of(scope);
    const arch = cobolArchitecture(props.architecture);
    const dir = resolve(props.cobolDir);
    const key = `${dir}\0${arch}`;
    let ids = sharedIds.get(stack);
    if (!ids) sharedIds.set(stack, (ids = new Map()));
    const existingId = ids.get(key);
    if (existingId) return stack.node.findChild(existingId) as CobolRuntimeLayer;
    const id = ids.size === 0 ? 'CobolRuntimeLayer' : `CobolRuntimeLayer${ids.size + 1}`;
    ids.set(key, id);
    return new CobolRuntimeLayer(stack, id, props);
  }

  readonly architecture: lambda.Architecture;

  constructor(scope: Construct, id: string, props: CobolRuntimeLayerProps) {
    const arch = cobolArchitecture(props.architecture);
    super(scope, id, {
      code: cobolCode(props.cobolDir, { kind: 'runtime' }, arch, props.bundling, synthMemo(scope.node.root)),
      compatibleRuntimes: [lambda.Runtime.PROVIDED_AL2023],
      compatibleArchitectures: [lambdaArchitecture(arch)],
      description: `cobolambda runtime (bootstrap, Node.js, GnuCOBOL runtime) for ${arch}`,
      license: 'MIT',
    });
    this.architecture = lambdaArchitecture(arch);
  }
}

const sharedIds = new WeakMap<Stack, Map<string, string>>();
