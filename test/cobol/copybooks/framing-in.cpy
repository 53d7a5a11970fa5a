           05  ACCT-ID             PIC X(6).
           05  BALANCE             PIC S9(7)V99 COMP-3.
           05  DEPOSIT             PIC S9(5)V99 COMP-3.
           05  COUNTER             PIC S9(9) COMP.
