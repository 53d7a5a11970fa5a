       01  GU-REC.
           05  PACKED-GROUP    USAGE IS COMPUTATIONAL-3.
               10  PG-A        PIC S9(5).
               10  PG-B        PIC 9(4)V99.
               10  PG-SUB.
                   15  PG-C    PIC S9(3).
           05  BIN-GROUP       COMP.
               10  BG-A        PIC S9(4).
               10  BG-B        PIC 9(9).
           05  DISPLAY-AFTER   PIC 9(3).
