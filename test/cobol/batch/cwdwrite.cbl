      *> Writes a file in its working directory, which Lambda's is not
      *> writable (/var/task): dev must fail it the same way.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. CWDWRITE.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT JUNK ASSIGN TO "./scratch.txt"
               ORGANIZATION LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD JUNK.
       01 JUNK-LINE              PIC X(10).
       PROCEDURE DIVISION.
           OPEN OUTPUT JUNK
           WRITE JUNK-LINE FROM "scratch"
           CLOSE JUNK
           DISPLAY "wrote scratch.txt"
           STOP RUN.
