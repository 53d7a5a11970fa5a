// A program's stderr arrives in reads of any size: a UTF-8 character split
// between two reads must reach the log whole (issue 15, item 5).
import { describe, expect, it } from 'vitest';
import { StderrLog } from '../runtime/src/stderr-log.ts';
import { configureSpawn, runProgram } from '../runtime/src/program-runner.ts';

function logOf(lines: string[]): StderrLog {
  return new StderrLog({ requestId: 'r', json: false, limitBytes: 65_536, tailLines: 20, write: (l) => lines.push(l.split('\t')[2]!) });
}

describe('the stderr log', () => {
  it('decodes characters split across reads, at every split point', () => {
    const text = Buffer.from('Zürich € 𝄞\nnext\n');
    for (let at = 1; at < text.length; at++) {
      const lines: string[] = [];
      const log = logOf(lines);
      log.push(text.subarray(0, at));
      log.push(text.subarray(at));
      log.end();
      expect(lines, `split at byte ${at}`).toEqual(['Zürich € 𝄞', 'next']);
    }
  });

  it('a line cut short at the end keeps what is whole, and marks what is not', () => {
    const lines: string[] = [];
    const log = logOf(lines);
    log.push(Buffer.from('tail €').subarray(0, 6));
    log.end();
    expect(lines).toEqual(['tail \uFFFD']);
  });

  it('a program writing a character in two writes is logged right', async () => {
    configureSpawn({ mode: 'node' });
    const lines: string[] = [];
    const out = await runProgram({
      file: '/bin/sh',
      stdin: Buffer.from("printf 'Z\\303' >&2; sleep 0.05; printf '\\274rich \\342\\202' >&2; sleep 0.05; printf '\\254\\n' >&2\n"),
      env: { PATH: '/usr/bin:/bin' },
      killAtMs: Date.now() + 10_000,
      maxStdoutBytes: 1000,
      stderr: logOf(lines),
    });
    configureSpawn({});
    expect(out.kind).toBe('exited');
    expect(lines).toEqual(['Zürich €']);
  });
});
