000100* CARDXREF - CARD TO ACCOUNT CROSS REFERENCE, TAGGED (PFX)        CARDXREF
000200 01  (PFX)-XREF-RECORD.                                           CARDXREF
000300     05  (PFX)-CARD-NUM           PIC X(16).                      CARDXREF
000400     05  (PFX)-CUST-ID            PIC 9(9).                       CARDXREF
000500     05  (PFX)-ACCT-ID            PIC 9(11).                      CARDXREF
000600     05  FILLER                   PIC X(14).                      CARDXREF
