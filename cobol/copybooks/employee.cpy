      *> One employee's pay data: a fixed-width input line.
       01 EMPLOYEE-RECORD.
          05 EMP-ID              PIC X(6).
          05 EMP-NAME            PIC X(20).
          05 EMP-HOURS           PIC 9(3)V99.
          05 EMP-RATE            PIC 9(3)V99.
