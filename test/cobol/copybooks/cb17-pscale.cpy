       01  SCALED-REC.
           05  HUNDREDS    PIC 9(3)PP.
           05  S-HUNDREDS  PIC S9(3)P(2).
           05  SMALL       PIC PP99.
           05  S-SMALL     PIC SVPP9(3).
           05  P-PACKED    PIC S9(4)PPP COMP-3.
           05  P-BIN       PIC 9(4)PP COMP.
           05  P-SMALL-BIN PIC SVP9(3) COMP.
