// The runtime on Lambda's managed Node.js runtime (nodejs24.x): Lambda runs
// AWS_LAMBDA_EXEC_WRAPPER with its own Node, its flags and its own runtime's
// entry; the wrapper must run cobolambda's bundle on that Node instead, which
// then serves the Runtime API exactly as the provided.al2023 bootstrap does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DevServer } from '../dev/dev-server.ts';
import { CobolFunction } from '../infra/index.ts';
import { processTree } from '../dev/process-tree.ts';
import { compileTestProgram, TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { errorBody, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

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

  it("runs cobolambda's runtime on Lambda's Node with Lambda's flags, not Lambda's own entry", async () => {
    const outcome = await rt.invoke('{"a":1}');
    expect(outcome).toMatchObject({ kind: 'response' });
    if (outcome.kind === 'response') expect(outcome.body.toString()).toBe('{"a":1}\n');
    const args = cmdline(rt.process.pid!);
    expect(args[0]).toBe(process.execPath);
    expect(args.slice(1, -1)).toEqual(['--expose-gc', '--max-http-header-size', '81920']);
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
    expect(managed.args.slice(1, -1)).toEqual(['--expose-gc', '--max-http-header-size', '81920']);
    expect(managed.env).toContain('AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x');
    expect(managed.env.some((e) => e.startsWith('AWS_LAMBDA_EXEC_WRAPPER=') && e.endsWith('/exec-wrapper'))).toBe(true);
    const provided = bootstraps().find((b) => b.env.includes('_HANDLER=echoal'))!;
    expect(provided.args.slice(1, -1)).toEqual([]);
    expect(provided.env.some((e) => e.startsWith('AWS_LAMBDA_EXEC_WRAPPER='))).toBe(false);
  });
});

describe('deploy and the runtime setting', () => {
  function synthWith(settings: unknown): { annotations: Annotations; template: Template } {
    const dir = tempDir('exec-wrapper-infra');
    writeFileSync(join(dir, 'hello.cbl'), '       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n       PROCEDURE DIVISION.\n           STOP RUN.\n');
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { hello: settings } }));
    const app = new App({ outdir: tempDir('exec-wrapper-cdkout'), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Runtime');
    new CobolFunction(stack, 'Hello', { entry: join(dir, 'hello.cbl') });
    app.synth();
    return { annotations: Annotations.fromStack(stack), template: Template.fromStack(stack) };
  }

  it('says that nodejs24.x is honoured by dev only, and deploys on provided.al2023', () => {
    const managed = synthWith({ runtime: 'nodejs24.x' });
    managed.annotations.hasWarning('*', Match.stringLikeRegexp('"runtime": "nodejs24.x" is honoured by cobolambda dev only'));
    managed.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'provided.al2023' });
    expect(synthWith({}).annotations.findWarning('*', Match.stringLikeRegexp('"runtime"'))).toEqual([]);
  });
});
