      * custbal output: the customer's closing position.
           05  CUST-ID              PIC X(8).
           05  CLOSING-BALANCE      PIC S9(9)V99 COMP-3.
           05  TOTAL-DEPOSITS       PIC S9(9)V99 COMP-3.
           05  TOTAL-WITHDRAWALS    PIC S9(9)V99 COMP-3.
           05  STATUS-CODE          PIC X(9).
