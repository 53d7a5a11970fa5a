// A record-mode program over an IBM tagged copybook (input, read with
// "replacing") and a copybook of several 01 report lines (output, "record"),
// both in fixed format with sequence areas: built as `cobolambda build` builds it,
// invoked through the real bootstrap over the Runtime API.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProgram } from '../layer/build.ts';
import { programMetadata } from '../layer/metadata.ts';
import { discoverPrograms } from '../layer/programs.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { errorBody, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

const ESTATES = join(TEST_COBOL_DIR, 'copybooks', 'estates');

const PROGRAM = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. CUSTRPT.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT CUST-IN ASSIGN TO "/dev/stdin"
               ORGANIZATION SEQUENTIAL.
           SELECT RPT-OUT ASSIGN TO "/dev/stdout"
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  CUST-IN.
       01  CUST-IN-RAW              PIC X(110).
       FD  RPT-OUT.
       01  RPT-LINE                 PIC X(43).
       WORKING-STORAGE SECTION.
       COPY tagcust REPLACING ==:TAG:== BY ==CUST==.
       COPY trnrpt.
       01  WS-EOF                   PIC X VALUE "N".
       PROCEDURE DIVISION.
           OPEN INPUT CUST-IN OUTPUT RPT-OUT
           PERFORM UNTIL WS-EOF = "Y"
               READ CUST-IN INTO CUST-ADDRESS-REC
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END
                       MOVE CUST-ID TO RPT-TRAN-ID
                       MOVE CUST-COUNTRY TO RPT-TRAN-TYPE
                       COMPUTE RPT-TRAN-AMOUNT = -1234567.89
                       MOVE 20240131 TO RPT-TRAN-DATE
                       WRITE RPT-LINE FROM REPORT-DETAIL
               END-READ
           END-PERFORM
           CLOSE CUST-IN RPT-OUT
           STOP RUN.
`;

describe('a tagged input copybook and a chosen output record, end to end', () => {
  let h: BootstrapHandle;

  beforeAll(async () => {
    const dir = tempDir('record-estate');
    const cobolDir = join(dir, 'cobol');
    mkdirSync(join(cobolDir, 'copybooks'), { recursive: true });
    for (const c of ['tagcust.cpy', 'trnrpt.cpy']) copyFileSync(join(ESTATES, c), join(cobolDir, 'copybooks', c));
    writeFileSync(join(cobolDir, 'custrpt.cbl'), PROGRAM);
    writeFileSync(
      join(cobolDir, 'cobolambda.json'),
      JSON.stringify({
        programs: {
          custrpt: {
            mode: 'record',
            input: { copybook: 'tagcust.cpy', replacing: { ':TAG:': 'CUST' } },
            output: { copybook: 'trnrpt.cpy', record: 'REPORT-DETAIL' },
          },
        },
      }),
    );
    const [spec] = discoverPrograms(cobolDir);
    const binDir = join(dir, 'opt', 'bin');
    const result = await compileProgram(spec!, binDir, { cacheDir: join(dir, 'cache') });
    expect(result.ok, result.messages).toBe(true);
    const metaDir = join(dir, 'opt', 'cobolambda', 'programs');
    mkdirSync(metaDir, { recursive: true });
    writeFileSync(join(metaDir, 'custrpt.json'), JSON.stringify(programMetadata(spec!)));
    h = await startBootstrap({ handler: 'custrpt', programDir: binDir });
  }, 240_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('maps the tagged names in and the chosen record out', async () => {
    const event = {
      custId: 'C0000042',
      custAddrLine: ['1 Rue de Rivoli', '75001 Paris', ''],
      custPostcode: '75001',
      custCountry: 'FR',
      wsCustFlags: { custMailOk: 'Y', custPhoneOk: 'N' },
    };
    const outcome = await h.invoke(JSON.stringify(event));
    if (outcome.kind !== 'response') throw new Error(`expected a response: ${JSON.stringify(errorBody(outcome))}`);
    const body = JSON.parse(outcome.body.toString());
    expect(body).toMatchObject({ rptTranId: 'C0000042', rptTranType: 'FR', rptTranDate: '2024/01/31' });
    expect(body.rptTranAmount).toMatch(/^-\s*1,234,567\.89$/);
    expect(Object.keys(body).sort()).toEqual(['rptTranAmount', 'rptTranDate', 'rptTranId', 'rptTranType']);
  });

  it('refuses the untagged names: the event is read with the replaced ones', async () => {
    const outcome = await h.invoke(JSON.stringify({ tagId: 'X' }));
    expect(errorBody(outcome)).toMatchObject({ errorType: 'Function.InvalidEvent' });
    expect(errorBody(outcome).errorMessage).toMatch(/tagId: unknown field/);
  });
});
