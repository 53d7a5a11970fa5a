// The CDK app (`npx cdk deploy`, see cdk.json): one stack with a Lambda function
// per program in cobol/. Settings come from CDK context, e.g.
//   npx cdk deploy -c stackName=Payroll -c architecture=arm64 -c functionUrls=all
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from './index.ts';

export function main(app = new App()): App {
  createApp(app);
  // The AwsSolutions rules run on every synth: an unacknowledged finding fails `cdk synth`/`deploy`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}

main().synth();
