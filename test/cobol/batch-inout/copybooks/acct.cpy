      *> An account master record: text, a packed balance, a zoned
      *> signed count (what EBCDIC translation must get right).
       01 ACCT-REC.
          05 AC-ID              PIC X(6).
          05 AC-NAME            PIC X(14).
          05 AC-BAL             PIC S9(7)V99 COMP-3.
          05 AC-COUNT           PIC S9(3).
          05 AC-STATUS          PIC X.
