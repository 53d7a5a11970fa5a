// `cdk bootstrap`, `cdk deploy` and `cdk destroy` of the app against moto_server
// (CloudFormation, S3, IAM, Lambda, Logs, SSM emulated on loopback): the CLI path
// end to end (cdk.json, bundling, asset publishing, change set, deletion).
//
// Asserted against moto, because moto keeps them: the functions' configuration,
// their code (the very zip CDK published), the layer version, the log groups and
// their retention, each role's trust and inline policy, the stack's resources, and
// what `cdk destroy` deletes and keeps (the log groups, DeletionPolicy Retain).
// Dropped by moto 5 (it accepts them and forgets them), so checked in the template
// this deploy synthesized instead: a function's `Layers` (moto returns []) and
// `LoggingConfig`, the Function URL (AWS::Lambda::Url is listed with an empty
// type, GetFunctionUrlConfig says not found), the layer's CompatibleArchitectures,
// and the stack outputs (DescribeStacks has none). moto does not run functions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PACKAGE_ROOT, findOnPath } from '../infra/bundling.ts';
import { zipEntries } from './support/zip.ts';

const ready =
  findOnPath('moto_server') !== undefined && findOnPath('aws') !== undefined && findOnPath('cobc') !== undefined && process.platform === 'linux';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ASSET_BUCKET = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;
const HELLO = `       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n       PROCEDURE DIVISION.\n           DISPLAY "hello".\n           STOP RUN.\n`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!ready)('deploy to moto_server on loopback', () => {
  let moto: ChildProcess | undefined;
  let port = 0;
  const cobolDir = mkdtempSync(join(tmpdir(), 'cobolambda-moto-'));
  const out = mkdtempSync(join(tmpdir(), 'cobolambda-moto-cdkout-'));
  // hello: raw, no URL; web: http mode, so it gets a Function URL (AWS_IAM); onnode: on Lambda's nodejs24.x.
  writeFileSync(join(cobolDir, 'hello.cbl'), HELLO);
  writeFileSync(join(cobolDir, 'web.cbl'), HELLO.replace('HELLO.', 'WEB.'));
  writeFileSync(join(cobolDir, 'onnode.cbl'), HELLO.replace('HELLO.', 'ONNODE.'));
  writeFileSync(
    join(cobolDir, 'cobolambda.json'),
    JSON.stringify({ programs: { web: { mode: 'http', timeoutSeconds: 10 }, onnode: { runtime: 'nodejs24.x' } } }),
  );

  beforeAll(async () => {
    port = await freePort();
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/moto-api/`).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('moto_server did not start');
  });

  afterAll(() => {
    moto?.kill('SIGTERM');
  });

  function env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      // moto reads a template URL on "localhost" as path-style; on 127.0.0.1 it takes "127" for the bucket.
      AWS_ENDPOINT_URL: `http://localhost:${port}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DEFAULT_ACCOUNT: '',
      CDK_DEFAULT_REGION: '',
    };
  }

  function cdk(args: string[], context: string[] = []) {
    const run = spawnSync('npx', ['cdk', ...args, '-c', `cobolDir=${cobolDir}`, ...context, '-o', out], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 400_000,
      env: env(),
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    return run;
  }

  /** The AWS CLI against moto, its JSON answer. */
  function aws(...args: string[]): any {
    const run = spawnSync('aws', [...args, '--output', 'json'], { encoding: 'utf8', env: env() });
    if (run.status !== 0) throw new Error(`aws ${args.join(' ')}: ${run.stderr}`);
    return run.stdout.trim() ? JSON.parse(run.stdout) : undefined;
  }

  /** The stack's resources as moto lists them: logical id → physical id. */
  function stackResources(stack: string): Map<string, { type: string; physical: string; status: string }> {
    const listed = aws('cloudformation', 'list-stack-resources', '--stack-name', stack).StackResourceSummaries as any[];
    return new Map(
      listed
        // Types moto does not model (AWS::Lambda::Url, AWS::CDK::Metadata) are listed without id or type.
        .filter((r) => r.LogicalResourceId)
        .map((r) => [r.LogicalResourceId, { type: r.ResourceType, physical: r.PhysicalResourceId, status: r.ResourceStatus }]),
    );
  }

  /** A published asset's bytes, from the bootstrap bucket. */
  async function asset(key: string): Promise<Uint8Array> {
    const s3 = new S3Client({
      endpoint: `http://localhost:${port}`,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const object = await s3.send(new GetObjectCommand({ Bucket: ASSET_BUCKET, Key: key }));
    return object.Body!.transformToByteArray();
  }

  async function assetSha256(key: string): Promise<string> {
    return createHash('sha256').update(await asset(key)).digest('base64');
  }

  function logGroupNames(): string[] {
    return (aws('logs', 'describe-log-groups').logGroups as any[]).map((g) => g.logGroupName).sort();
  }

  it('bootstraps, deploys what the template says, and destroys all but the log groups', async () => {
    cdk(['bootstrap', `aws://${ACCOUNT}/${REGION}`]);
    const deploy = cdk(['deploy', '--require-approval', 'never', '-c', 'stackName=MotoTest']);
    expect(deploy.stdout + deploy.stderr).toMatch(/MotoTest/);
    const template = JSON.parse(readFileSync(join(out, 'MotoTest.template.json'), 'utf8'));
    const templateResources = Object.entries(template.Resources as Record<string, any>);
    const idOf = (type: string, prefix: string) => templateResources.find(([id, r]) => r.Type === type && id.startsWith(prefix))![0];

    // --- what moto keeps, read back from moto

    // Every resource of the template that moto models, created.
    const resources = stackResources('MotoTest');
    const modelled = templateResources.filter(([, r]) => !['AWS::Lambda::Url', 'AWS::CDK::Metadata'].includes(r.Type));
    expect([...resources.keys()].sort()).toEqual(modelled.map(([id]) => id).sort());
    for (const [id, r] of modelled) expect(resources.get(id)).toMatchObject({ type: r.Type, status: 'CREATE_COMPLETE' });

    const fns = (aws('lambda', 'list-functions').Functions as any[]).sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
    expect(
      fns.map((f) => [f.FunctionName, f.Runtime, f.Handler, f.Timeout, f.MemorySize, f.Architectures, f.PackageType, f.Environment, f.Description]),
    ).toEqual([
      ['MotoTest-hello', 'provided.al2023', 'hello', 30, 256, ['x86_64'], 'Zip', { Variables: { COBOLAMBDA_PROGRAM_DIR: '/var/task/bin' } }, 'COBOL program hello (raw I/O), run by cobolambda'],
      [
        'MotoTest-onnode',
        'nodejs24.x',
        'onnode',
        30,
        256,
        ['x86_64'],
        'Zip',
        { Variables: { COBOLAMBDA_PROGRAM_DIR: '/var/task/bin', AWS_LAMBDA_EXEC_WRAPPER: '/opt/exec-wrapper' } },
        'COBOL program onnode (raw I/O), run by cobolambda',
      ],
      ['MotoTest-web', 'provided.al2023', 'web', 10, 256, ['x86_64'], 'Zip', { Variables: { COBOLAMBDA_PROGRAM_DIR: '/var/task/bin' } }, 'COBOL program web (http I/O), run by cobolambda'],
    ]);

    for (const [program, prefix] of [['hello', 'Hello'], ['web', 'Web'], ['onnode', 'Onnode']] as const) {
      const fn = fns.find((f) => f.Handler === program)!;
      // The code is the zip CDK published to the bootstrap bucket, byte for byte.
      const codeKey = template.Resources[idOf('AWS::Lambda::Function', prefix)].Properties.Code.S3Key as string;
      expect(fn.CodeSha256).toBe(await assetSha256(codeKey));

      // Its role: assumed by Lambda only, one inline policy, which writes the function's own log group.
      const roleName = resources.get(idOf('AWS::IAM::Role', `${prefix}ServiceRole`))!.physical;
      expect(fn.Role).toBe(`arn:aws:iam::${ACCOUNT}:role/${roleName}`);
      const role = aws('iam', 'get-role', '--role-name', roleName).Role;
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      expect(aws('iam', 'list-attached-role-policies', '--role-name', roleName).AttachedPolicies).toEqual([]);
      const policyNames = aws('iam', 'list-role-policies', '--role-name', roleName).PolicyNames as string[];
      expect(policyNames).toHaveLength(1);
      const policy = aws('iam', 'get-role-policy', '--role-name', roleName, '--policy-name', policyNames[0]!).PolicyDocument;
      const logGroup = resources.get(idOf('AWS::Logs::LogGroup', `${prefix}LogGroup`))!.physical;
      expect(policy.Statement).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          // moto gives a log group's Arn attribute without CloudWatch's trailing ":*".
          Resource: expect.stringMatching(new RegExp(`^arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}(:\\*)?$`)),
        },
      ]);
    }

    const groups = (aws('logs', 'describe-log-groups').logGroups as any[]).map((g) => [g.logGroupName, g.retentionInDays]);
    expect(groups.sort()).toEqual(
      ['Hello', 'Web', 'Onnode'].map((p) => [resources.get(idOf('AWS::Logs::LogGroup', `${p}LogGroup`))!.physical, 30]).sort(),
    );

    // The one runtime layer version, its zip the published asset.
    // (moto lists the layer version's stack resource without a physical id: found by name.)
    const layerNames = (aws('lambda', 'list-layers').Layers as any[]).map((l) => l.LayerName as string);
    expect(layerNames.filter((n) => n.startsWith('MotoTest-CobolRuntimeLayer'))).toHaveLength(1);
    const layerName = layerNames.find((n) => n.startsWith('MotoTest-CobolRuntimeLayer'))!;
    const versions = aws('lambda', 'list-layer-versions', '--layer-name', layerName).LayerVersions as any[];
    expect(versions.map((v) => [v.Version, v.Description, v.CompatibleRuntimes, v.LicenseInfo])).toEqual([
      [1, 'cobolambda runtime (bootstrap, Node.js, GnuCOBOL runtime) for x86_64', ['provided.al2023'], 'MIT'],
    ]);
    const layerKey = template.Resources[idOf('AWS::Lambda::LayerVersion', 'CobolRuntimeLayer')].Properties.Content.S3Key as string;
    const layer = aws('lambda', 'get-layer-version', '--layer-name', layerName, '--version-number', '1');
    expect(layer.Content.CodeSha256).toBe(await assetSha256(layerKey));

    // The layer of the nodejs24.x function: the build's runtime-layer-nodejs.zip, with no Node.js in it.
    const nodejsLayerName = layerNames.find((n) => n.startsWith('MotoTest-CobolNodejsRuntimeLayer'))!;
    expect(layerNames.filter((n) => n.startsWith('MotoTest-Cobol')).sort()).toEqual([layerName, nodejsLayerName].sort());
    const nodejsVersions = aws('lambda', 'list-layer-versions', '--layer-name', nodejsLayerName).LayerVersions as any[];
    expect(nodejsVersions.map((v) => [v.Version, v.Description, v.CompatibleRuntimes, v.LicenseInfo])).toEqual([
      [1, "cobolambda runtime for Lambda's Node.js (exec wrapper, GnuCOBOL runtime; no Node.js) for x86_64", ['nodejs24.x'], 'MIT'],
    ]);
    const nodejsLayerKey = template.Resources[idOf('AWS::Lambda::LayerVersion', 'CobolNodejsRuntimeLayer')].Properties.Content.S3Key as string;
    const nodejsLayer = aws('lambda', 'get-layer-version', '--layer-name', nodejsLayerName, '--version-number', '1');
    expect(nodejsLayer.Content.CodeSha256).toBe(await assetSha256(nodejsLayerKey));
    const nodejsZip = join(out, 'published-nodejs-layer.zip');
    writeFileSync(nodejsZip, await asset(nodejsLayerKey));
    const entries = await zipEntries(nodejsZip);
    expect(entries).toEqual(expect.arrayContaining(['exec-wrapper', 'cobolambda/runtime.cjs', 'cobolambda/spawn-helper', 'lib/libcob.so.4']));
    expect(entries.filter((e) => e.startsWith('node/') || e === 'bootstrap')).toEqual([]);

    // --- what moto drops, checked in the template this deploy sent

    const layerId = idOf('AWS::Lambda::LayerVersion', 'CobolRuntimeLayer');
    expect(template.Resources[layerId].Properties.CompatibleArchitectures).toEqual(['x86_64']);
    for (const prefix of ['Hello', 'Web', 'Onnode']) {
      const fn = template.Resources[idOf('AWS::Lambda::Function', prefix)].Properties;
      expect(fn.Layers).toEqual([{ Ref: prefix === 'Onnode' ? idOf('AWS::Lambda::LayerVersion', 'CobolNodejsRuntimeLayer') : layerId }]);
      expect(fn.LoggingConfig).toEqual({ LogGroup: { Ref: idOf('AWS::Logs::LogGroup', `${prefix}LogGroup`) } });
    }
    const urls = templateResources.filter(([, r]) => r.Type === 'AWS::Lambda::Url').map(([, r]) => r.Properties);
    expect(urls).toEqual([{ AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [idOf('AWS::Lambda::Function', 'Web'), 'Arn'] } }]);
    expect(Object.keys(template.Outputs).filter((k) => !k.startsWith('CDK') && k !== 'BootstrapVersion').sort()).toEqual([
      'HelloFunctionArn',
      'HelloFunctionName',
      'NodejsRuntimeLayerArn',
      'OnnodeFunctionArn',
      'OnnodeFunctionName',
      'RuntimeLayerArn',
      'WebFunctionArn',
      'WebFunctionName',
      'WebFunctionUrl',
    ]);

    // --- destroy: the functions, roles and policies go; the log groups stay (DeletionPolicy Retain)
    const keptGroups = logGroupNames();
    cdk(['destroy', '--force', '-c', 'stackName=MotoTest']);
    expect(aws('lambda', 'list-functions').Functions).toEqual([]);
    const roles = (aws('iam', 'list-roles').Roles as any[]).map((r) => r.RoleName);
    expect(roles.filter((r) => r.startsWith('MotoTest-'))).toEqual([]);
    expect(keptGroups).toHaveLength(3);
    expect(logGroupNames()).toEqual(keptGroups);
    // (logRemovalPolicy=destroy makes their DeletionPolicy Delete: test/infra.test.ts checks the template.
    // Not deployed here too: a second deploy and destroy would add two minutes for a CloudFormation fact.)
  }, 900_000);
});
