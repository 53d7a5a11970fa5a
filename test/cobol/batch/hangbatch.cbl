      *> Opens its files, writes a line, then never ends (batch-mode tests).
       IDENTIFICATION DIVISION.
       PROGRAM-ID. HANGBATCH.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO OUT ORGANIZATION LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD OUT-FILE.
       01 OUT-LINE               PIC X(80).
       WORKING-STORAGE SECTION.
       01 WS-N                   PIC 9(9) COMP-5 VALUE 0.
       PROCEDURE DIVISION.
           OPEN OUTPUT OUT-FILE
           WRITE OUT-LINE FROM "started"
           PERFORM UNTIL WS-N > 10
               CONTINUE
           END-PERFORM
           STOP RUN.
