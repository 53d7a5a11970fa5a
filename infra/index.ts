// cobolambda's CDK constructs. A CDK app of your own can use them directly:
//   new CobolFunction(this, 'Payroll', { entry: 'cobol/payroll.cbl' })
import { RemovalPolicy, type App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CobolambdaStack, readContext } from './stack.ts';

export { CobolFunction, logOnlyRole, programForEntry, DEFAULT_LOG_RETENTION } from './function.ts';
export { CobolImageFunction, baseImageBuildArgs } from './image-function.ts';
export type { CobolImageFunctionProps } from './image-function.ts';
export { CobolRuntimeLayer } from './runtime-layer.ts';
export { CobolambdaStack, readContext, pascalCase } from './stack.ts';
export type { CobolambdaStackProps, CobolambdaContext, FunctionUrls } from './stack.ts';
export * from './bundling.ts';
export type * from './types.ts';

/** The app's one stack, from the app's context. */
export function createApp(app: App): CobolambdaStack {
  const ctx = readContext((key) => app.node.tryGetContext(key));
  return new CobolambdaStack(app, ctx.stackName, {
    stackName: ctx.stackName,
    cobolDir: ctx.cobolDir,
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
    description: 'cobolambda: GnuCOBOL programs on AWS Lambda (provided.al2023)',
  });
}
