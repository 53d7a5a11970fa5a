      *> custbal: record mode. Reads fixed-length customer records
      *> (copybooks/custin.cpy: COMP-3 amounts, OCCURS transactions)
      *> from stdin and writes one closing-position record
      *> (copybooks/custout.cpy) per customer to stdout. Records have no
      *> separator: packed fields may hold any byte, newline included.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. CUSTBAL.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT CUST-IN ASSIGN TO "/dev/stdin"
               ORGANIZATION SEQUENTIAL.
           SELECT CUST-OUT ASSIGN TO "/dev/stdout"
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  CUST-IN.
       01  CUST-IN-RECORD.
           COPY custin.
       FD  CUST-OUT.
       01  CUST-OUT-RECORD.
           COPY custout.
       WORKING-STORAGE SECTION.
       01  WS-EOF                   PIC X VALUE "N".
       01  WS-I                     PIC 9(2).
       PROCEDURE DIVISION.
           OPEN INPUT CUST-IN OUTPUT CUST-OUT
           PERFORM UNTIL WS-EOF = "Y"
               READ CUST-IN
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM POST-TRANSACTIONS
               END-READ
           END-PERFORM
           CLOSE CUST-IN CUST-OUT
           STOP RUN.

       POST-TRANSACTIONS.
           MOVE CUST-ID OF CUST-IN-RECORD TO CUST-ID OF CUST-OUT-RECORD
           MOVE OPENING-BALANCE TO CLOSING-BALANCE
           MOVE ZERO TO TOTAL-DEPOSITS TOTAL-WITHDRAWALS
           PERFORM VARYING WS-I FROM 1 BY 1
                   UNTIL WS-I > TXN-COUNT OR WS-I > 5
               EVALUATE TRUE
                   WHEN TXN-DEPOSIT (WS-I)
                       ADD TXN-AMOUNT (WS-I) TO TOTAL-DEPOSITS
                       ADD TXN-AMOUNT (WS-I) TO CLOSING-BALANCE
                   WHEN TXN-WITHDRAWAL (WS-I)
                       ADD TXN-AMOUNT (WS-I) TO TOTAL-WITHDRAWALS
                       SUBTRACT TXN-AMOUNT (WS-I) FROM CLOSING-BALANCE
                   WHEN OTHER
                       DISPLAY "custbal: " CUST-ID OF CUST-IN-RECORD
                           " transaction " WS-I " has unknown type "
                           TXN-TYPE (WS-I) UPON SYSERR
               END-EVALUATE
           END-PERFORM
           IF CLOSING-BALANCE < ZERO
               MOVE "OVERDRAWN" TO STATUS-CODE
           ELSE
               MOVE "OK" TO STATUS-CODE
           END-IF
           WRITE CUST-OUT-RECORD.
