      * intcalc parameter 2: the interest, the amount at maturity and
      * a message, set by the program.
       01  INT-RESULT.
           05  IS-INTEREST          PIC S9(11)V99 COMP-3.
           05  IS-MATURITY-AMOUNT   PIC S9(11)V99 COMP-3.
           05  IS-DAILY-RATE        PIC S9V9(8) COMP-3.
           05  IS-MESSAGE           PIC X(40).
