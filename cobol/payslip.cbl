      *> payslip: one payslip line per employee, layout from the
      *> EMPLOYEE copybook (cobol/copybooks/employee.cpy).
      *> Input lines are fixed width: id (6), name (20), hours worked
      *> (5 digits, 2 implied decimals) and hourly rate (same):
      *>   E00001Ada Lovelace        0400002500
      *> Hours above 40 are paid at 1.5 times the rate. A totals line
      *> ends the report.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. PAYSLIP.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       COPY "employee.cpy".
       01 WS-EOF                 PIC X          VALUE "N".
       01 WS-COUNT               PIC 9(5)       VALUE 0.
       01 WS-REGULAR             PIC 9(3)V99.
       01 WS-OVERTIME            PIC 9(3)V99.
       01 WS-GROSS               PIC 9(7)V99.
       01 WS-TOTAL               PIC 9(9)V99    VALUE 0.
       01 RPT-LINE.
          05 RPT-ID              PIC X(6).
          05 FILLER              PIC X          VALUE SPACE.
          05 RPT-NAME            PIC X(20).
          05 RPT-HOURS           PIC ZZ9.99.
          05 FILLER              PIC X(3)       VALUE " h ".
          05 RPT-GROSS           PIC Z,ZZZ,ZZ9.99.
       01 RPT-TOTAL              PIC ZZZ,ZZZ,ZZ9.99.
       PROCEDURE DIVISION.
           DISPLAY "ID     NAME                 HOURS         GROSS"
           PERFORM UNTIL WS-EOF = "Y"
               MOVE SPACES TO EMPLOYEE-RECORD
               ACCEPT EMPLOYEE-RECORD
                   ON EXCEPTION
                       IF EMPLOYEE-RECORD = SPACES
                           MOVE "Y" TO WS-EOF
                       END-IF
               END-ACCEPT
               IF EMPLOYEE-RECORD NOT = SPACES
                   PERFORM ONE-EMPLOYEE
               END-IF
           END-PERFORM
           MOVE WS-TOTAL TO RPT-TOTAL
           DISPLAY "EMPLOYEES " WS-COUNT "  TOTAL GROSS " RPT-TOTAL
           STOP RUN.

       ONE-EMPLOYEE.
           IF EMP-HOURS IS NOT NUMERIC OR EMP-RATE IS NOT NUMERIC
               DISPLAY "error: bad record " EMP-ID UPON SYSERR
               MOVE 2 TO RETURN-CODE
               EXIT PARAGRAPH
           END-IF
           IF EMP-HOURS > 40
               MOVE 40 TO WS-REGULAR
               COMPUTE WS-OVERTIME = EMP-HOURS - 40
           ELSE
               MOVE EMP-HOURS TO WS-REGULAR
               MOVE 0 TO WS-OVERTIME
           END-IF
           COMPUTE WS-GROSS ROUNDED =
               WS-REGULAR * EMP-RATE + WS-OVERTIME * EMP-RATE * 1.5
           ADD WS-GROSS TO WS-TOTAL
           ADD 1 TO WS-COUNT
           MOVE EMP-ID TO RPT-ID
           MOVE EMP-NAME TO RPT-NAME
           MOVE EMP-HOURS TO RPT-HOURS
           MOVE WS-GROSS TO RPT-GROSS
           DISPLAY RPT-LINE.
