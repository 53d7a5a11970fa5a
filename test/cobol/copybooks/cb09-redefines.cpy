       01  REDEF-REC.
           05  KIND                PIC X.
           05  PAYLOAD             PIC X(20).
           05  PAYLOAD-NUM REDEFINES PAYLOAD.
               10  AMOUNT          PIC S9(9)V99 COMP-3.
               10  CURR-CODE       PIC X(3).
           05  PAYLOAD-ADDR REDEFINES PAYLOAD.
               10  STREET          PIC X(12).
               10  ZIP             PIC 9(5).
           05  PAYLOAD-SMALL REDEFINES PAYLOAD PIC X(4).
           05  DATE-TEXT           PIC X(8) VALUE '20240101'.
           05  DATE-PARTS REDEFINES DATE-TEXT.
               10  DATE-YYYY       PIC 9(4).
               10  DATE-MM         PIC 99.
               10  DATE-DD         PIC 99.
           05  END-MARK            PIC X VALUE '$'.
