      *> loan: amortisation schedule for a fixed-rate loan.
      *> Input, one value a line: principal (e.g. 10000.00), yearly
      *> interest rate in percent (e.g. 6.5) and number of monthly
      *> payments (e.g. 12). Output: a report with the monthly
      *> payment, one line per month and the totals. The last payment
      *> absorbs rounding so the balance ends at exactly zero.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. LOAN.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01 WS-LINE              PIC X(80).
       01 WS-PRINCIPAL         PIC 9(9)V99     VALUE 0.
       01 WS-RATE-PCT          PIC 9(3)V9(4)   VALUE 0.
       01 WS-MONTHS            PIC 9(4)        VALUE 0.
       01 WS-MONTHLY-RATE      PIC 9V9(12)     VALUE 0.
       01 WS-PAYMENT           PIC 9(9)V99     VALUE 0.
       01 WS-BALANCE           PIC S9(9)V99    VALUE 0.
       01 WS-INTEREST          PIC 9(9)V99     VALUE 0.
       01 WS-PRINCIPAL-PART    PIC S9(9)V99    VALUE 0.
       01 WS-THIS-PAYMENT      PIC 9(9)V99     VALUE 0.
       01 WS-TOTAL-PAID        PIC 9(11)V99    VALUE 0.
       01 WS-TOTAL-INTEREST    PIC 9(11)V99    VALUE 0.
       01 WS-MONTH             PIC 9(4)        VALUE 0.
       01 WS-EOF               PIC X           VALUE "N".
       01 RPT-MONEY            PIC Z,ZZZ,ZZZ,ZZ9.99.
       01 RPT-RATE             PIC ZZ9.9999.
       01 RPT-COUNT            PIC ZZZ9.
       01 RPT-DETAIL.
          05 RPT-MONTH         PIC ZZZ9.
          05 FILLER            PIC X(2)  VALUE SPACES.
          05 RPT-PAY           PIC Z,ZZZ,ZZ9.99.
          05 FILLER            PIC X(2)  VALUE SPACES.
          05 RPT-INT           PIC Z,ZZZ,ZZ9.99.
          05 FILLER            PIC X(2)  VALUE SPACES.
          05 RPT-PRIN          PIC Z,ZZZ,ZZ9.99.
          05 FILLER            PIC X(2)  VALUE SPACES.
          05 RPT-BAL           PIC Z,ZZZ,ZZ9.99.
       PROCEDURE DIVISION.
       MAIN-PARA.
           PERFORM READ-INPUT
           IF WS-PRINCIPAL = 0 OR WS-MONTHS = 0
               DISPLAY "error: need principal, rate and months, "
                       "one a line" UPON SYSERR
               MOVE 2 TO RETURN-CODE
               STOP RUN
           END-IF
           COMPUTE WS-MONTHLY-RATE = WS-RATE-PCT / 1200
           IF WS-MONTHLY-RATE = 0
               COMPUTE WS-PAYMENT ROUNDED = WS-PRINCIPAL / WS-MONTHS
           ELSE
               COMPUTE WS-PAYMENT ROUNDED =
                   WS-PRINCIPAL * WS-MONTHLY-RATE /
                   (1 - (1 + WS-MONTHLY-RATE) ** (0 - WS-MONTHS))
           END-IF
           PERFORM PRINT-HEADER
           MOVE WS-PRINCIPAL TO WS-BALANCE
           PERFORM VARYING WS-MONTH FROM 1 BY 1
                   UNTIL WS-MONTH > WS-MONTHS
               PERFORM ONE-MONTH
           END-PERFORM
           PERFORM PRINT-TOTALS
           STOP RUN.

       READ-INPUT.
           PERFORM READ-LINE
           IF WS-EOF = "N"
               COMPUTE WS-PRINCIPAL = FUNCTION NUMVAL(WS-LINE)
           END-IF
           PERFORM READ-LINE
           IF WS-EOF = "N"
               COMPUTE WS-RATE-PCT = FUNCTION NUMVAL(WS-LINE)
           END-IF
           PERFORM READ-LINE
           IF WS-EOF = "N"
               COMPUTE WS-MONTHS = FUNCTION NUMVAL(WS-LINE)
           END-IF.

       READ-LINE.
           MOVE SPACES TO WS-LINE
           ACCEPT WS-LINE
               ON EXCEPTION
                   IF WS-LINE = SPACES
                       MOVE "Y" TO WS-EOF
                   END-IF
           END-ACCEPT.

       PRINT-HEADER.
           DISPLAY "LOAN AMORTISATION SCHEDULE"
           MOVE WS-PRINCIPAL TO RPT-MONEY
           DISPLAY "Principal       " RPT-MONEY
           MOVE WS-RATE-PCT TO RPT-RATE
           DISPLAY "Yearly rate %      " RPT-RATE
           MOVE WS-MONTHS TO RPT-COUNT
           DISPLAY "Payments            " RPT-COUNT
           MOVE WS-PAYMENT TO RPT-MONEY
           DISPLAY "Monthly payment " RPT-MONEY
           DISPLAY " "
           DISPLAY "MONTH       PAYMENT      INTEREST     PRINCIPAL"
                   "       BALANCE".

       ONE-MONTH.
           COMPUTE WS-INTEREST ROUNDED = WS-BALANCE * WS-MONTHLY-RATE
           IF WS-MONTH = WS-MONTHS
               COMPUTE WS-THIS-PAYMENT = WS-BALANCE + WS-INTEREST
           ELSE
               MOVE WS-PAYMENT TO WS-THIS-PAYMENT
           END-IF
           COMPUTE WS-PRINCIPAL-PART = WS-THIS-PAYMENT - WS-INTEREST
           SUBTRACT WS-PRINCIPAL-PART FROM WS-BALANCE
           ADD WS-THIS-PAYMENT TO WS-TOTAL-PAID
           ADD WS-INTEREST TO WS-TOTAL-INTEREST
           MOVE WS-MONTH TO RPT-MONTH
           MOVE WS-THIS-PAYMENT TO RPT-PAY
           MOVE WS-INTEREST TO RPT-INT
           MOVE WS-PRINCIPAL-PART TO RPT-PRIN
           MOVE WS-BALANCE TO RPT-BAL
           DISPLAY RPT-DETAIL.

       PRINT-TOTALS.
           DISPLAY " "
           MOVE WS-TOTAL-PAID TO RPT-MONEY
           DISPLAY "Total paid      " RPT-MONEY
           MOVE WS-TOTAL-INTEREST TO RPT-MONEY
           DISPLAY "Total interest  " RPT-MONEY.
