       01  VO-REC.
           05  VO-ID        PIC X(6).
           05  VO-NAME      PIC X(12).
           05  VO-TOTAL     PIC S9(7)V99.
           05  VO-CNT       PIC 9(2).
           05  VO-TXN OCCURS 0 TO 8 TIMES DEPENDING ON VO-CNT.
               10  VO-AMT   PIC S9(7)V99 COMP-3.
               10  VO-QTY   PIC S9(3) SIGN LEADING SEPARATE.
