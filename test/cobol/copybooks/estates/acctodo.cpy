000100* ACCTODO - ACCOUNT AND ITS TRANSACTIONS (0 TO 20)                ACCTODO 
000200 01  ACCOUNT-HISTORY.                                             ACCTODO 
000300     05  ACCT-ID                  PIC X(11).                      ACCTODO 
000400     05  ACCT-CURR-BAL            PIC S9(9)V99 COMP-3.            ACCTODO 
000500     05  ACCT-TXN-COUNT           PIC S9(4) COMP.                 ACCTODO 
000600     05  ACCT-TXN OCCURS 20 TIMES                                 ACCTODO 
000700             DEPENDING ON ACCT-TXN-COUNT.                         ACCTODO 
000800         10  TXN-DATE             PIC 9(8).                       ACCTODO 
000900         10  TXN-CODE             PIC XX.                         ACCTODO 
001000         10  TXN-AMOUNT           PIC S9(7)V99 COMP-3.            ACCTODO 
