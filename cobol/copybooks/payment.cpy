      *> One payment instruction: 24 bytes.
       01 PAYMENT-RECORD.
          05 PM-EMP-ID           PIC X(6).
          05 PM-DEPT             PIC X(4).
          05 PM-GROSS            PIC S9(7)V99 COMP-3.
          05 PM-HOURS            PIC S9(3)V9.
          05 PM-METHOD           PIC X(5).
