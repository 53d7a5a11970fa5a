       01  NATIVE-REC.
           05  N1    PIC 9(2) COMP-5.
           05  N2    PIC S9(4) COMP-5.
           05  N3    PIC 9(5) COMP-5.
           05  N4    PIC S9(7) COMPUTATIONAL-5.
           05  N5    PIC S9(9)V99 COMP-5.
           05  N6    PIC 9(18) COMP-5.
           05  TAIL  PIC X(3).
