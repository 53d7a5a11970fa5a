// The bench's `runProgram` rows, in a process of their own: run in the bench process, their
// garbage and their fork servers' pipes landed in the event loop that also serves `dev`, and
// the dev rows paid for them. The bench sends {path, file, stdin, n}; this answers with samples.
import { configureSpawn, runProgram, type SpawnPath } from '../runtime/src/program-runner.ts';
import { StderrLog } from '../runtime/src/stderr-log.ts';

export interface RunnerRequest {
  path: SpawnPath;
  helperFile: string;
  file: string;
  stdin: string;
  n: number;
}

export interface RunnerSample {
  ok: boolean;
  ms: number;
}

const ENV = { PATH: '/usr/bin:/bin' };

async function runOnce(file: string, stdin: string): Promise<RunnerSample> {
  const started = performance.now();
  const stderr = new StderrLog({ requestId: 'bench', json: false, limitBytes: 262_144, tailLines: 20, write: () => {} });
  const outcome = await runProgram({
    file,
    stdin: Buffer.from(stdin),
    // As the invoker does: what varies per invocation apart, so the fork server can fork.
    env: ENV,
    invocationEnv: { AWS_REQUEST_ID: 'bench', LAMBDA_DEADLINE_MS: String(Date.now() + 30_000) },
    killAtMs: Date.now() + 30_000,
    maxStdoutBytes: 6_291_556,
    stderr,
  });
  const ok = outcome.kind === 'exited' && outcome.code === 0 && outcome.stdout.toString() === stdin;
  return { ok, ms: performance.now() - started };
}

process.on('message', (req: RunnerRequest) => {
  void (async () => {
    configureSpawn({ mode: req.path, helperFile: req.helperFile });
    await runOnce(req.file, req.stdin); // starts the helper or fork server; not counted
    const samples: RunnerSample[] = [];
    for (let i = 0; i < req.n; i++) samples.push(await runOnce(req.file, req.stdin));
    process.send!(samples);
  })();
});
process.on('disconnect', () => process.exit(0));
