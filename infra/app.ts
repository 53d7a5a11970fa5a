// The CDK app (`npx cdk deploy`, see cdk.json): a Lambda function per program in
// cobol/, in one stack, or several for an estate (infra/stack-plan.ts). Settings come from CDK context, e.g.
//   npx cdk deploy -c stackName=Payroll -c architecture=arm64 -c functionUrls=all
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createStacks, templateLimitProblems } from './index.ts';

export function main(app = new App()): App {
  createStacks(app);
  // The AwsSolutions rules run on every synth: an unacknowledged finding fails `cdk synth`/`deploy`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}

// CloudFormation would refuse a template over its limits only at deploy time: say so at synth.
const assembly = main().synth();
const problems = assembly.stacks.flatMap((stack) => templateLimitProblems(stack.stackName, stack.template));
if (problems.length > 0) {
  process.stderr.write(`cobolambda: ${problems.join('\n')}\n`);
  process.exit(1);
}
