       01  BIG-REC.
           05  BIG-TEXT        PIC X(5000).
           05  BIG-DISPLAY     PIC S9(38).
           05  BIG-PACKED      PIC S9(31)V9(7) COMP-3.
           05  BIG-BINARY      PIC S9(18) COMP.
           05  BIG-UBINARY     PIC 9(18) COMP.
           05  BIG-TABLE OCCURS 100 TIMES.
               10  BT-A        PIC X.
               10  BT-B        PIC 9(17) COMP-3.
