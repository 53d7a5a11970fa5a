      *> Writes employee master records in GnuCOBOL's native representation,
      *> the oracle for the EBCDIC translation (test/codepage.test.ts).
       IDENTIFICATION DIVISION.
       PROGRAM-ID. EBCDICGEN.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT EMPOUT ASSIGN TO "EMPOUT" ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD EMPOUT.
       COPY "empmast.cpy".
       PROCEDURE DIVISION.
           OPEN OUTPUT EMPOUT
           MOVE SPACES TO EMP-MASTER
           MOVE "E00001" TO EM-ID
           MOVE "Ada Lovelace {x} $5!" TO EM-NAME
           MOVE "R&D" TO EM-DEPT
           MOVE 123.45 TO EM-PAY-RATE
           MOVE -12.3 TO EM-HOURS
           MOVE "A" TO EM-STATUS
           WRITE EMP-MASTER
           MOVE SPACES TO EMP-MASTER
           MOVE "E00002" TO EM-ID
           MOVE "Grace Hopper [a]\@" TO EM-NAME
           MOVE "OPS" TO EM-DEPT
           MOVE -99999.99 TO EM-PAY-RATE
           MOVE 40.0 TO EM-HOURS
           MOVE "L" TO EM-STATUS
           WRITE EMP-MASTER
           MOVE SPACES TO EMP-MASTER
           MOVE "E00003" TO EM-ID
           MOVE X"E9E8FC" TO EM-NAME
           MOVE "X" TO EM-DEPT
           MOVE 0 TO EM-PAY-RATE
           MOVE -0.9 TO EM-HOURS
           MOVE "A" TO EM-STATUS
           WRITE EMP-MASTER
           CLOSE EMPOUT
           STOP RUN.
