       01  CUSTOMER-REC.
           05  CUST-ID             PIC 9(8).
           05  CUST-NAME           PIC X(30).
           05  CUST-BALANCE        PIC S9(7)V99.
           05  CUST-STATUS         PIC X.
