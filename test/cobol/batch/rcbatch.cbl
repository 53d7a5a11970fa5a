      *> Copies DD RCIN to DD RCOUT and ends with the RETURN-CODE its first
      *> line gives (batch-mode tests).
       IDENTIFICATION DIVISION.
       PROGRAM-ID. RCBATCH.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IN-FILE ASSIGN TO RCIN ORGANIZATION LINE SEQUENTIAL.
           SELECT OUT-FILE ASSIGN TO RCOUT ORGANIZATION LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD IN-FILE.
       01 IN-LINE                PIC X(80).
       FD OUT-FILE.
       01 OUT-LINE               PIC X(80).
       WORKING-STORAGE SECTION.
       01 WS-EOF                 PIC X VALUE "N".
       01 WS-FIRST               PIC X VALUE "Y".
       01 WS-RC                  PIC 9(3) VALUE 0.
       PROCEDURE DIVISION.
           OPEN INPUT IN-FILE OUTPUT OUT-FILE
           PERFORM UNTIL WS-EOF = "Y"
               READ IN-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END
                       IF WS-FIRST = "Y"
                           MOVE IN-LINE(1:3) TO WS-RC
                           MOVE "N" TO WS-FIRST
                       END-IF
                       WRITE OUT-LINE FROM IN-LINE
               END-READ
           END-PERFORM
           CLOSE IN-FILE OUT-FILE
           DISPLAY "RCBATCH DONE"
           MOVE WS-RC TO RETURN-CODE
           STOP RUN.
