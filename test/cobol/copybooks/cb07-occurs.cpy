       01  TABLE-REC.
           05  ROW-COUNT       PIC 9(2).
           05  ROWS OCCURS 3 TIMES INDEXED BY ROW-IX.
               10  ROW-ID      PIC X(4).
               10  ROW-CELLS OCCURS 4 TIMES.
                   15  CELL-VAL    PIC S9(3)V9 COMP-3.
                   15  CELL-FLAGS  PIC X OCCURS 2.
               10  ROW-TOTAL   PIC S9(7) COMP.
           05  CODES PIC X(3) OCCURS 5 ASCENDING KEY IS CODES.
           05  TRAILER         PIC X(6).
