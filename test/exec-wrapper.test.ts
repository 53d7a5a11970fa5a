// The runtime on Lambda's managed Node.js runtime (nodejs24.x): Lambda runs
// AWS_LAMBDA_EXEC_WRAPPER with its own Node, its flags and its own runtime's
// entry; the wrapper must run cobolambda's bundle on that Node instead, which
// then serves the Runtime API exactly as the provided.al2023 bootstrap does. Last,
// a function as deploy makes it: the build's layer without Node and its code zip
// at /opt and /var/task, started as Lambda's nodejs24.x starts it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DevServer } from '../dev/dev-server.ts';
import { CobolFunction } from '../infra/index.ts';
import { processTree } from '../dev/process-tree.ts';
import { compileTestProgram, TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { errorBody, launchRuntime, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';
import { unzipInto } from './support/zip.ts';
import { buildProject, layerNodeForHost, type BuildResult } from '../layer/build.ts';
import { MANAGED_NODE_ARGS } from '../dev/execution-environment.ts';
import { RuntimeApiServer } from '../dev/runtime-api-server.ts';

const programDir = tempDir('exec-wrapper-programs');

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

describe('exec wrapper (managed Node.js runtime)', () => {
  let rt: BootstrapHandle;
  beforeAll(async () => {
    compileTestProgram('echo.cbl', programDir, 'echo');
    compileTestProgram('fail.cbl', programDir, 'fail');
    rt = await startBootstrap({ handler: 'echo', programDir, launch: 'exec-wrapper' });
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it("runs cobolambda's runtime on Lambda's Node with Lambda's flags (but --expose-gc), not Lambda's own entry", async () => {
    const outcome = await rt.invoke('{"a":1}');
    expect(outcome).toMatchObject({ kind: 'response' });
    if (outcome.kind === 'response') expect(outcome.body.toString()).toBe('{"a":1}\n');
    const args = cmdline(rt.process.pid!);
    expect(args[0]).toBe(process.execPath);
    // Lambda's flags but --expose-gc, which costs a cold start its code cache of Node's modules.
    expect(args.slice(1, -1)).toEqual(['--max-http-header-size', '81920']);
    expect(args.at(-1)).toMatch(/\/cobolambda\/runtime\.cjs$/);
  });

  it('reports program failures as the bootstrap does', async () => {
    const failing = await startBootstrap({ handler: 'fail', programDir, launch: 'exec-wrapper' });
    try {
      const body = errorBody(await failing.invoke('return-code'));
      expect(body.errorType).toBe('Function.ProgramExitError');
      expect(body.errorMessage).toContain('program fail exited with status 3');
    } finally {
      await failing.stop();
    }
  });
});

describe('dev runs a nodejs24.x function the way Lambda does', () => {
  const cobolDir = tempDir('exec-wrapper-cobol');
  let server: DevServer;
  let url: string;
  beforeAll(async () => {
    copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(cobolDir, 'echo.cbl'));
    copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(cobolDir, 'echoal.cbl'));
    const cobcFlags = ['-free'];
    writeFileSync(join(cobolDir, 'cobolambda.json'), JSON.stringify({ programs: { echo: { cobcFlags, runtime: 'nodejs24.x' }, echoal: { cobcFlags } } }));
    server = new DevServer({ cobolDir, workDir: tempDir('exec-wrapper-dev'), host: '127.0.0.1', port: 0, concurrency: 1, region: 'us-east-1', watch: false, log: () => {} });
    url = await server.start();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function invoke(fn: string): Promise<string> {
    const res = await fetch(`${url}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', body: '"hi"' });
    expect(res.status).toBe(200);
    return res.text();
  }

  /** The bootstraps dev runs: each one's command line and environment. */
  function bootstraps(): Array<{ args: string[]; env: string[] }> {
    return processTree(process.pid)
      .map((p) => ({ args: cmdline(p.pid), env: readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0') }))
      .filter((p) => p.args.at(-1)?.endsWith('cobolambda/runtime.cjs'));
  }

  it('through the exec wrapper on Node, with Lambda\'s settings; provided.al2023 through bootstrap', async () => {
    expect(await invoke('echo')).toBe('"hi"\n');
    expect(await invoke('echoal')).toBe('"hi"\n');
    const managed = bootstraps().find((b) => b.env.includes('_HANDLER=echo'))!;
    expect(managed.args.slice(1, -1)).toEqual(['--max-http-header-size', '81920']);
    expect(managed.env).toContain('AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x');
    expect(managed.env.some((e) => e.startsWith('AWS_LAMBDA_EXEC_WRAPPER=') && e.endsWith('/exec-wrapper'))).toBe(true);
    const provided = bootstraps().find((b) => b.env.includes('_HANDLER=echoal'))!;
    expect(provided.args.slice(1, -1)).toEqual([]);
    expect(provided.env.some((e) => e.startsWith('AWS_LAMBDA_EXEC_WRAPPER='))).toBe(false);
  });
});

/**
 * What Lambda's nodejs24.x gives every function (its reserved variables), beside the function's own.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
function managedNodeEnvironment(address: string, handler: string): Record<string, string> {
  return {
    _HANDLER: handler,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_RUNTIME_API: address,
    AWS_LAMBDA_FUNCTION_NAME: handler,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: 'us-east-1',
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
  };
}

describe('a nodejs24.x function as deployed: the layer without Node at /opt, its code at /var/task', () => {
  const cobolDir = tempDir('exec-wrapper-deploy');
  copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(cobolDir, 'echo.cbl'));
  writeFileSync(join(cobolDir, 'cobolambda.json'), JSON.stringify({ programs: { echo: { cobcFlags: ['-free'], runtime: 'nodejs24.x' } } }));
  const root = tempDir('exec-wrapper-lambda');
  let build: BuildResult;
  let fn: { Handler: string; Runtime: string; Environment: { Variables: Record<string, string> } };
  let layerRuntimes: string[];
  let rt: BootstrapHandle | undefined;

  beforeAll(async () => {
    build = await buildProject({ cobolDir, outDir: join(root, 'dist'), log: () => {} });
    expect(build.errors).toEqual([]);
    await unzipInto(build.runtimeLayerZips['nodejs24.x'], join(root, 'opt'));
    await unzipInto(join(build.functionsDir, 'echo.zip'), join(root, 'task'));
    const app = new App({ outdir: tempDir('exec-wrapper-cdkout'), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Runtime');
    new CobolFunction(stack, 'Echo', { entry: join(cobolDir, 'echo.cbl') });
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.values(template.Resources as Record<string, any>);
    fn = resources.find((r) => r.Type === 'AWS::Lambda::Function')!.Properties;
    layerRuntimes = resources.find((r) => r.Type === 'AWS::Lambda::LayerVersion')!.Properties.CompatibleRuntimes;
  }, 240_000);
  afterAll(async () => {
    await rt?.stop();
  });

  it('runs the COBOL program with the handler and environment of the template, on Lambda\'s Node, through the wrapper', async () => {
    expect([fn.Runtime, layerRuntimes]).toEqual(['nodejs24.x', ['nodejs24.x']]);
    const api = new RuntimeApiServer();
    const address = await api.listen();
    // Lambda's layout, in a mount namespace of its own (root): the layer at /opt, the code at /var/task,
    // and the layer/node package's Node 24 standing in for Lambda's managed /var/lang/bin/node.
    // Then what Lambda's Node bootstrap does: exec "$AWS_LAMBDA_EXEC_WRAPPER" NODE FLAGS ITS-ENTRY.
    const lambdaLayout = [
      'mount -t tmpfs tmpfs /var',
      'mkdir -p /var/task /var/lang/bin /var/runtime',
      `mount --bind ${join(root, 'task')} /var/task`,
      `mount --bind ${join(root, 'opt')} /opt`,
      'touch /var/lang/bin/node',
      `mount --bind ${realpathSync(layerNodeForHost())} /var/lang/bin/node`,
      'cd /var/task',
      'exec "$AWS_LAMBDA_EXEC_WRAPPER" /var/lang/bin/node "$@"',
    ].join(' && ');
    rt = launchRuntime(api, 'unshare', ['--mount', '--propagation', 'private', 'sh', '-c', lambdaLayout, 'sh', ...MANAGED_NODE_ARGS], {
      ...managedNodeEnvironment(address, fn.Handler),
      ...fn.Environment.Variables,
    });
    for (const event of ['"first"', '{"again":[1,2]}']) {
      const outcome = await rt.invoke(event);
      expect(outcome, rt.stderr()).toMatchObject({ kind: 'response' });
      if (outcome.kind === 'response') expect(outcome.body.toString()).toBe(`${event}\n`);
    }
    // The runtime is Lambda's Node with Lambda's flags, running the layer's bundle; no Node in /opt.
    const runtime = processTree(rt.process.pid!).find((p) => cmdline(p.pid).at(-1) === '/opt/cobolambda/runtime.cjs');
    expect(runtime && cmdline(runtime.pid)).toEqual(['/var/lang/bin/node', '--max-http-header-size', '81920', '/opt/cobolambda/runtime.cjs']);
    expect(existsSync(join(root, 'opt', 'node'))).toBe(false);
  });
});
