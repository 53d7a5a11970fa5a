// Measures how each way of linking a COBOL program does on Lambda's terms:
// size shipped (program + runtime libraries), whether provided.al2023 can load
// it (glibc 2.34 check over the whole shared-library closure), and start-up
// time per exec, spawned from a small C launcher (fork/exec/wait, p50 of many).
//
//   npx tsx bench/linking.ts [iterations]      (default 400)
import { execa } from 'execa';
import { buildLauncher, launchPercentiles } from './launcher.ts';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkElfFiles, listLayerFiles } from '../layer/elf.ts';
import { nodeBinary } from '../layer/build.ts';
import { copyLibraries, detectToolchain, linkSettings, runtimeLibraries, type LinkStrategy } from '../layer/toolchain.ts';

const LAMBDA_UNZIPPED = 262_144_000;

const NOOP = 'int main(void) { return 0; }\n';
const HELLO = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. HELLO.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01 WS-NAME PIC X(80).
       PROCEDURE DIVISION.
           ACCEPT WS-NAME
           DISPLAY "Hello, " FUNCTION TRIM(WS-NAME) "!"
           STOP RUN.
`;

export interface Row {
  option: string;
  programBytes: number;
  libBytes: number;
  maxGlibc: string;
  loadsOnLambda: string;
  p50: number;
  p90: number;
  fit: string;
}

function dirBytes(dir: string): number {
  return listLayerFiles(dir).reduce((n, f) => n + statSync(f.path).size, 0);
}

const mb = (n: number) => (n / 1e6).toFixed(2);

export interface LinkingRow extends Row {
  strategy: LinkStrategy | 'noop';
}

/** Builds hello with every linking option and measures each (sizes, glibc check, exec p50/p90). */
export async function measureLinking(iterations: number, log: (line: string) => void = () => {}): Promise<{ cobcVersion: string; nodeBytes: number; rows: LinkingRow[] }> {
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-linking-'));
  try {
    const tc = await detectToolchain();
    writeFileSync(join(work, 'noop.c'), NOOP);
    writeFileSync(join(work, 'hello.cbl'), HELLO);
    writeFileSync(join(work, 'input.txt'), 'Ada\n');
    const launch = await buildLauncher(work);
    await execa('gcc', ['-O2', '-o', join(work, 'noop'), join(work, 'noop.c')]);
    const nodeBytes = statSync(nodeBinary('x86_64'), { throwIfNoEntry: false })?.size ?? 126_891_984;

    const rows: LinkingRow[] = [];
    const measure = async (program: string, libDir?: string) => {
      const env: Record<string, string> = libDir ? { LD_LIBRARY_PATH: libDir } : {};
      await launchPercentiles(launch, Math.min(20, iterations), join(work, 'input.txt'), program, env); // warm the page cache
      return launchPercentiles(launch, iterations, join(work, 'input.txt'), program, env);
    };

    const noop = await measure(join(work, 'noop'));
    rows.push({ strategy: 'noop', option: 'C no-op (baseline)', programBytes: statSync(join(work, 'noop')).size, libBytes: 0, maxGlibc: '-', loadsOnLambda: '-', ...noop, fit: '-' });

    const strategies: Array<[LinkStrategy, string]> = [
      ['dynamic', '(a) cobc -x + libcob closure shipped'],
      ['static', '(b) fully static (-static, ICU)'],
      ['shared-noicu', '(c) cobc -x + libcob closure, ICU stub'],
      ['static-libcob', '(d) libcob+deps static, glibc dynamic, ICU stub'],
    ];
    for (const [strategy, label] of strategies) {
      log(`linking: ${strategy}`);
      const dir = join(work, strategy);
      const bin = join(dir, 'bin');
      const lib = join(dir, 'lib');
      mkdirSync(bin, { recursive: true });
      const link = await linkSettings(strategy, tc, join(work, 'cache'));
      await execa('cobc', ['-x', '-o', join(bin, 'hello'), ...link.args, join(work, 'hello.cbl')], { env: link.env });
      if (strategy !== 'dynamic') await execa('strip', ['--strip-unneeded', join(bin, 'hello')]);
      copyLibraries(await runtimeLibraries(strategy, tc, join(work, 'cache')), lib);
      const check = await checkElfFiles(listLayerFiles(dir));
      const maxGlibc = check.closure.map((c) => c.maxGlibc ?? '0').sort((x, y) => x.localeCompare(y, undefined, { numeric: true })).pop() ?? '-';
      const problem = check.problems[0];
      const timing = await measure(join(bin, 'hello'), lib);
      const programBytes = statSync(join(bin, 'hello')).size;
      const libBytes = dirBytes(lib);
      const room = LAMBDA_UNZIPPED - nodeBytes - libBytes - 2_000_000;
      rows.push({
        strategy,
        option: label,
        programBytes,
        libBytes,
        maxGlibc,
        loadsOnLambda: check.ok ? 'yes' : `NO: ${problem!.file}: ${problem!.problem}`,
        ...timing,
        fit: String(Math.floor(room / programBytes)),
      });
    }
    return { cobcVersion: tc.cobcVersion, nodeBytes, rows };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 400);
  const { cobcVersion, nodeBytes, rows } = await measureLinking(iterations);
  console.log(`cobc: ${cobcVersion}; ${iterations} execs each, p50/p90 wall time fork→exit from a C launcher`);
  console.log(`Node binary in the runtime layer: ${mb(nodeBytes)} MB; "fit" = programs like hello within 250 MB unzipped\n`);
  console.log('| option | program | shared libs shipped | newest GLIBC needed | loads on provided.al2023 | exec p50 ms | p90 ms | programs that fit |');
  console.log('| --- | ---: | ---: | --- | --- | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.option} | ${mb(r.programBytes)} MB | ${mb(r.libBytes)} MB | ${r.maxGlibc} | ${r.loadsOnLambda} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.fit} |`,
    );
  }
}

// Run as a script (npx tsx bench/linking.ts), not when imported by bench/run.ts.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
