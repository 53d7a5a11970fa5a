      *> Appends to a log (OPEN EXTEND on a LINE SEQUENTIAL file): the
      *> lines already there stay, two more follow.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. APPLOG.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT LOG-FILE ASSIGN TO RUNLOG
               ORGANIZATION LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD LOG-FILE.
       01 LOG-LINE              PIC X(40).
       PROCEDURE DIVISION.
           OPEN EXTEND LOG-FILE
           MOVE "STEP APPLOG RAN" TO LOG-LINE
           WRITE LOG-LINE
           MOVE "CHECK OK" TO LOG-LINE
           WRITE LOG-LINE
           CLOSE LOG-FILE
           STOP RUN.
