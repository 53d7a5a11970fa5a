      *> paybatch: a payroll batch step (batch mode). Reads the employee
      *> master (DD EMPIN, copybooks/empmast.cpy, EBCDIC in S3), writes a
      *> printed report (DD PAYRPT, line sequential) and one payment
      *> record per employee paid (DD PAYOUT, copybooks/payment.cpy).
      *> Hours above 40 are paid at 1.5 times the rate. An employee on
      *> leave is not paid; a record with a bad status or negative hours
      *> is skipped and the step ends with RETURN-CODE 4.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. PAYBATCH.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT EMP-FILE ASSIGN TO EMPIN
               ORGANIZATION SEQUENTIAL
               FILE STATUS WS-EMP-STATUS.
           SELECT RPT-FILE ASSIGN TO PAYRPT
               ORGANIZATION LINE SEQUENTIAL.
           SELECT PAY-FILE ASSIGN TO PAYOUT
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD EMP-FILE.
       COPY "empmast.cpy".
       FD RPT-FILE.
       01 RPT-RECORD             PIC X(72).
       FD PAY-FILE.
       COPY "payment.cpy".
       WORKING-STORAGE SECTION.
       01 WS-EMP-STATUS          PIC XX.
       01 WS-EOF                 PIC X          VALUE "N".
       01 WS-READ                PIC 9(5)       VALUE 0.
       01 WS-PAID                PIC 9(5)       VALUE 0.
       01 WS-SKIPPED             PIC 9(5)       VALUE 0.
       01 WS-REGULAR             PIC S9(3)V9.
       01 WS-OVERTIME            PIC S9(3)V9.
       01 WS-GROSS               PIC S9(7)V99.
       01 WS-TOTAL               PIC S9(9)V99   VALUE 0.
       01 RPT-HEADING            PIC X(72)      VALUE
          "EMP-ID NAME                 DEPT   HOURS         GROSS NOTE".
       01 RPT-LINE.
          05 RL-ID               PIC X(6).
          05 FILLER              PIC X          VALUE SPACE.
          05 RL-NAME             PIC X(20).
          05 FILLER              PIC X          VALUE SPACE.
          05 RL-DEPT             PIC X(4).
          05 FILLER              PIC X          VALUE SPACE.
          05 RL-HOURS            PIC -ZZ9.9.
          05 FILLER              PIC X          VALUE SPACE.
          05 RL-GROSS            PIC Z,ZZZ,ZZ9.99.
          05 FILLER              PIC X          VALUE SPACE.
          05 RL-NOTE             PIC X(15).
       01 RPT-TOTALS.
          05 FILLER              PIC X(5)       VALUE "READ ".
          05 RT-READ             PIC ZZZZ9.
          05 FILLER              PIC X(6)       VALUE " PAID ".
          05 RT-PAID             PIC ZZZZ9.
          05 FILLER              PIC X(9)       VALUE " SKIPPED ".
          05 RT-SKIPPED          PIC ZZZZ9.
          05 FILLER              PIC X(7)       VALUE " TOTAL ".
          05 RT-TOTAL            PIC ZZZ,ZZZ,ZZ9.99.
       PROCEDURE DIVISION.
           OPEN INPUT EMP-FILE
           IF WS-EMP-STATUS NOT = "00"
               DISPLAY "PAYBATCH: cannot open EMPIN, status "
                   WS-EMP-STATUS UPON SYSERR
               MOVE 16 TO RETURN-CODE
               STOP RUN
           END-IF
           OPEN OUTPUT RPT-FILE PAY-FILE
           WRITE RPT-RECORD FROM RPT-HEADING
           PERFORM UNTIL WS-EOF = "Y"
               READ EMP-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM ONE-EMPLOYEE
               END-READ
           END-PERFORM
           MOVE WS-READ TO RT-READ
           MOVE WS-PAID TO RT-PAID
           MOVE WS-SKIPPED TO RT-SKIPPED
           MOVE WS-TOTAL TO RT-TOTAL
           WRITE RPT-RECORD FROM RPT-TOTALS
           CLOSE EMP-FILE RPT-FILE PAY-FILE
           IF WS-SKIPPED > 0
               MOVE 4 TO RETURN-CODE
           END-IF
           STOP RUN.

       ONE-EMPLOYEE.
           ADD 1 TO WS-READ
           MOVE SPACES TO RPT-LINE
           MOVE EM-ID TO RL-ID
           MOVE EM-NAME TO RL-NAME
           MOVE EM-DEPT TO RL-DEPT
           MOVE EM-HOURS TO RL-HOURS
           MOVE 0 TO WS-GROSS
           EVALUATE TRUE
               WHEN EM-HOURS IS NOT NUMERIC OR EM-HOURS < 0
                   OR NOT (EM-ACTIVE OR EM-ON-LEAVE)
                   ADD 1 TO WS-SKIPPED
                   MOVE "SKIPPED" TO RL-NOTE
               WHEN EM-ON-LEAVE
                   MOVE "ON LEAVE" TO RL-NOTE
               WHEN OTHER
                   PERFORM PAY-EMPLOYEE
           END-EVALUATE
           MOVE WS-GROSS TO RL-GROSS
           WRITE RPT-RECORD FROM RPT-LINE.

       PAY-EMPLOYEE.
           IF EM-HOURS > 40
               MOVE 40 TO WS-REGULAR
               COMPUTE WS-OVERTIME = EM-HOURS - 40
           ELSE
               MOVE EM-HOURS TO WS-REGULAR
               MOVE 0 TO WS-OVERTIME
           END-IF
           COMPUTE WS-GROSS ROUNDED = EM-PAY-RATE * WS-REGULAR
               + EM-PAY-RATE * 1.5 * WS-OVERTIME
           ADD WS-GROSS TO WS-TOTAL
           ADD 1 TO WS-PAID
           MOVE SPACES TO PAYMENT-RECORD
           MOVE EM-ID TO PM-EMP-ID
           MOVE EM-DEPT TO PM-DEPT
           MOVE WS-GROSS TO PM-GROSS
           MOVE EM-HOURS TO PM-HOURS
           MOVE "BACS" TO PM-METHOD
           WRITE PAYMENT-RECORD.
