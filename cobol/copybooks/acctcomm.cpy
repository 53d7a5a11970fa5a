      * acctinq COMMAREA: the request (function, account, amount) and
      * the answer (name, balance, rate, recent transactions, response).
      * The VALUEs are the example request `npm start` prints; a CALLer
      * sets every field itself.
       01  DFHCOMMAREA.
           05  CA-FUNCTION          PIC X VALUE "I".
               88  CA-INQUIRY           VALUE "I".
               88  CA-DEPOSIT           VALUE "D".
               88  CA-WITHDRAWAL        VALUE "W".
           05  CA-ACCOUNT-ID        PIC X(10) VALUE "0000012345".
           05  CA-AMOUNT            PIC S9(9)V99 COMP-3.
           05  CA-CUSTOMER-NAME     PIC X(30).
           05  CA-BALANCE           PIC S9(11)V99 COMP-3.
           05  CA-INTEREST-RATE     PIC S9(2)V9(4) COMP-3.
           05  CA-TXN-COUNT         PIC 9(2).
           05  CA-RECENT-TXN OCCURS 5 TIMES.
               10  CA-TXN-DATE      PIC 9(8).
               10  CA-TXN-TYPE      PIC X.
               10  CA-TXN-AMOUNT    PIC S9(9)V99 COMP-3.
           05  CA-RESPONSE-CODE     PIC X(2).
               88  CA-OK                VALUE "00".
               88  CA-NOT-FOUND         VALUE "13".
               88  CA-BAD-AMOUNT        VALUE "21".
               88  CA-BAD-FUNCTION      VALUE "22".
               88  CA-NO-FUNDS          VALUE "30".
           05  CA-RESPONSE-MESSAGE  PIC X(40).
