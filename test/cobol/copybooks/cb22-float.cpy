       01  FLOAT-REC.
           05  F-SHORT         COMP-1.
           05  F-LONG          USAGE COMP-2.
           05  F-AFTER         PIC X(2).
