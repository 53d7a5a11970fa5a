           05  ACCT-ID             PIC X(12).
           05  ACCT-TYPE           PIC X(2).
           05  ACCT-BALANCE        PIC S9(13)V99 COMP-3.
           05  ACCT-HISTORY OCCURS 2.
               10  HIST-DATE       PIC 9(8).
               10  HIST-AMOUNT     PIC S9(7)V99.
