// Bundling of the CDK assets (issue 5): the local-or-Docker decision, the
// Docker fallback without running Docker, and a real `cdk synth` through
// cdk.json that builds the assets with the local cobc.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../infra/index.ts';
import { copyAssetPart } from '../infra/asset-parts.ts';
import { unzipInto, zipEntries } from './support/zip.ts';
import {
  BUNDLING_DOCKERFILE,
  CobolBundlingImage,
  LocalCobolBundler,
  PACKAGE_ROOT,
  cobolBundlingOptions,
  findOnPath,
  localBundlingDecision,
} from '../infra/bundling.ts';

const HELLO = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. HELLO.
       PROCEDURE DIVISION.
           DISPLAY "hello from cobol".
           STOP RUN.
`;

function cobolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cobolambda-bundling-'));
  writeFileSync(join(dir, 'hello.cbl'), HELLO);
  writeFileSync(join(dir, 'bye.cbl'), HELLO.replace('HELLO.', 'BYE.').replace('hello from', 'bye from'));
  return dir;
}

const host = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const other = host === 'arm64' ? 'x86_64' : 'arm64';
const cobcHere = findOnPath('cobc') !== undefined;

describe('the local-or-Docker decision', () => {
  it('builds locally on Linux, same CPU, with cobc on PATH', () => {
    const d = localBundlingDecision({ architecture: host, platform: 'linux', pathEnv: process.env.PATH });
    expect(d.local).toBe(cobcHere);
  });

  it('falls back to Docker, saying why, when cobc is missing', () => {
    const d = localBundlingDecision({ architecture: host, platform: 'linux', pathEnv: '/nonexistent:/also-not' });
    expect(d).toEqual({ local: false, reason: 'cobc (GnuCOBOL) was not found on PATH' });
  });

  it('falls back to Docker for another CPU, another OS, or when forced', () => {
    expect(localBundlingDecision({ architecture: other, platform: 'linux' })).toMatchObject({
      local: false,
      reason: expect.stringMatching(new RegExp(`this machine is ${host} and the function is ${other}`)),
    });
    expect(localBundlingDecision({ architecture: host, platform: 'darwin' })).toMatchObject({
      local: false,
      reason: expect.stringMatching(/darwin.*Linux executables/),
    });
    expect(localBundlingDecision({ architecture: host, platform: 'linux', forceDocker: true })).toEqual({
      local: false,
      reason: 'bundling.forceDocker is set',
    });
  });
});

describe('the Docker fallback (test/docker.test.ts runs it through podman)', () => {
  it('tryBundle declines with a clear message when PATH has no cobc, and runs nothing', () => {
    const dir = cobolDir();
    const out = mkdtempSync(join(tmpdir(), 'cobolambda-out-'));
    const lines: string[] = [];
    const bundler = new LocalCobolBundler(dir, { kind: 'program', name: 'hello' }, host, { log: (l) => lines.push(l) });
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    let result: boolean;
    try {
      result = bundler.tryBundle(out, {} as never);
    } finally {
      process.env.PATH = saved;
    }
    expect(result).toBe(false);
    expect(lines).toEqual([
      `cobolambda: bundling program "hello" in Docker (${BUNDLING_DOCKERFILE}): cobc (GnuCOBOL) was not found on PATH`,
    ]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('gives CDK the image, platform and command that Docker would run', () => {
    const dir = cobolDir();
    const options = cobolBundlingOptions(dir, { kind: 'program', name: 'hello' }, 'arm64');
    expect(options.image).toBeInstanceOf(CobolBundlingImage);
    expect(options.image.image).toBe('cobolambda-bundling:arm64');
    expect(options.platform).toBe('linux/arm64');
    expect(options.workingDirectory).toBe('/cobolambda');
    expect(options.command).toEqual([
      'node',
      '--import',
      'tsx',
      '/cobolambda/infra/build-asset.ts',
      '--cobol-dir',
      '/asset-input',
      '--out',
      '/asset-output',
      '--build-dir',
      '/tmp/cobolambda-build',
      '--part',
      'program:hello',
      '--arch',
      'arm64',
    ]);
    expect((options.image as CobolBundlingImage).buildCommand()).toEqual([
      'docker',
      'build',
      '-f',
      'layer/Dockerfile',
      '--platform',
      'linux/arm64',
      PACKAGE_ROOT,
    ]);
    // What goes into the asset hash names no path of this machine.
    expect(JSON.stringify(options)).not.toContain(dir);
  });

  it('keeps a Docker image the user gives', async () => {
    const { DockerImage } = await import('aws-cdk-lib');
    const mine = DockerImage.fromRegistry('example.com/my-cobol-builder:1');
    const options = cobolBundlingOptions(cobolDir(), { kind: 'runtime' }, 'x86_64', { image: mine, forceDocker: true });
    expect(options.image).toBe(mine);
    expect(options.command).toContain('runtime');
  });
});

describe('the Dockerfiles', () => {
  const layerFile = readFileSync(join(PACKAGE_ROOT, 'layer', 'Dockerfile'), 'utf8');
  const rootFile = readFileSync(join(PACKAGE_ROOT, 'Dockerfile'), 'utf8');
  const toolchain = (text: string) => text.slice(text.indexOf('FROM '), text.indexOf('COPY infra infra'));
  const TOOLCHAIN_ARG = 'ARG TOOLCHAIN_IMAGE=public.ecr.aws/docker/library/node:20-bookworm-slim\n';

  it('share one toolchain stage, so the image path builds what bundling builds', () => {
    expect(toolchain(layerFile).length).toBeGreaterThan(100);
    expect(toolchain(rootFile)).toBe(toolchain(layerFile));
    expect(toolchain(layerFile)).toMatch(/^FROM \$\{TOOLCHAIN_IMAGE\} AS toolchain\n/);
  });

  it('take their base images as build arguments (ARG before FROM), defaults unchanged', () => {
    for (const text of [layerFile, rootFile]) {
      expect(text.indexOf(TOOLCHAIN_ARG)).toBeGreaterThan(-1);
      expect(text.indexOf(TOOLCHAIN_ARG)).toBeLessThan(text.indexOf('FROM '));
      // Every FROM names an argument or an earlier stage: no image is pinned past the arguments.
      for (const from of text.match(/^FROM .*/gm)!) expect(from).toMatch(/^FROM (\$\{[A-Z_]+\}|toolchain)( AS \w+)?$/);
    }
    expect(rootFile).toContain('ARG LAMBDA_BASE_IMAGE=public.ecr.aws/lambda/provided:al2023\n');
  });

  it('root: Lambda base last, both layers under /opt, bootstrap where the base image starts it, CMD = handler', () => {
    const final = rootFile.slice(rootFile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^\nFROM \$\{LAMBDA_BASE_IMAGE\}\n/);
    expect(final).toContain('COPY --from=build /out/runtime/ /opt/');
    expect(final).toContain('COPY --from=build /out/programs/ /opt/');
    expect(final).toContain('COPY --from=build /out/var-runtime-bootstrap /var/runtime/bootstrap');
    // The last stage only copies: nothing runs on the Lambda base image (no emulation for arm64 there).
    expect(final).not.toMatch(/^RUN /m);
    expect(rootFile).toContain(`RUN printf '#!/bin/sh\\nexec /opt/bootstrap\\n' > /out/var-runtime-bootstrap`);
    expect(final).toContain('ENV COBOLAMBDA_PROGRAM_DIR=/opt/bin');
    expect(final).toMatch(/\nCMD \["hello"\]\n?$/);
    expect(rootFile).toContain('infra/build-asset.ts --part all');
  });

  it('the bundling image takes the toolchain image of the settings', () => {
    const image = new CobolBundlingImage('x86_64', 'mirror.example/node:20-bookworm-slim');
    expect(image.buildCommand()).toEqual([
      'docker',
      'build',
      '-f',
      'layer/Dockerfile',
      '--platform',
      'linux/amd64',
      '--build-arg',
      'TOOLCHAIN_IMAGE=mirror.example/node:20-bookworm-slim',
      PACKAGE_ROOT,
    ]);
    const options = cobolBundlingOptions(cobolDir(), { kind: 'runtime' }, 'x86_64', { toolchainImage: 'mirror.example/node:20-bookworm-slim' });
    expect((options.image as CobolBundlingImage).toolchainImage).toBe('mirror.example/node:20-bookworm-slim');
  });
});

describe('asset parts', () => {
  it('knows a runtime layer per Lambda runtime, and names them for a part it does not know', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(PACKAGE_ROOT, 'infra', 'build-asset.ts'), '--cobol-dir', cobolDir(), '--out', mkdtempSync(join(tmpdir(), 'cobolambda-part-')), '--build-dir', mkdtempSync(join(tmpdir(), 'cobolambda-part-build-')), '--part', 'runtime-node', '--arch', host],
      { cwd: PACKAGE_ROOT, encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--part must be "runtime", "runtime-nodejs", "program:<name>" or "all", not "runtime-node"');
    expect(() => copyAssetPart(mkdtempSync(join(tmpdir(), 'cobolambda-part-build-')), 'runtime-nodejs', mkdtempSync(join(tmpdir(), 'cobolambda-part-')))).toThrow(
      /the build left no runtime-nodejs layer zip at .*runtime-layer-nodejs\.zip/,
    );
  });
});

describe.skipIf(!cobcHere || process.platform !== 'linux')('cdk synth with the local cobc (cdk.json, infra/app.ts)', () => {
  it('builds the runtime layer and one small asset per function, hashed as without a build', async () => {
    const dir = cobolDir();
    const out = mkdtempSync(join(tmpdir(), 'cobolambda-cdk-synth-'));
    const run = spawnSync(
      'npx',
      ['cdk', 'synth', '-q', '-c', `cobolDir=${dir}`, '-c', `architecture=${host}`, '-c', 'stackName=BundleTest', '-o', out],
      { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Bundling asset BundleTest\/CobolRuntimeLayer/);
    expect(run.stderr).not.toMatch(/in Docker/);

    const template = JSON.parse(readFileSync(join(out, 'BundleTest.template.json'), 'utf8'));
    const byHandler = Object.fromEntries(
      Object.values(template.Resources as Record<string, any>)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => [r.Properties.Handler, r.Properties.Code.S3Key as string]),
    );
    const layerKey = (Object.values(template.Resources) as any[]).find((r) => r.Type === 'AWS::Lambda::LayerVersion')
      .Properties.Content.S3Key as string;
    const hash = (key: string) => key.replace(/\.zip$/, '');

    for (const name of ['hello', 'bye']) {
      // The build's own function zip is the asset, as is.
      const zip = join(out, `asset.${hash(byHandler[name])}.zip`);
      expect(await zipEntries(zip)).toEqual([`bin/${name}`, `cobolambda/programs/${name}.json`]);
      const asset = join(out, `unzipped-${name}`);
      await unzipInto(zip, asset);
      expect(statSync(join(asset, 'bin', name)).mode & 0o111).not.toBe(0);
      const ran = spawnSync(join(asset, 'bin', name), { encoding: 'utf8' });
      expect(ran.stdout.trim()).toBe(`${name} from cobol`);
      expect(JSON.parse(readFileSync(join(asset, 'cobolambda', 'programs', `${name}.json`), 'utf8'))).toMatchObject({ name, mode: 'raw' });
    }
    const layerFiles = await zipEntries(join(out, `asset.${hash(layerKey)}.zip`));
    expect(layerFiles).toEqual(expect.arrayContaining(['bootstrap', 'cobolambda/runtime.cjs', 'node/bin/node', 'lib/libcob.so.4']));
    expect(layerFiles.some((f) => f.startsWith('bin/'))).toBe(false);

    // The same hashes as a synth that skips bundling: hashes come from sources, not from the build.
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'cobolambda-cdk-nobundle-')),
      context: { cobolDir: dir, architecture: host, stackName: 'BundleTest', 'aws:cdk:bundling-stacks': [] },
    });
    const unbundled = Template.fromStack(createApp(app)).toJSON();
    const keys = Object.values(unbundled.Resources as Record<string, any>).map(
      (r) => r.Properties.Code?.S3Key ?? r.Properties.Content?.S3Key,
    );
    expect(keys).toEqual(expect.arrayContaining([byHandler.hello, byHandler.bye, layerKey]));
    // One build served all three assets.
    expect(existsSync(join(out, `.cobolambda-build-${host}`, '.cobolambda-stamp'))).toBe(true);
    expect(run.stderr.match(/cobolambda build: /g)).toHaveLength(1);
  }, 300_000);
});
