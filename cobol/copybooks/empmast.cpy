      *> Employee master record (EBCDIC on the mainframe): 40 bytes.
       01 EMP-MASTER.
          05 EM-ID               PIC X(6).
          05 EM-NAME             PIC X(20).
          05 EM-DEPT             PIC X(4).
          05 EM-PAY-RATE         PIC S9(5)V99 COMP-3.
          05 EM-HOURS            PIC S9(3)V9.
          05 EM-STATUS           PIC X.
             88 EM-ACTIVE        VALUE "A".
             88 EM-ON-LEAVE      VALUE "L".
          05 FILLER              PIC X(1).
