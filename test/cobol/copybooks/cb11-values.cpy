       01  VALUE-REC.
           05  V-TEXT      PIC X(8)   VALUE 'HELLO'.
           05  V-QUOTED    PIC X(10)  VALUE "IT'S ""OK""".
           05  V-NUM       PIC S9(5)V99 VALUE -123.45.
           05  V-PLUS      PIC S9(3)  VALUE +42.
           05  V-ZERO      PIC X(3)   VALUE ZEROS.
           05  V-NZERO     PIC 9(4)   VALUE ZERO.
           05  V-SPACE     PIC X(3)   VALUE SPACES.
           05  V-HIGH      PIC X(2)   VALUE HIGH-VALUES.
           05  V-LOW       PIC X(2)   VALUE LOW-VALUE.
           05  V-ALL       PIC X(5)   VALUE ALL '*+'.
           05  V-HEX       PIC X(3)   VALUE X'C1F0FF'.
           05  V-PACKED    PIC S9(5) COMP-3 VALUE -17.
           05  V-BIN       PIC S9(4) COMP VALUE -2.
           05  V-QUOTE     PIC X(2)   VALUE QUOTES.
           05  V-STATUS    PIC X      VALUE 'A'.
               88  STATUS-ACTIVE    VALUE 'A'.
               88  STATUS-CLOSED    VALUES ARE 'C' 'X'.
               88  STATUS-RANGE     VALUE 'M' THRU 'P'.
           05  V-CODE      PIC 9(2)   VALUE 10.
               88  CODE-LOW         VALUE 1 THROUGH 9.
               88  CODE-TEN         VALUE 10 FALSE 0.
           05  V-GROUP     VALUE SPACES.
               10  V-G1    PIC X(2).
               10  V-G2    PIC X(2).
