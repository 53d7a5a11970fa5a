      *> acctinq: call mode. An online account inquiry/update program
      *> as it would run under CICS: a subprogram that gets its request
      *> and gives its answer in one COMMAREA (copybooks/acctcomm.cpy).
      *> Function I answers the account; D and W post an amount and
      *> answer the new balance (each invocation starts from the same
      *> accounts: there is no database here). Business errors are
      *> response codes in the COMMAREA; RETURN-CODE stays 0.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ACCTINQ.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01  WS-ACCOUNTS.
           05  WS-ACCOUNT OCCURS 3 TIMES.
               10  WS-ACCOUNT-ID    PIC X(10).
               10  WS-NAME          PIC X(30).
               10  WS-BALANCE       PIC S9(11)V99 COMP-3.
               10  WS-RATE          PIC S9(2)V9(4) COMP-3.
               10  WS-TXN-COUNT     PIC 9(2).
               10  WS-TXN OCCURS 5 TIMES.
                   15  WS-TXN-DATE   PIC 9(8).
                   15  WS-TXN-TYPE   PIC X.
                   15  WS-TXN-AMOUNT PIC S9(9)V99 COMP-3.
       01  WS-FOUND                 PIC 9(2) VALUE 0.
       01  WS-I                     PIC 9(2).
       01  WS-TODAY                 PIC 9(8).
       LINKAGE SECTION.
           COPY acctcomm.
       PROCEDURE DIVISION USING DFHCOMMAREA.
       MAIN-LOGIC.
           PERFORM LOAD-ACCOUNTS
           MOVE SPACES TO CA-RESPONSE-MESSAGE
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 3
               IF WS-ACCOUNT-ID (WS-I) = CA-ACCOUNT-ID
                   MOVE WS-I TO WS-FOUND
               END-IF
           END-PERFORM
           EVALUATE TRUE
               WHEN NOT (CA-INQUIRY OR CA-DEPOSIT OR CA-WITHDRAWAL)
                   SET CA-BAD-FUNCTION TO TRUE
                   MOVE "FUNCTION MUST BE I, D OR W"
                       TO CA-RESPONSE-MESSAGE
               WHEN WS-FOUND = 0
                   SET CA-NOT-FOUND TO TRUE
                   MOVE "ACCOUNT NOT FOUND" TO CA-RESPONSE-MESSAGE
               WHEN CA-INQUIRY
                   SET CA-OK TO TRUE
               WHEN CA-AMOUNT NOT > 0
                   SET CA-BAD-AMOUNT TO TRUE
                   MOVE "AMOUNT MUST BE POSITIVE" TO CA-RESPONSE-MESSAGE
               WHEN CA-WITHDRAWAL
                    AND CA-AMOUNT > WS-BALANCE (WS-FOUND)
                   SET CA-NO-FUNDS TO TRUE
                   MOVE "INSUFFICIENT FUNDS" TO CA-RESPONSE-MESSAGE
               WHEN OTHER
                   PERFORM POST-AMOUNT
                   SET CA-OK TO TRUE
           END-EVALUATE
           IF WS-FOUND > 0
               PERFORM ANSWER-ACCOUNT
           END-IF
      *>   DISPLAY goes to the function's log, never into the COMMAREA.
           DISPLAY "ACCTINQ " CA-FUNCTION " " CA-ACCOUNT-ID
               " RESPONSE " CA-RESPONSE-CODE
           GOBACK.

       POST-AMOUNT.
           IF CA-DEPOSIT
               ADD CA-AMOUNT TO WS-BALANCE (WS-FOUND)
           ELSE
               SUBTRACT CA-AMOUNT FROM WS-BALANCE (WS-FOUND)
           END-IF
      *>   The newest transaction first; the oldest of five drops off.
           PERFORM VARYING WS-I FROM 5 BY -1 UNTIL WS-I < 2
               MOVE WS-TXN (WS-FOUND, WS-I - 1)
                   TO WS-TXN (WS-FOUND, WS-I)
           END-PERFORM
           MOVE FUNCTION CURRENT-DATE (1:8) TO WS-TODAY
           MOVE WS-TODAY TO WS-TXN-DATE (WS-FOUND, 1)
           MOVE CA-FUNCTION TO WS-TXN-TYPE (WS-FOUND, 1)
           MOVE CA-AMOUNT TO WS-TXN-AMOUNT (WS-FOUND, 1)
           IF WS-TXN-COUNT (WS-FOUND) < 5
               ADD 1 TO WS-TXN-COUNT (WS-FOUND)
           END-IF.

       ANSWER-ACCOUNT.
           MOVE WS-NAME (WS-FOUND) TO CA-CUSTOMER-NAME
           MOVE WS-BALANCE (WS-FOUND) TO CA-BALANCE
           MOVE WS-RATE (WS-FOUND) TO CA-INTEREST-RATE
           MOVE WS-TXN-COUNT (WS-FOUND) TO CA-TXN-COUNT
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 5
               MOVE WS-TXN-DATE (WS-FOUND, WS-I) TO CA-TXN-DATE (WS-I)
               MOVE WS-TXN-TYPE (WS-FOUND, WS-I) TO CA-TXN-TYPE (WS-I)
               MOVE WS-TXN-AMOUNT (WS-FOUND, WS-I)
                   TO CA-TXN-AMOUNT (WS-I)
           END-PERFORM.

       LOAD-ACCOUNTS.
           INITIALIZE WS-ACCOUNTS
           MOVE "0000012345" TO WS-ACCOUNT-ID (1)
           MOVE "ADA LOVELACE" TO WS-NAME (1)
           MOVE 2500.75 TO WS-BALANCE (1)
           MOVE 1.2500 TO WS-RATE (1)
           MOVE 2 TO WS-TXN-COUNT (1)
           MOVE 20260102 TO WS-TXN-DATE (1, 1)
           MOVE "D" TO WS-TXN-TYPE (1, 1)
           MOVE 500.00 TO WS-TXN-AMOUNT (1, 1)
           MOVE 20251215 TO WS-TXN-DATE (1, 2)
           MOVE "W" TO WS-TXN-TYPE (1, 2)
           MOVE 120.10 TO WS-TXN-AMOUNT (1, 2)
           MOVE "0000067890" TO WS-ACCOUNT-ID (2)
           MOVE "GRACE HOPPER" TO WS-NAME (2)
           MOVE 10.10 TO WS-BALANCE (2)
           MOVE 0.7500 TO WS-RATE (2)
           MOVE "0000024680" TO WS-ACCOUNT-ID (3)
           MOVE "ALAN TURING" TO WS-NAME (3)
           MOVE -35.20 TO WS-BALANCE (3)
           MOVE 12.9900 TO WS-RATE (3)
           MOVE 1 TO WS-TXN-COUNT (3)
           MOVE 20260110 TO WS-TXN-DATE (3, 1)
           MOVE "W" TO WS-TXN-TYPE (3, 1)
           MOVE 35.20 TO WS-TXN-AMOUNT (3, 1).
