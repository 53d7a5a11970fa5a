      *> varupd: updates a file of variable-length records in place
      *> (OPEN I-O, READ, REWRITE). A sequential REWRITE must keep the
      *> record's length, so VI-CNT stays: the name is upper-cased, each
      *> entry's quantity negated and its amount halved (rounded).
       IDENTIFICATION DIVISION.
       PROGRAM-ID. VARUPD.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IO-FILE ASSIGN TO VARIO
               ORGANIZATION SEQUENTIAL
               FILE STATUS WS-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD  IO-FILE.
       COPY "varin.cpy".
       WORKING-STORAGE SECTION.
       01  WS-STATUS        PIC XX.
       01  WS-EOF           PIC X VALUE "N".
       01  WS-I             PIC 9(4) COMP.
       01  WS-DONE          PIC 9(4) VALUE 0.
       PROCEDURE DIVISION.
           OPEN I-O IO-FILE
           IF WS-STATUS NOT = "00"
               DISPLAY "OPEN I-O FAILED " WS-STATUS
               MOVE 12 TO RETURN-CODE
               STOP RUN
           END-IF
           PERFORM UNTIL WS-EOF = "Y"
               READ IO-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM UPDATE-ONE
               END-READ
           END-PERFORM
           CLOSE IO-FILE
           DISPLAY "REWRITTEN " WS-DONE
           STOP RUN.
       UPDATE-ONE.
           MOVE FUNCTION UPPER-CASE (VI-NAME) TO VI-NAME
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > VI-CNT
               COMPUTE VI-QTY (WS-I) = 0 - VI-QTY (WS-I)
               COMPUTE VI-AMT (WS-I) ROUNDED = VI-AMT (WS-I) / 2
           END-PERFORM
           REWRITE VI-REC
           IF WS-STATUS NOT = "00"
               DISPLAY "REWRITE FAILED " WS-STATUS " AT " VI-ID
               MOVE 8 TO RETURN-CODE
           ELSE
               ADD 1 TO WS-DONE
           END-IF.
