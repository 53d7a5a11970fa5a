      *> Updates an account master in place: OPEN I-O on a sequential
      *> file of fixed records, READ each, REWRITE the active ones
      *> (balance + 10.50, count + 1); closed ones are left as they are.
      *> RETURN-CODE 8 when an account has status X (a failed step).
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ACCTUPD.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT ACCT-FILE ASSIGN TO ACCTS ORGANIZATION SEQUENTIAL
               FILE STATUS WS-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD ACCT-FILE.
       COPY acct.
       WORKING-STORAGE SECTION.
       01 WS-STATUS             PIC XX.
       01 WS-EOF                PIC X VALUE "N".
       01 WS-UPDATED            PIC 9(4) VALUE 0.
       PROCEDURE DIVISION.
           OPEN I-O ACCT-FILE
           IF WS-STATUS NOT = "00"
               DISPLAY "OPEN I-O FAILED " WS-STATUS
               MOVE 12 TO RETURN-CODE
               STOP RUN
           END-IF
           PERFORM UNTIL WS-EOF = "Y"
               READ ACCT-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM UPDATE-ONE
               END-READ
           END-PERFORM
           CLOSE ACCT-FILE
           DISPLAY "UPDATED " WS-UPDATED
           STOP RUN.
       UPDATE-ONE.
           IF AC-STATUS = "X"
               MOVE 8 TO RETURN-CODE
           END-IF
           IF AC-STATUS = "A"
               ADD 10.50 TO AC-BAL
               ADD 1 TO AC-COUNT
               REWRITE ACCT-REC
               ADD 1 TO WS-UPDATED
           END-IF.
