// cobc as the oracle for record bytes: a COBOL program MOVEs values into a
// copybook's record and WRITEs it; the test compares the bridge's JSON and bytes
// with what cobc wrote.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordDataError } from '../../runtime/src/codecs/copybook/index.ts';

/**
 * Runs a record-mode program as the runtime does: fd 0 and fd 1 are regular files,
 * because cobc's runtime opens `/dev/stdin` and `/dev/stdout` by name, which fails on
 * the socket pairs Node's 'pipe' stdio creates (status 30).
 */
export function runWithFiles(exe: string, input: Buffer, dir: string, env: Record<string, string> = {}): { status: number | null; stdout: Buffer; stderr: string } {
  const inPath = join(dir, 'stdin.bin');
  const outPath = join(dir, 'stdout.bin');
  writeFileSync(inPath, input);
  const inFd = openSync(inPath, 'r');
  const outFd = openSync(outPath, 'w');
  try {
    const run = spawnSync(exe, { stdio: [inFd, outFd, 'pipe'], env: { ...process.env, ...env } });
    return { status: run.status, stdout: readFileSync(outPath), stderr: run.stderr.toString() };
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
}

/**
 * The bytes cobc writes for a record: the copybook (with its own 01 `record`) in
 * WORKING-STORAGE, `MOVE SPACES` to it, then each group of `statements` followed by a WRITE
 * of the whole record to stdout: one record per group.
 */
export function cobcRecords(dir: string, name: string, copybook: string, record: string, length: number, groups: string[][], std = 'default'): Buffer[] {
  writeFileSync(join(dir, `${name}.cpy`), copybook);
  const body = groups
    .map((statements) => [`           MOVE SPACES TO ${record}`, ...statements.map((s) => `           ${s}`), `           WRITE OUT-RAW FROM ${record}`].join('\n'))
    .join('\n');
  const source = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. ${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "/dev/stdout"
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  OUT-FILE.
       01  OUT-RAW PIC X(${length}).
       WORKING-STORAGE SECTION.
       COPY "${name}.cpy".
       PROCEDURE DIVISION.
           OPEN OUTPUT OUT-FILE
${body}
           CLOSE OUT-FILE
           STOP RUN.
`;
  const file = join(dir, `${name}.cbl`);
  writeFileSync(file, source);
  const exe = join(dir, name);
  execFileSync('cobc', ['-x', `-std=${std}`, '-I', dir, '-o', exe, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = runWithFiles(exe, Buffer.alloc(0), dir);
  if (run.status !== 0) throw new Error(`${name} exited ${run.status}: ${run.stderr}`);
  if (run.stdout.length !== length * groups.length) throw new Error(`${name} wrote ${run.stdout.length} bytes, expected ${groups.length} records of ${length}`);
  return groups.map((_, i) => run.stdout.subarray(i * length, (i + 1) * length));
}

/**
 * A record-mode program: IN-FILE on /dev/stdin and OUT-FILE on /dev/stdout with the given FD
 * records, WS-EOF and WS-I (PIC 9(4) COMP) in WORKING-STORAGE, and `body` run for each record read.
 */
export const stdioProgram = (id: string, fdIn: string, fdOut: string, body: string): string => `       IDENTIFICATION DIVISION.
       PROGRAM-ID. ${id}.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IN-FILE ASSIGN TO "/dev/stdin"
               ORGANIZATION SEQUENTIAL.
           SELECT OUT-FILE ASSIGN TO "/dev/stdout"
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  IN-FILE.
${fdIn}
       FD  OUT-FILE.
${fdOut}
       WORKING-STORAGE SECTION.
       01  WS-EOF PIC X VALUE "N".
       01  WS-I   PIC 9(4) COMP.
       PROCEDURE DIVISION.
           OPEN INPUT IN-FILE OUTPUT OUT-FILE
           PERFORM UNTIL WS-EOF = "Y"
               READ IN-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END
${body}
               END-READ
           END-PERFORM
           CLOSE IN-FILE OUT-FILE
           STOP RUN.
`;

/** The problems a RecordDataError lists, as "path: problem"; none when `f` succeeds. */
export function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof RecordDataError) return err.problems.map((p) => `${p.path}: ${p.problem}`);
    throw err;
  }
  return [];
}
