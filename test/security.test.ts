// Security: programs run without a shell and only from the program directory;
// `dev` binds loopback unless told otherwise, and then warns; AWS credentials in
// the environment of `dev` or of the runtime never reach a log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { processTree } from '../dev/process-tree.ts';
import { isProgramServer } from './support/processes.ts';
import { compileTestProgram, TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { startBootstrap } from './support/runtime-harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIASECRETTESTKEY0001',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETVALUE1',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjESECRETSESSIONTOKENVALUE1',
};
const secretValues = Object.values(SECRETS);

function containsSecret(text: string): string[] {
  return secretValues.filter((s) => text.includes(s) || text.includes(Buffer.from(s).toString('base64')));
}

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

function post(base: string, fn: string, payload: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(`${base}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', agent: false, headers: { 'content-length': Buffer.byteLength(payload), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveAnswer({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Starts `cobolambda dev` as a user would; resolves once it serves. */
async function startDevCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ dev: ChildProcess; stdout: () => string; stderr: () => string; url: string }> {
  const dev = spawn(process.execPath, [join(ROOT, 'bin', 'cobolambda.mjs'), 'dev', ...args], { cwd: tempDir('sec-cwd'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  dev.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((ok, fail) => {
    dev.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /function\(s\) on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('watching')) ok(m[1]!);
    });
    dev.on('exit', (code) => fail(new Error(`dev exited ${code}: ${out}\n${err}`)));
  });
  return { dev, url, stdout: () => out, stderr: () => err };
}

async function stop(dev: ChildProcess): Promise<void> {
  if (dev.exitCode !== null || dev.signalCode !== null) return;
  const exited = new Promise((r) => dev.once('exit', r));
  dev.kill('SIGTERM');
  await exited;
}

/** The local address a TCP port listens on, from /proc/net/tcp{,6}: e.g. 127.0.0.1 or 0.0.0.0. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [addr, p] = local.split(':');
      if (p !== hexPort) continue;
      if (addr!.length === 8) found.push(addr!.match(/../g)!.reverse().map((h) => parseInt(h, 16)).join('.'));
      else found.push(addr === '00000000000000000000000000000000' ? '::' : addr!);
    }
  }
  return found;
}

const programDir = tempDir('sec-programs');
beforeAll(() => {
  for (const f of ['echo.cbl', 'fail.cbl']) compileTestProgram(f, programDir);
});

describe('programs run without a shell, only from the program directory', () => {
  const marker = join(programDir, 'PWNED');
  it.each([
    ['../echo', 'is not a plain program name'],
    ['echo;touch PWNED', 'is not a plain program name'],
    ['$(touch PWNED)', 'is not a plain program name'],
    ['`touch PWNED`', 'is not a plain program name'],
    ['echo && touch PWNED', 'is not a plain program name'],
    [`${programDir}/echo`, 'is not a plain program name'],
    ['..', 'is not a plain program name'],
  ])('handler %j is refused at init (Runtime.InvalidHandler), nothing runs', async (handler, why) => {
    const h = await startBootstrap({ handler, programDir, env: { ...SECRETS } });
    try {
      const init = await h.initError;
      expect(init.errorType).toBe('Runtime.InvalidHandler');
      expect(JSON.parse(init.body.toString())).toEqual({
        errorType: 'Runtime.InvalidHandler',
        errorMessage: `handler "${handler}" ${why} in ${programDir}; programs there: echo, fail`,
        stackTrace: [],
      });
      expect(await h.exited).toBe(1);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(process.cwd(), 'PWNED'))).toBe(false);
    } finally {
      await h.stop();
    }
  });

  it('the program runs without a shell: its argv is just its path, and so is its fork server’s, which the bootstrap’s node exec’d', async () => {
    const h = await startBootstrap({ handler: 'fail', programDir });
    try {
      const pending = h.invoke('hang', { deadlineMs: Date.now() + 4_000 });
      const isFail = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `${join(programDir, 'fail')}\0`;
      let program: { pid: number; ppid: number } | undefined;
      await expect
        .poll(
          () => {
            program = processTree(h.process.pid!).find((p) => p.pid !== h.process.pid && isFail(p.pid) && !isProgramServer(p.pid));
            return program !== undefined;
          },
          { timeout: 3_000, interval: 20 },
        )
        .toBe(true);
      // A fork of its fork server (the default for programs cobolambda compiled), itself exec'd by the bootstrap.
      const server = program!.ppid;
      expect(isFail(server)).toBe(true);
      expect(isProgramServer(server)).toBe(true);
      const parentPid = processTree(h.process.pid!).find((p) => p.pid === server)!.ppid;
      expect(parentPid).toBe(h.process.pid);
      expect(readFileSync(`/proc/${parentPid}/cmdline`, 'utf8').split('\0')[1]).toMatch(/cobolambda\/runtime\.cjs$/);
      expect((await pending).kind).toBe('error');
    } finally {
      await h.stop();
    }
  });

  it('the native spawn helper and fork server never ask for a shell either', () => {
    const dir = join(ROOT, 'runtime', 'native');
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/\b(system|popen|execl|execlp)\s*\(/);
      expect(text, f).not.toContain('/bin/sh');
    }
  });

  it('the runtime’s sources never ask for a shell', () => {
    const dir = join(ROOT, 'runtime', 'src');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/shell\s*:\s*(true|['"`])/);
      // child_process's exec/execSync run a shell; execa is imported only as `execa` (never its `$` or shell option).
      expect(text, f).not.toMatch(/import\s*\{[^}]*\bexec(Sync)?\b[^}]*\}\s*from\s*['"]node:child_process['"]/);
      expect(text, f).not.toMatch(/\bchild_process\.exec(Sync)?\s*\(/);
      expect(text, f).not.toMatch(/['"`]\/bin\/(ba)?sh['"`]|['"`]sh['"`]\s*,\s*\[\s*['"`]-c/);
    }
  });
});

describe('dev binds loopback by default, and warns otherwise', () => {
  let cobolDir: string;
  beforeAll(() => {
    cobolDir = tempDir('sec-cobol');
    copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(cobolDir, 'echo.cbl'));
    writeFileSync(join(cobolDir, 'cobolambda.json'), JSON.stringify({ programs: { echo: { cobcFlags: ['-free'] } } }));
  });

  it('default: listens on 127.0.0.1 only, no warning', async () => {
    const port = await freePort();
    const d = await startDevCli(['--port', String(port), '--cobol', cobolDir]);
    try {
      expect(d.url).toBe(`http://127.0.0.1:${port}`);
      expect(listeningAddresses(port)).toEqual(['127.0.0.1']);
      expect(d.stderr()).not.toContain('warning');
    } finally {
      await stop(d.dev);
    }
  }, 120_000);

  it('--host 0.0.0.0: listens on every address and warns on stderr', async () => {
    const port = await freePort();
    const d = await startDevCli(['--host', '0.0.0.0', '--port', String(port), '--cobol', cobolDir]);
    try {
      expect(listeningAddresses(port)).toEqual(['0.0.0.0']);
      expect(d.stderr()).toContain('warning: binding 0.0.0.0: anyone who can reach this address can run your programs. dev has no authentication.');
    } finally {
      await stop(d.dev);
    }
  }, 120_000);
});

describe('no AWS secret reaches a log', () => {
  it('runtime: credentials in its environment appear in no log line and no error, whatever fails', async () => {
    const h = await startBootstrap({ handler: 'fail', programDir, env: { ...SECRETS, AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    const bodies: string[] = [];
    try {
      for (const mode of ['ok', 'return-code', 'missing-module', 'segv', 'sigkill', 'flood-stderr', 'nosuchmode']) {
        const out = await h.invoke(mode);
        bodies.push(out.body.toString());
      }
      bodies.push((await h.invoke('hang', { deadlineMs: Date.now() + 1_500 })).body.toString());
      chmodSync(join(programDir, 'fail'), 0o644);
      try {
        bodies.push((await h.invoke('ok')).body.toString());
      } finally {
        chmodSync(join(programDir, 'fail'), 0o755);
      }
      expect(bodies.some((b) => b.includes('Runtime.ProgramStartError'))).toBe(true);
      expect(h.stderr().length).toBeGreaterThan(1000);
      expect(containsSecret(h.stderr())).toEqual([]);
      expect(containsSecret(bodies.join('\n'))).toEqual([]);
    } finally {
      await h.stop();
    }
    // An init failure's log and error too.
    const bad = await startBootstrap({ handler: '../x', programDir, env: { ...SECRETS } });
    try {
      const init = await bad.initError;
      await bad.exited;
      expect(containsSecret(init.body.toString() + bad.stderr())).toEqual([]);
    } finally {
      await bad.stop();
    }
  }, 60_000);

  it('dev: credentials in its environment reach neither the functions nor its logs nor the log tails', async () => {
    const cobolDir = tempDir('sec-cobol-dev');
    copyFileSync(join(TEST_COBOL_DIR, 'fail.cbl'), join(cobolDir, 'fail.cbl'));
    copyFileSync(join(TEST_COBOL_DIR, 'context.cbl'), join(cobolDir, 'context.cbl'));
    writeFileSync(
      join(cobolDir, 'cobolambda.json'),
      JSON.stringify({ programs: { fail: { cobcFlags: ['-free'], timeoutSeconds: 2 }, context: { cobcFlags: ['-free'] } } }),
    );
    const port = await freePort();
    const d = await startDevCli(['--port', String(port), '--cobol', cobolDir], { ...process.env, ...SECRETS });
    try {
      const answers: string[] = [];
      for (const mode of ['ok', 'return-code', 'missing-module', 'segv', 'flood-stderr', 'hang']) {
        const a = await post(d.url, 'fail', JSON.stringify(mode), { 'x-amz-log-type': 'Tail' });
        answers.push(a.body, Buffer.from(String(a.headers['x-amz-log-result']), 'base64').toString());
      }
      const ctx = await post(d.url, 'context', '{}');
      answers.push(ctx.body);
      expect(ctx.body).toContain('arn=arn:aws:lambda:');
      expect(containsSecret(answers.join('\n'))).toEqual([]);
      expect(d.stdout()).toContain('fail END RequestId: ');
      expect(containsSecret(d.stdout() + d.stderr())).toEqual([]);
      // Nor the environment of any process dev started.
      const leaked = processTree(d.dev.pid!)
        .slice(1)
        .filter((p) => {
          try {
            // The functions' processes (bootstraps and programs), not dev's own tools (esbuild).
            const environ = readFileSync(`/proc/${p.pid}/environ`, 'latin1');
            return environ.includes('AWS_LAMBDA_FUNCTION_NAME=') && containsSecret(environ).length > 0;
          } catch {
            return false;
          }
        });
      expect(leaked).toEqual([]);
    } finally {
      await stop(d.dev);
    }
  }, 180_000);
});

afterAll(() => {
  chmodSync(join(programDir, 'fail'), 0o755);
});
