       01  SIGN-REC.
           05  T-OVER      PIC S9(4).
           05  L-OVER      PIC S9(4) SIGN LEADING.
           05  T-SEP       PIC S9(4) SIGN TRAILING SEPARATE.
           05  L-SEP       PIC S9(4) SIGN IS LEADING SEPARATE CHARACTER.
           05  L-SEP-DEC   PIC S9(3)V99 LEADING SEPARATE.
           05  T-OVER-DEC  PIC S9V9(3) TRAILING.
           05  UNSIGNED-D  PIC 9(4)V9.
           05  SIGN-GROUP  SIGN LEADING SEPARATE.
               10  INNER-A PIC S9(3).
               10  INNER-B PIC S9(2)V9.
