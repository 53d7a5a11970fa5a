       01  VI-REC.
           05  VI-ID        PIC X(6).
           05  VI-NAME      PIC X(12).
           05  VI-CNT       PIC 9(2).
           05  VI-TXN OCCURS 0 TO 8 TIMES DEPENDING ON VI-CNT.
               10  VI-AMT   PIC S9(5)V99 COMP-3.
               10  VI-QTY   PIC S9(3).
