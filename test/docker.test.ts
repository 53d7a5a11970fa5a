// The Docker path with a real engine: podman (Debian's, with runc), the
// Docker-compatible engine these machines can run. No image registry is reachable,
// so both base images are local stand-ins (test/support/podman.ts):
//   TOOLCHAIN_IMAGE   node:20-bookworm-slim  → debootstrap'd Debian 12 + this machine's Node.js
//   LAMBDA_BASE_IMAGE lambda/provided:al2023 → Debian 12 with the base image's layout, and
//                     cobolambda's own dev Runtime API server standing in for the emulator
// Everything else is what a user runs: the README's `docker build` / `docker run
// -p 9000:8080` / curl on the root Dockerfile, and CDK's Docker bundling from
// layer/Dockerfile (CDK_DOCKER=podman). What the stand-ins cannot show: that the
// real provided:al2023 (glibc 2.34) loads the files (layer/elf.ts checks that on
// every build) and the real emulator's own behaviour.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../infra/index.ts';
import { unzipInto, zipEntries } from './support/zip.ts';
import { discoverPrograms } from '../layer/programs.ts';
import { PACKAGE_ROOT } from '../infra/bundling.ts';
import {
  ensureStandins,
  LAMBDA_BASE_STANDIN,
  podman,
  podmanEnv,
  podmanOk,
  podmanProblem,
  TOOLCHAIN_STANDIN,
} from './support/podman.ts';

const problem = podmanProblem();
if (problem) process.stderr.write(`test/docker.test.ts: SKIPPED, podman cannot run on this machine: ${problem}\n`);

const IMAGE = 'localhost/cobolambda-test/cobol-fn';
const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** `curl -d PAYLOAD URL`, as the README has it; the body, or throws with curl's message. */
function curl(url: string, payload: string): string {
  const run = spawnSync('curl', ['-sS', '--max-time', '60', '-d', payload, url], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`curl ${url} failed: ${run.stderr}`);
  return run.stdout;
}

/** `podman run -d -p 127.0.0.1::8080 IMAGE handler` (port 0 on the host), until its emulator answers. */
async function runFunction(handler: string): Promise<{ url: string; id: string }> {
  const id = podmanOk(['run', '-d', '-p', '127.0.0.1::8080', IMAGE, handler]).trim();
  const port = podmanOk(['port', id, '8080']).trim().split(':').pop();
  const url = `http://127.0.0.1:${port}${INVOKE_PATH}`;
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) return { url, id };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the container ${id} never answered on ${url}:\n${stopFunction(id)}`);
}

function stopFunction(id: string): string {
  const logs = podman(['logs', id]);
  podman(['rm', '-f', '-t', '0', id]);
  return logs.stdout + logs.stderr;
}

describe.skipIf(problem !== undefined)('the Docker path, through podman', () => {
  beforeAll(async () => {
    await ensureStandins((line) => process.stderr.write(`docker.test: ${line}\n`));
  }, 1_800_000);

  it('root Dockerfile: docker build, docker run -p …:8080 IMAGE <program>, curl, as the README says', async () => {
    const build = podman([
      'build',
      '--build-arg',
      `TOOLCHAIN_IMAGE=${TOOLCHAIN_STANDIN}`,
      '--build-arg',
      `LAMBDA_BASE_IMAGE=${LAMBDA_BASE_STANDIN}`,
      '-t',
      IMAGE,
      '.',
    ]);
    expect(build.status, build.stdout.slice(-4000) + build.stderr.slice(-4000)).toBe(0);

    // Both layers under /opt (a program per sample), their own Node.js (provided.al2023 has none), the wrapper.
    const look = podmanOk([
      'run', '--rm', '--entrypoint', '/bin/sh', IMAGE, '-c',
      'ls /opt/bin; echo --; /opt/node/bin/node --version; command -v node || echo "no node on PATH"; cat /var/runtime/bootstrap',
    ]);
    const [programs, rest] = look.split('--\n') as [string, string];
    const samples = discoverPrograms(join(PACKAGE_ROOT, 'cobol')).map((p) => p.name).sort();
    expect(samples).toEqual(expect.arrayContaining(['hello', 'loan']));
    expect(programs.trim().split('\n')).toEqual(samples);
    expect(rest.split('\n')).toEqual([expect.stringMatching(/^v24\./), 'no node on PATH', '#!/bin/sh', 'exec /opt/bootstrap', '']);

    const hello = await runFunction('hello');
    try {
      expect(curl(hello.url, '{"name":"Ada"}')).toBe('Hello, Ada!\n');
      // Warm: the same environment answers again.
      expect(curl(hello.url, '{"name":"Grace"}')).toBe('Hello, Grace!\n');
    } finally {
      const logs = stopFunction(hello.id);
      expect(logs.match(/starting \/var\/runtime\/bootstrap \(handler hello\)/g)).toHaveLength(1);
    }

    // CMD picks the program; its I/O mode comes with it (lines: a JSON array of the report's lines).
    const loan = await runFunction('loan');
    try {
      const lines = JSON.parse(curl(loan.url, '["10000", "6", "12"]')) as string[];
      expect(lines[0]).toBe('LOAN AMORTISATION SCHEDULE');
      expect(lines.length).toBeGreaterThan(12);
    } finally {
      stopFunction(loan.id);
    }
  }, 1_800_000);

  it('CDK Docker bundling (CDK_DOCKER=podman): layer/Dockerfile builds the same assets as local bundling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cobolambda-podman-'));
    writeFileSync(
      join(dir, 'hello.cbl'),
      `       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n       PROCEDURE DIVISION.\n           DISPLAY "hello from podman".\n           STOP RUN.\n`,
    );
    const out = mkdtempSync(join(tmpdir(), 'cobolambda-podman-cdkout-'));
    const context = ['-c', `cobolDir=${dir}`, '-c', 'stackName=PodmanTest', '-c', 'forceDockerBundling=true', '-c', `toolchainImage=${TOOLCHAIN_STANDIN}`];
    const run = spawnSync('npx', ['cdk', 'synth', '-q', ...context, '-o', out], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 1_500_000,
      maxBuffer: 64 * 1024 * 1024,
      env: podmanEnv({ CDK_DOCKER: 'podman', CDK_DISABLE_VERSION_CHECK: '1' }),
    });
    expect(run.status, run.stdout.slice(-4000) + run.stderr.slice(-4000)).toBe(0);
    expect(run.stderr).toContain('cobolambda: bundling the runtime layer in Docker (layer/Dockerfile): bundling.forceDocker is set');
    expect(run.stderr).toContain('cobolambda: bundling program "hello" in Docker (layer/Dockerfile): bundling.forceDocker is set');
    // The builds ran in the container: the folder is the container's mount, not this machine's path.
    expect(run.stderr.match(/cobolambda build: 1 program\(s\) from \/asset-input for x86_64/g)).toHaveLength(2);

    const template = JSON.parse(readFileSync(join(out, 'PodmanTest.template.json'), 'utf8'));
    const resources = Object.values(template.Resources as Record<string, any>);
    const fnKey = resources.find((r) => r.Type === 'AWS::Lambda::Function').Properties.Code.S3Key as string;
    const layerKey = resources.find((r) => r.Type === 'AWS::Lambda::LayerVersion').Properties.Content.S3Key as string;
    // The build's own zips are the assets, as is: unzip them as Lambda would.
    const zipOf = (key: string) => join(out, `asset.${key.replace(/\.zip$/, '')}.zip`);
    const unzipped = async (key: string) => {
      const dest = join(out, `unzipped-${key.replace(/\.zip$/, '')}`);
      await unzipInto(zipOf(key), dest);
      return dest;
    };
    expect(await zipEntries(zipOf(fnKey))).toEqual(['bin/hello', 'cobolambda/programs/hello.json']);
    const fnDir = await unzipped(fnKey);
    const layerDir = await unzipped(layerKey);
    const asset = (key: string) => (key === fnKey ? fnDir : layerDir);
    const ran = spawnSync(join(asset(fnKey), 'bin', 'hello'), { encoding: 'utf8', env: { LD_LIBRARY_PATH: join(layerDir, 'lib') } });
    expect(ran.stdout).toBe('hello from podman\n');
    expect(JSON.parse(readFileSync(join(asset(fnKey), 'cobolambda', 'programs', 'hello.json'), 'utf8'))).toMatchObject({ name: 'hello', mode: 'raw' });

    const layerFiles = filesUnder(asset(layerKey));
    expect(layerFiles).toEqual(expect.arrayContaining(['bootstrap', 'cobolambda/runtime.cjs', 'node/bin/node', 'lib/libcob.so.4']));
    expect(statSync(join(asset(layerKey), 'bootstrap')).mode & 0o111).not.toBe(0);
    const node = spawnSync(join(asset(layerKey), 'node', 'bin', 'node'), ['--version'], { encoding: 'utf8' });
    expect(node.stdout).toMatch(/^v24\./);

    // The asset hashes are those of a synth that bundles nothing: from the sources, not from where they were built.
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'cobolambda-podman-nobundle-')),
      context: { cobolDir: dir, stackName: 'PodmanTest', 'aws:cdk:bundling-stacks': [] },
    });
    const keys = Object.values(Template.fromStack(createApp(app)).toJSON().Resources as Record<string, any>).map(
      (r) => r.Properties.Code?.S3Key ?? r.Properties.Content?.S3Key,
    );
    expect(keys).toEqual(expect.arrayContaining([fnKey, layerKey]));
  }, 1_800_000);
});
