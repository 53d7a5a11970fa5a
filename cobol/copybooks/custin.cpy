      * custbal input: one customer and up to five transactions.
           05  CUST-ID              PIC X(8).
           05  CUST-NAME            PIC X(30).
           05  OPENING-BALANCE      PIC S9(9)V99 COMP-3.
           05  TXN-COUNT            PIC 9(2).
           05  TXN OCCURS 5 TIMES.
               10  TXN-TYPE         PIC X.
                   88  TXN-DEPOSIT      VALUE "D".
                   88  TXN-WITHDRAWAL   VALUE "W".
               10  TXN-AMOUNT       PIC S9(7)V99 COMP-3.
