       01  ALPHA-REC.
           05  LETTERS         PIC A(10).
           05  MIXED           PIC XA9X.
           05  DIGITS-TEXT     PIC 9(2)X(3).
           05  SHORT-A         PIC AAA.
