// cobolambda's CDK constructs. A CDK app of your own can use them directly:
//   new CobolFunction(this, 'Payroll', { entry: 'cobol/payroll.cbl' })
import { resolve } from 'node:path';
import { RemovalPolicy, type App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { programsOf, synthMemo } from './bundling.ts';
import { CobolambdaStack, readContext } from './stack.ts';
import { planStacks } from './stack-plan.ts';

export { CobolFunction, logOnlyRole, programForEntry, DEFAULT_LOG_RETENTION } from './function.ts';
export { CobolImageFunction, baseImageBuildArgs } from './image-function.ts';
export type { CobolImageFunctionProps } from './image-function.ts';
export { CobolRuntimeLayer } from './runtime-layer.ts';
export { CobolambdaStack, readContext, pascalCase } from './stack.ts';
export type { CobolambdaStackProps, CobolambdaContext, FunctionUrls } from './stack.ts';
export * from './bundling.ts';
export { planStacks, templateLimitProblems, DEFAULT_MAX_FUNCTIONS_PER_STACK, StackPlanError } from './stack-plan.ts';
export type { PlannedStack, StackPlanOptions } from './stack-plan.ts';
export type * from './types.ts';

/**
 * The app's stacks, from the app's context: cobol/'s own programs in the stack
 * named `stackName`, each group sub-folder in `<stackName>-<Group>`, split
 * further when a group has more than `maxFunctionsPerStack` programs.
 */
export function createStacks(app: App): CobolambdaStack[] {
  const ctx = readContext((key) => app.node.tryGetContext(key));
  const cobolDir = resolve(ctx.cobolDir);
  const programs = programsOf(cobolDir, synthMemo(app));
  if (programs.length === 0) throw new Error(`no programs (.cbl/.cob files) in ${cobolDir}`);
  const plan = planStacks(programs, {
    stackName: ctx.stackName,
    maxFunctionsPerStack: ctx.maxFunctionsPerStack,
    shards: ctx.stackShards,
  });
  return plan.map(
    (planned) =>
      new CobolambdaStack(app, planned.name, {
        stackName: planned.name,
        cobolDir,
        programs: planned.programs,
        architecture: ctx.architecture,
        packaging: ctx.packaging,
        functionUrls: ctx.functionUrls,
        functionUrlAuth: ctx.functionUrlAuth,
        logRetention: ctx.logRetentionDays as logs.RetentionDays,
        logRemovalPolicy: ctx.logRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        bundling: { forceDocker: ctx.forceDockerBundling },
        baseImages: { toolchain: ctx.toolchainImage, lambdaBase: ctx.lambdaBaseImage },
        // Account and region come from the CLI's credentials/profile (environment-agnostic otherwise).
        env:
          process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
            ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
            : undefined,
        description: `cobolambda: GnuCOBOL programs on AWS Lambda (provided.al2023)${planned.group ? `, group ${planned.group}` : ''}${planned.shards > 1 ? `, shard ${planned.shard} of ${planned.shards}` : ''}`,
      }),
  );
}

/** The app's first stack (with a small estate, its only one); createStacks gives them all. */
export function createApp(app: App): CobolambdaStack {
  return createStacks(app)[0]!;
}
