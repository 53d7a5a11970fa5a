// CobolFunction for a batch program: S3 access granted exactly as cobolambda.json
// names it (no wildcard bucket, object actions on the prefixes only), /tmp size,
// and cdk-nag's AwsSolutions pack satisfied.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CobolFunction } from '../infra/index.ts';

function cobolDir(settings: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cobolambda-infra-batch-'));
  writeFileSync(join(dir, 'payroll.cbl'), '       IDENTIFICATION DIVISION.\n       PROGRAM-ID. PAYROLL.\n       PROCEDURE DIVISION.\n           STOP RUN.\n');
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { payroll: settings } }));
  return dir;
}

function synth(settings: unknown, props: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'cobolambda-cdkout-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Batch');
  new CobolFunction(stack, 'Payroll', { entry: join(cobolDir(settings), 'payroll.cbl'), ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  return { template: Template.fromStack(stack), violations: report.pluginReports.flatMap((r: any) => r.violations ?? []) };
}

const batch = {
  mode: 'batch',
  files: { EMPIN: { direction: 'input', copybook: 'x.cpy' }, PAYOUT: { direction: 'output', format: 'lines' } },
  s3: { read: ['payroll-in/master/', 'payroll-drop'], write: ['payroll-out/pay/'] },
  ephemeralStorageMb: 2048,
};

function s3Statements(template: Template): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
}

describe('CobolFunction, batch mode', () => {
  it('grants s3:GetObject on the read prefixes and s3:PutObject on the write prefixes, nothing more', () => {
    const { template, violations } = synth(batch);
    const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${rest}`]] });
    expect(s3Statements(template)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: [arn('payroll-in/master/*'), arn('payroll-drop/*')] },
      { Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Effect: 'Allow', Resource: arn('payroll-out/pay/*') },
    ]);
    expect(violations).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { EphemeralStorage: { Size: 2048 } });
  });

  it('an inout master updated in place needs the same prefix read and written: both grants, cdk-nag satisfied', () => {
    const inout = { mode: 'batch', files: { MASTER: { direction: 'inout', format: 'bytes', s3: 's3://vsam-data/acct/master.dat', to: 's3://vsam-data/acct/master.dat' } }, s3: { read: ['vsam-data/acct/'], write: ['vsam-data/acct/'] } };
    const { template, violations } = synth(inout);
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::vsam-data/acct/*']] };
    expect(s3Statements(template)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: arn },
      { Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Effect: 'Allow', Resource: arn },
    ]);
    expect(violations).toEqual([]);
  });

  it('props override cobolambda.json; a program without s3 settings gets no S3 access', () => {
    const { template } = synth(batch, { s3: { write: ['other-bucket'] }, ephemeralStorageMb: 1024 });
    expect(s3Statements(template).map((s) => s.Action)).toEqual([['s3:PutObject', 's3:AbortMultipartUpload']]);
    template.hasResourceProperties('AWS::Lambda::Function', { EphemeralStorage: { Size: 1024 } });
    expect(s3Statements(synth({ mode: 'batch', files: batch.files }).template)).toEqual([]);
  });

  it('refuses a wildcard in a bucket or prefix', () => {
    expect(() => synth({ ...batch, s3: { read: ['payroll-*'] } })).toThrow(/s3.read: "payroll-\*" must be a bucket or bucket\/prefix, no wildcards/);
    expect(() => synth(batch, { s3: { read: ['b/pre*fix'] } })).toThrow(/without wildcards/);
  });
});
