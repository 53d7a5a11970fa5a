      * intcalc parameter 1: the deposit to accrue interest on. The
      * VALUEs are the example request `npm start` prints.
       01  INT-REQUEST.
           05  IR-PRINCIPAL         PIC S9(11)V99 COMP-3 VALUE 10000.
           05  IR-ANNUAL-RATE       PIC S9(2)V9(4) COMP-3 VALUE 5.25.
           05  IR-DAYS              PIC 9(4) COMP VALUE 90.
           05  IR-DAY-BASIS         PIC 9(3) VALUE 365.
               88  IR-BASIS-VALID       VALUES 360 365.
