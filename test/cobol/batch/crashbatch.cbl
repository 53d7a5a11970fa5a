      *> Writes a line, then dereferences a null pointer (batch-mode tests).
       IDENTIFICATION DIVISION.
       PROGRAM-ID. CRASHBATCH.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO OUT ORGANIZATION LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD OUT-FILE.
       01 OUT-LINE               PIC X(80).
       WORKING-STORAGE SECTION.
       01 WS-PTR                 USAGE POINTER VALUE NULL.
       LINKAGE SECTION.
       01 L-DATA                 PIC X(10).
       PROCEDURE DIVISION.
           OPEN OUTPUT OUT-FILE
           WRITE OUT-LINE FROM "started"
           SET ADDRESS OF L-DATA TO WS-PTR
           MOVE "boom" TO L-DATA
           STOP RUN.
