       01  PACKED-REC.
           05  P1    PIC 9 COMP-3.
           05  P2    PIC S9 COMP-3.
           05  P3    PIC 9(2) COMP-3.
           05  P4    PIC S9(4) PACKED-DECIMAL.
           05  P5    PIC S9(5)V99 COMP-3.
           05  P6    PIC 9(6)V9(3) COMPUTATIONAL-3.
           05  P7    PIC S9(17) COMP-3.
           05  P8    PIC S9(18) COMP-3.
           05  P9    PIC SV9(5) COMP-3.
           05  P10   PIC S9(25)V9(6) COMP-3.
