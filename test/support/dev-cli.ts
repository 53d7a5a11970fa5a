// `cobolambda dev` as a user starts it: a child process, ready once it has
// printed how to call the functions.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'cobolambda.mjs');

/** Starts `cobolambda dev ARGS` and resolves with what it printed up to "watching"; kill it with SIGINT. */
export async function startDevCli(args: string[], options: SpawnOptions = {}): Promise<{ dev: ChildProcess; output: string }> {
  const dev = spawn(process.execPath, [CLI, 'dev', ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    dev.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('watching')) resolve();
    });
    dev.on('exit', (code) => reject(new Error(`dev exited ${code}: ${output}`)));
  });
  return { dev, output };
}
