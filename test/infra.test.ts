// The CDK app and constructs (issue 5), synthesized without AWS and without
// Docker: the template, least privilege, cdk-nag's AwsSolutions pack and
// cfn-lint. Bundling is skipped here (asset hashes come from the sources);
// test/infra-bundling.test.ts runs the real build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CobolFunction, createApp, readContext } from '../infra/index.ts';
import { toolchainInputFiles } from '../infra/bundling.ts';

const HELLO_CBL = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. HELLO.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       COPY greeting.
       PROCEDURE DIVISION.
           DISPLAY GREETING.
           STOP RUN.
`;

/** hello (raw, a copybook), web-echo (http, settings in cobolambda.json), report (raw). */
function makeCobolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cobolambda-infra-'));
  writeFileSync(join(dir, 'hello.cbl'), HELLO_CBL);
  mkdirSync(join(dir, 'copybooks'));
  writeFileSync(join(dir, 'copybooks', 'greeting.cpy'), `       01 GREETING PIC X(5) VALUE "hello".\n`);
  writeFileSync(join(dir, 'web-echo.cbl'), HELLO_CBL.replace('HELLO.', 'WEBECHO.'));
  writeFileSync(join(dir, 'REPORT.cob'), HELLO_CBL.replace('HELLO.', 'REPORT.'));
  writeFileSync(
    join(dir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        'web-echo': { mode: 'http', timeoutSeconds: 10, memorySizeMb: 512, environment: { GREETING: 'hi' } },
      },
    }),
  );
  return dir;
}

interface Synth {
  app: App;
  stack: Stack;
  template: Template;
  json: any;
  outdir: string;
}

/**
 * Synthesizes the cobolambda app as `cdk synth` would (context, AwsSolutions
 * checks), without bundling unless `bundle` is set: asset hashes come from the
 * sources, so the template is the one a real synth gives.
 */
function synthApp(context: Record<string, unknown>, bundle = false): Synth {
  const outdir = mkdtempSync(join(tmpdir(), 'cobolambda-cdkout-'));
  const app = new App({
    outdir,
    context: { architecture: 'x86_64', ...context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = createApp(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON(), outdir };
}

function resourcesOf(json: any, type: string): Array<[string, any]> {
  return Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}

function functions(json: any): Array<[string, any]> {
  return resourcesOf(json, 'AWS::Lambda::Function');
}

function functionNamed(json: any, handler: string): any {
  const found = functions(json).find(([, r]) => r.Properties.Handler === handler || r.Properties.ImageConfig?.Command?.[0] === handler);
  if (!found) throw new Error(`no function for ${handler}`);
  return found[1].Properties;
}

const cobolDir = makeCobolDir();

describe('the app (zip packaging, the default)', () => {
  const { json, template } = synthApp({ cobolDir });

  it('makes one provided.al2023 function per program, handler = program name', () => {
    const fns = functions(json).map(([, r]) => r.Properties);
    expect(fns.map((f) => f.Handler).sort()).toEqual(['hello', 'report', 'web-echo']);
    for (const f of fns) {
      expect(f.Runtime).toBe('provided.al2023');
      expect(f.Architectures).toEqual(['x86_64']);
      expect(f.FunctionName).toBe(`Cobolambda-${f.Handler}`);
    }
  });

  it('attaches the one shared runtime layer to every function', () => {
    const layers = resourcesOf(json, 'AWS::Lambda::LayerVersion');
    expect(layers).toHaveLength(1);
    const [layerId, layer] = layers[0]!;
    expect(layer.Properties.CompatibleRuntimes).toEqual(['provided.al2023']);
    expect(layer.Properties.CompatibleArchitectures).toEqual(['x86_64']);
    for (const [, f] of functions(json)) expect(f.Properties.Layers).toEqual([{ Ref: layerId }]);
  });

  it('uses 30 s / 256 MB by default and the settings of cobolambda.json', () => {
    expect(functionNamed(json, 'hello')).toMatchObject({ Timeout: 30, MemorySize: 256 });
    expect(functionNamed(json, 'web-echo')).toMatchObject({ Timeout: 10, MemorySize: 512 });
  });

  it('sets the environment: the program folder in the code asset, plus the program settings', () => {
    expect(functionNamed(json, 'hello').Environment.Variables).toEqual({ COBOLAMBDA_PROGRAM_DIR: '/var/task/bin' });
    expect(functionNamed(json, 'web-echo').Environment.Variables).toEqual({
      GREETING: 'hi',
      COBOLAMBDA_PROGRAM_DIR: '/var/task/bin',
    });
  });

  it('gives every function its own log group with 30 days retention, kept when the stack is deleted', () => {
    const groups = resourcesOf(json, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(3);
    for (const [, g] of groups) {
      expect(g.Properties.RetentionInDays).toBe(30);
      // CDK's own default for log groups: logs outlive `cdk destroy`.
      expect([g.DeletionPolicy, g.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    }
    for (const [, f] of functions(json)) {
      const ref = f.Properties.LoggingConfig.LogGroup.Ref;
      expect(groups.map(([id]) => id)).toContain(ref);
    }
  });

  it('outputs each function name and ARN, the URL where there is one, and the layer ARN', () => {
    const outputs = Object.keys(json.Outputs).filter((k) => !k.startsWith('CDK') && k !== 'BootstrapVersion').sort();
    expect(outputs).toEqual([
      'HelloFunctionArn',
      'HelloFunctionName',
      'ReportFunctionArn',
      'ReportFunctionName',
      'RuntimeLayerArn',
      'WebEchoFunctionArn',
      'WebEchoFunctionName',
      'WebEchoFunctionUrl',
    ]);
    template.hasOutput('WebEchoFunctionUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebEchoFunctionUrl'), 'FunctionUrl'] } });
  });

  it('gives http-mode programs a Function URL with AWS_IAM auth and opens nothing to the world', () => {
    const urls = resourcesOf(json, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]![1].Properties.AuthType).toBe('AWS_IAM');
    expect(resourcesOf(json, 'AWS::Lambda::Permission')).toHaveLength(0);
  });

  it('lets each role only write its own log group: no managed policy, no wildcard', () => {
    const roles = resourcesOf(json, 'AWS::IAM::Role');
    expect(roles).toHaveLength(3);
    for (const [, role] of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    const policies = resourcesOf(json, 'AWS::IAM::Policy');
    expect(policies).toHaveLength(3);
    for (const [, policy] of policies) {
      const [statement, ...more] = policy.Properties.PolicyDocument.Statement;
      expect(more).toEqual([]);
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(statement.Resource['Fn::GetAtt'][1]).toBe('Arn');
      expect(resourcesOf(json, 'AWS::Logs::LogGroup').map(([id]) => id)).toContain(statement.Resource['Fn::GetAtt'][0]);
    }
    expect(JSON.stringify(json)).not.toMatch(/"Action":\s*(\[[^\]]*)?"[^"]*\*/);
  });
});

describe('app settings from context', () => {
  it('names the stack, picks arm64, puts a URL on every function and keeps 7 days of logs', () => {
    const { stack, json } = synthApp({
      cobolDir,
      stackName: 'Payroll',
      architecture: 'arm64',
      functionUrls: 'all',
      logRetentionDays: 7,
    });
    expect(stack.stackName).toBe('Payroll');
    for (const [, f] of functions(json)) {
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.FunctionName).toMatch(/^Payroll-/);
    }
    expect(resourcesOf(json, 'AWS::Lambda::LayerVersion')[0]![1].Properties.CompatibleArchitectures).toEqual(['arm64']);
    expect(resourcesOf(json, 'AWS::Lambda::Url').map(([, u]) => u.Properties.AuthType)).toEqual(['AWS_IAM', 'AWS_IAM', 'AWS_IAM']);
    for (const [, g] of resourcesOf(json, 'AWS::Logs::LogGroup')) expect(g.Properties.RetentionInDays).toBe(7);
  });

  it('opens a URL to the public only when asked to (functionUrlAuth=NONE)', () => {
    const { json } = synthApp({ cobolDir, functionUrlAuth: 'NONE' });
    expect(resourcesOf(json, 'AWS::Lambda::Url')[0]![1].Properties.AuthType).toBe('NONE');
  });

  it('deletes the log groups with the stack only when asked to (logRemovalPolicy=destroy)', () => {
    const { json } = synthApp({ cobolDir, logRemovalPolicy: 'destroy' });
    const groups = resourcesOf(json, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(3);
    for (const [, g] of groups) expect([g.DeletionPolicy, g.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
  });

  it('builds for x86_64 unless told otherwise, whatever CPU runs synth', () => {
    // Without the setting, not from the test's own context either.
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cobolambda-cdkout-')), context: { cobolDir, 'aws:cdk:bundling-stacks': [] } });
    const json = Template.fromStack(createApp(app)).toJSON();
    for (const [, f] of functions(json)) expect(f.Properties.Architectures).toEqual(['x86_64']);
    expect(resourcesOf(json, 'AWS::Lambda::LayerVersion')[0]![1].Properties.CompatibleArchitectures).toEqual(['x86_64']);
    // The decision does not read the host: a synth on an arm64 machine gets the same.
    const arch = Object.getOwnPropertyDescriptor(process, 'arch')!;
    Object.defineProperty(process, 'arch', { value: process.arch === 'arm64' ? 'x64' : 'arm64' });
    try {
      expect(readContext(() => undefined).architecture).toBe('x86_64');
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Other');
      new CobolFunction(stack, 'F', { entry: join(cobolDir, 'hello.cbl') });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Architectures: ['x86_64'] });
    } finally {
      Object.defineProperty(process, 'arch', arch);
    }
  });

  it('has no URL at all with functionUrls=none', () => {
    const { json } = synthApp({ cobolDir, functionUrls: 'none' });
    expect(resourcesOf(json, 'AWS::Lambda::Url')).toHaveLength(0);
  });

  it('rejects settings it does not know, naming them', () => {
    const get = (values: Record<string, unknown>) => (k: string) => values[k];
    expect(() => readContext(get({ architecture: 'sparc' }))).toThrow(/"architecture" is "sparc"; expected one of x86_64, arm64/);
    expect(() => readContext(get({ logRetentionDays: 8 }))).toThrow(/logRetentionDays/);
    expect(() => readContext(get({ packaging: 'tar' }))).toThrow(/packaging/);
    expect(() => readContext(get({ stackName: '1-bad' }))).toThrow(/stackName/);
    expect(() => readContext(get({ logRemovalPolicy: 'snapshot' }))).toThrow(/"logRemovalPolicy" is "snapshot"; expected one of retain, destroy/);
    expect(() => readContext(get({ forceDockerBundling: 'yes' }))).toThrow(/"forceDockerBundling" is "yes"; expected one of true, false/);
    expect(() => readContext(get({ toolchainImage: 'two words' }))).toThrow(/"toolchainImage" is "two words"; expected an image reference/);
    expect(readContext(get({}))).toEqual({
      stackName: 'Cobolambda',
      cobolDir: 'cobol',
      architecture: 'x86_64',
      packaging: 'zip',
      functionUrls: 'http',
      functionUrlAuth: 'AWS_IAM',
      logRetentionDays: 30,
      logRemovalPolicy: 'retain',
      forceDockerBundling: false,
      toolchainImage: undefined,
      lambdaBaseImage: undefined,
      maxFunctionsPerStack: 60,
      stackShards: {},
    });
    expect(readContext(get({ forceDockerBundling: true, toolchainImage: 'mirror.example/node:20-bookworm-slim' }))).toMatchObject({
      forceDockerBundling: true,
      toolchainImage: 'mirror.example/node:20-bookworm-slim',
    });
  });

  it('refuses a folder without programs', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cobolambda-empty-'));
    expect(() => synthApp({ cobolDir: empty })).toThrow(/no programs/);
  });
});

describe('asset hashes come from the sources', () => {
  const keyOf = (json: any, handler: string) => functionNamed(json, handler).Code.S3Key;
  const layerKey = (json: any) => resourcesOf(json, 'AWS::Lambda::LayerVersion')[0]![1].Properties.Content.S3Key;

  it('are the same on every synth, and change only for the program that changed', () => {
    const dir = makeCobolDir();
    const a = synthApp({ cobolDir: dir }).json;
    const b = synthApp({ cobolDir: dir }).json;
    expect(keyOf(b, 'hello')).toBe(keyOf(a, 'hello'));
    expect(layerKey(b)).toBe(layerKey(a));
    // Another folder with the same files hashes the same: no machine paths in the hash.
    expect(keyOf(synthApp({ cobolDir: makeCobolDir() }).json, 'hello')).toBe(keyOf(a, 'hello'));

    writeFileSync(join(dir, 'REPORT.cob'), HELLO_CBL.replace('HELLO.', 'REPORT2.'));
    const c = synthApp({ cobolDir: dir }).json;
    expect(keyOf(c, 'report')).not.toBe(keyOf(a, 'report'));
    expect(keyOf(c, 'hello')).toBe(keyOf(a, 'hello'));

    // A copybook is an input of every program that may COPY it.
    writeFileSync(join(dir, 'copybooks', 'greeting.cpy'), `       01 GREETING PIC X(5) VALUE "howdy".\n`);
    const d = synthApp({ cobolDir: dir }).json;
    expect(keyOf(d, 'hello')).not.toBe(keyOf(c, 'hello'));
    // The architecture is part of the hash.
    expect(keyOf(synthApp({ cobolDir: dir, architecture: 'arm64' }).json, 'hello')).not.toBe(keyOf(d, 'hello'));
  });
});

describe('container-image packaging', () => {
  const repoCobol = mkdtempSync(join(process.cwd(), '.cobolambda-infra-test-'));
  writeFileSync(join(repoCobol, 'hello.cbl'), HELLO_CBL.replace(/ +COPY greeting\.\n/, ''));
  writeFileSync(join(repoCobol, 'web-echo.cbl'), HELLO_CBL.replace(/ +COPY greeting\.\n/, ''));
  const { json, outdir } = (() => {
    try {
      return synthApp({ cobolDir: repoCobol, packaging: 'image' });
    } finally {
      spawnSync('rm', ['-rf', repoCobol]);
    }
  })();

  it('makes image functions whose command is the program, from the root Dockerfile', () => {
    const fns = functions(json).map(([, r]) => r.Properties);
    expect(fns).toHaveLength(2);
    for (const f of fns) {
      expect(f.PackageType).toBe('Image');
      expect(f.Layers).toBeUndefined();
      expect(f.Runtime).toBeUndefined();
      expect(f.Environment.Variables.COBOLAMBDA_PROGRAM_DIR).toBe('/opt/bin');
    }
    expect(fns.map((f) => f.ImageConfig.Command).sort()).toEqual([['hello'], ['web-echo']]);
    expect(resourcesOf(json, 'AWS::Lambda::LayerVersion')).toHaveLength(0);
    const assets = JSON.parse(readFileSync(join(outdir, 'Cobolambda.assets.json'), 'utf8'));
    const images = Object.values(assets.dockerImages) as any[];
    expect(images).toHaveLength(1); // one image, both functions
    expect(images[0].source.dockerFile).toBe('Dockerfile');
    expect(images[0].source.dockerBuildArgs.COBOL_DIR).toMatch(/^\.cobolambda-infra-test-/);
    expect(images[0].source.platform).toBe('linux/amd64');
    // No base image given: the Dockerfile's own defaults.
    expect(Object.keys(images[0].source.dockerBuildArgs)).toEqual(['COBOL_DIR']);
  });

  it('passes the base images given as settings to the Dockerfile as build arguments', () => {
    const dir = mkdtempSync(join(process.cwd(), '.cobolambda-infra-test-'));
    writeFileSync(join(dir, 'hello.cbl'), HELLO_CBL.replace(/ +COPY greeting\.\n/, ''));
    try {
      const { outdir } = synthApp({
        cobolDir: dir,
        packaging: 'image',
        toolchainImage: 'mirror.example/node:20-bookworm-slim',
        lambdaBaseImage: 'mirror.example/lambda/provided:al2023',
      });
      const assets = JSON.parse(readFileSync(join(outdir, 'Cobolambda.assets.json'), 'utf8'));
      const [image] = Object.values(assets.dockerImages) as any[];
      expect(image.source.dockerBuildArgs).toMatchObject({
        TOOLCHAIN_IMAGE: 'mirror.example/node:20-bookworm-slim',
        LAMBDA_BASE_IMAGE: 'mirror.example/lambda/provided:al2023',
      });
    } finally {
      spawnSync('rm', ['-rf', dir]);
    }
  });

  it('passes cdk-nag and cfn-lint too', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations ?? [])).toEqual([]);
    const run = spawnSync('cfn-lint', [join(outdir, 'Cobolambda.template.json')], { encoding: 'utf8' });
    expect(run.status! & 2, run.stdout + run.stderr).toBe(0);
  });
});

describe('CobolFunction in an app of your own', () => {
  function userStack(): Stack {
    return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Mine');
  }

  it('needs only an entry, and takes x86_64 and the defaults', () => {
    const stack = userStack();
    const fn = new CobolFunction(stack, 'Payroll', { entry: join(cobolDir, 'hello.cbl'), functionUrl: true });
    expect(fn.program.name).toBe('hello');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'hello',
      Runtime: 'provided.al2023',
      Timeout: 30,
      MemorySize: 256,
      Architectures: ['x86_64'],
    });
    t.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    t.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    t.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  it('shares one runtime layer between functions of one folder and architecture', () => {
    const stack = userStack();
    const a = new CobolFunction(stack, 'A', { entry: join(cobolDir, 'hello.cbl'), architecture: lambda.Architecture.ARM_64 });
    const b = new CobolFunction(stack, 'B', { entry: join(cobolDir, 'REPORT.cob'), architecture: lambda.Architecture.ARM_64 });
    new CobolFunction(stack, 'C', { entry: join(cobolDir, 'hello.cbl'), architecture: lambda.Architecture.X86_64 });
    expect(a.runtimeLayer).toBe(b.runtimeLayer);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 2);
  });

  it('takes timeout, memory, environment, log retention or a log group of yours', () => {
    const stack = userStack();
    const group = new logs.LogGroup(stack, 'Shared', { retention: logs.RetentionDays.ONE_WEEK });
    new CobolFunction(stack, 'A', {
      entry: join(cobolDir, 'web-echo.cbl'),
      timeout: Duration.seconds(90),
      memorySize: 1024,
      environment: { GREETING: 'override', EXTRA: '1' },
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
    new CobolFunction(stack, 'B', { entry: join(cobolDir, 'hello.cbl'), logGroup: group });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'web-echo',
      Timeout: 90,
      MemorySize: 1024,
      Environment: { Variables: { GREETING: 'override', EXTRA: '1', COBOLAMBDA_PROGRAM_DIR: '/var/task/bin' } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    t.resourceCountIs('AWS::Logs::LogGroup', 2);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Shared'), 'Arn'] } })] },
    });
  });

  it('says what is wrong with an entry that is not a program', () => {
    const stack = userStack();
    writeFileSync(join(cobolDir, 'notes.txt'), 'x');
    expect(() => new CobolFunction(stack, 'X', { entry: join(cobolDir, 'notes.txt') })).toThrow(/is not a main program/);
    expect(() => new CobolFunction(stack, 'Y', { entry: join(cobolDir, 'missing.cbl') })).toThrow(/is not a main program/);
  });
});

describe('checks the template must pass', () => {
  const variants: Array<[string, Record<string, unknown>]> = [
    ['zip x86_64', { cobolDir }],
    ['zip arm64, every URL public', { cobolDir, architecture: 'arm64', functionUrls: 'all', functionUrlAuth: 'NONE' }],
  ];

  it.each(variants)('cdk-nag AwsSolutions: no unacknowledged finding (%s)', (_name, context) => {
    const { outdir } = synthApp(context); // a finding makes app.synth() throw
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((r: any) => r.violations ?? []);
    expect(violations).toEqual([]);
  });

  it('cdk-nag would catch a wildcard (the check is live)', () => {
    const app = new App({ context: { cobolDir, architecture: 'x86_64', 'aws:cdk:bundling-stacks': [] } });
    const stack = createApp(app);
    const fn = stack.functions[0]!;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });

  it.each(variants)('cfn-lint: no errors (%s)', (_name, context) => {
    const { outdir } = synthApp(context);
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates.length).toBeGreaterThan(0);
    const run = spawnSync('cfn-lint', templates.map((t) => join(outdir, t)), { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    // cfn-lint's exit status is a bit set: 2 errors, 4 warnings, 8 informational.
    expect(run.status! & 2, run.stdout + run.stderr).toBe(0);
  });
});

describe('a call-mode program', () => {
  const SUBPROGRAM = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. ACCTSUB.
       DATA DIVISION.
       LINKAGE SECTION.
       01  LK-AREA PIC X(10).
       PROCEDURE DIVISION USING LK-AREA.
           GOBACK.
`;
  const makeDir = () => {
    const dir = makeCobolDir();
    writeFileSync(join(dir, 'acctsub.cbl'), SUBPROGRAM);
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 'shared', 'lkarea.cpy'), `       01  LK-AREA PIC X(10).\n`);
    const config = JSON.parse(readFileSync(join(dir, 'cobolambda.json'), 'utf8'));
    config.programs.acctsub = { mode: 'call', using: ['shared/lkarea.cpy'] };
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify(config));
    return dir;
  };

  it('is a function like the others, re-deployed when its using copybook (outside the copybook path) changes', () => {
    const dir = makeDir();
    const a = synthApp({ cobolDir: dir }).json;
    const fn = functionNamed(a, 'acctsub');
    expect(fn).toMatchObject({ Runtime: 'provided.al2023', FunctionName: 'Cobolambda-acctsub', Timeout: 30, MemorySize: 256, Description: expect.stringContaining('(call I/O)') });
    expect(fn.Layers).toEqual(functionNamed(a, 'hello').Layers);
    expect(fn.Environment.Variables).toEqual({ COBOLAMBDA_PROGRAM_DIR: '/var/task/bin' });
    writeFileSync(join(dir, 'shared', 'lkarea.cpy'), `       01  LK-AREA PIC X(11).\n`);
    const b = synthApp({ cobolDir: dir }).json;
    expect(functionNamed(b, 'acctsub').Code.S3Key).not.toBe(fn.Code.S3Key);
    expect(functionNamed(b, 'hello').Code.S3Key).toBe(functionNamed(a, 'hello').Code.S3Key);
  });

  it('its caller, linked into the program, is a toolchain input like the fork server', () => {
    const files = toolchainInputFiles().map((f) => f.replace(/.*\/runtime\//, 'runtime/'));
    expect(files).toEqual(expect.arrayContaining(['runtime/native/call-driver.c', 'runtime/native/fork-server.c']));
  });
});

describe('a program on nodejs24.x ("runtime" in cobolambda.json)', () => {
  /** makeCobolDir's programs, with `runtime` set for those named. */
  const withRuntime = (names: string[], dir = makeCobolDir()): string => {
    const config = JSON.parse(readFileSync(join(dir, 'cobolambda.json'), 'utf8'));
    for (const name of names) config.programs[name] = { ...config.programs[name], runtime: 'nodejs24.x' };
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify(config));
    return dir;
  };
  const mixed = synthApp({ cobolDir: withRuntime(['web-echo']) });
  const layerOf = (json: any, handler: string) => {
    const [ref, ...more] = functionNamed(json, handler).Layers;
    expect(more).toEqual([]);
    return json.Resources[ref.Ref];
  };

  it("runs on Lambda's Node with the layer without Node and the exec wrapper, same handler and program folder", () => {
    const fn = functionNamed(mixed.json, 'web-echo');
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'web-echo', Timeout: 10, MemorySize: 512 });
    expect(fn.Environment.Variables).toEqual({ GREETING: 'hi', COBOLAMBDA_PROGRAM_DIR: '/var/task/bin', AWS_LAMBDA_EXEC_WRAPPER: '/opt/exec-wrapper' });
    const layer = layerOf(mixed.json, 'web-echo');
    expect(layer.Properties).toMatchObject({ CompatibleRuntimes: ['nodejs24.x'], CompatibleArchitectures: ['x86_64'] });
    expect(layer.Properties.Description).toMatch(/no Node\.js/);
    // Its asset is the build's runtime-layer-nodejs.zip, not the runtime layer's.
    expect(layer.Properties.Content.S3Key).not.toBe(layerOf(mixed.json, 'hello').Properties.Content.S3Key);
  });

  it('leaves the provided.al2023 programs as they were: their runtime, layer, environment and ids', () => {
    const plain = synthApp({ cobolDir }).json;
    for (const handler of ['hello', 'report']) {
      const fn = functionNamed(mixed.json, handler);
      expect(fn.Runtime).toBe('provided.al2023');
      expect(fn.Environment.Variables).toEqual({ COBOLAMBDA_PROGRAM_DIR: '/var/task/bin' });
      expect(fn.Layers).toEqual(functionNamed(plain, handler).Layers);
    }
    expect(layerOf(mixed.json, 'hello').Properties.CompatibleRuntimes).toEqual(['provided.al2023']);
    expect(resourcesOf(mixed.json, 'AWS::Lambda::LayerVersion')).toHaveLength(2);
    expect(Object.keys(mixed.json.Outputs)).toEqual(expect.arrayContaining(['RuntimeLayerArn', 'NodejsRuntimeLayerArn']));
    mixed.template.hasOutput('NodejsRuntimeLayerArn', { Value: { Ref: Match.stringLikeRegexp('^CobolNodejsRuntimeLayer') } });
  });

  it('uploads no layer with Node.js when every program is on nodejs24.x', () => {
    const { json } = synthApp({ cobolDir: withRuntime(['hello', 'web-echo', 'report']) });
    const layers = resourcesOf(json, 'AWS::Lambda::LayerVersion');
    expect(layers.map(([, l]) => l.Properties.CompatibleRuntimes)).toEqual([['nodejs24.x']]);
    for (const [, f] of functions(json)) expect(f.Properties.Layers).toEqual([{ Ref: layers[0]![0] }]);
    expect(Object.keys(json.Outputs)).not.toContain('RuntimeLayerArn');
  });

  it('passes cdk-nag and cfn-lint', () => {
    const report = JSON.parse(readFileSync(join(mixed.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations ?? [])).toEqual([]);
    const run = spawnSync('cfn-lint', [join(mixed.outdir, 'Cobolambda.template.json')], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.status! & 2, run.stdout + run.stderr).toBe(0);
  });

  it('shares one layer per folder, architecture and runtime in an app of your own', () => {
    const dir = withRuntime(['web-echo']);
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Mine');
    const a = new CobolFunction(stack, 'A', { entry: join(dir, 'web-echo.cbl') });
    const b = new CobolFunction(stack, 'B', { entry: join(dir, 'web-echo.cbl') });
    const c = new CobolFunction(stack, 'C', { entry: join(dir, 'hello.cbl') });
    expect(a.runtimeLayer).toBe(b.runtimeLayer);
    expect(a.runtimeLayer).not.toBe(c.runtimeLayer);
    expect([a.runtimeLayer.node.id, c.runtimeLayer.node.id]).toEqual(['CobolNodejsRuntimeLayer', 'CobolRuntimeLayer']);
    // A layer of the other runtime, given by hand, is refused, saying which one fits.
    expect(() => new CobolFunction(stack, 'D', { entry: join(dir, 'web-echo.cbl'), runtimeLayer: c.runtimeLayer })).toThrow(
      /web-echo runs on nodejs24\.x \("runtime" in cobolambda\.json\), but the runtimeLayer given is the one for provided\.al2023/,
    );
  });

  it('with image packaging, warns that the image runs it on its own base', () => {
    const dir = mkdtempSync(join(process.cwd(), '.cobolambda-infra-test-'));
    try {
      writeFileSync(join(dir, 'hello.cbl'), HELLO_CBL.replace(/ +COPY greeting\.\n/, ''));
      writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { hello: { runtime: 'nodejs24.x' } } }));
      const { stack, json } = synthApp({ cobolDir: dir, packaging: 'image' });
      expect(functionNamed(json, 'hello').Runtime).toBeUndefined();
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('"runtime": "nodejs24.x" applies to zip packaging only'));
    } finally {
      spawnSync('rm', ['-rf', dir]);
    }
  });
});
