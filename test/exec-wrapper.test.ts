// The runtime on Lambda's managed Node.js runtime (nodejs24.x): Lambda runs
// AWS_LAMBDA_EXEC_WRAPPER with its own Node, its flags and its own runtime's
// entry; the wrapper must run cobolambda's bundle on that Node instead, which
// then serves the Runtime API exactly as the provided.al2023 bootstrap does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileTestProgram, tempDir } from './support/cobc.ts';
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
