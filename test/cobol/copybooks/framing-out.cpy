           05  ACCT-ID             PIC X(6).
           05  NEW-BALANCE         PIC S9(8)V99 COMP-3.
           05  DOUBLED             PIC S9(18) COMP.
           05  RESULT-CODE         PIC X(2).
