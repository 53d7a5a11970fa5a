       01  JUST-REC.
           05  RIGHT-TEXT      PIC X(10) JUSTIFIED RIGHT.
           05  RIGHT-TEXT-2    PIC X(6) JUST.
           05  BLANK-NUM       PIC 9(5) BLANK WHEN ZERO.
           05  BLANK-EDIT      PIC ZZ9.99 BLANK ZERO.
