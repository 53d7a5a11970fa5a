       01  ORDER-REC.
           05  ORDER-HEADER.
               10  ORDER-NO        PIC X(10).
               10  LINE-COUNT      PIC S9(4) COMP.
           05  ORDER-DATE          PIC 9(8).
           05  ORDER-LINES OCCURS 1 TO 20 TIMES
                   DEPENDING ON LINE-COUNT OF ORDER-HEADER.
               10  ITEM-CODE       PIC X(6).
               10  QUANTITY        PIC 9(5) COMP-3.
               10  UNIT-PRICE      PIC S9(5)V99 COMP-3.
