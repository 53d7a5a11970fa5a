000100* EXPORTREC - EXPORT RECORD, LAYOUT CHOSEN BY EXPORT-REC-TYPE     EXPORTRC
000200 01  EXPORT-RECORD.                                               EXPORTRC
000300     05  EXPORT-REC-TYPE          PIC X.                          EXPORTRC
000400         88  EXPORT-CUSTOMER      VALUE 'C'.                      EXPORTRC
000500         88  EXPORT-ACCOUNT       VALUE 'A'.                      EXPORTRC
000600         88  EXPORT-CARD          VALUE 'D'.                      EXPORTRC
000700     05  EXPORT-SEQ               PIC 9(9) COMP.                  EXPORTRC
000800     05  EXPORT-DATA              PIC X(120).                     EXPORTRC
000900     05  EXPORT-CUST-DATA REDEFINES EXPORT-DATA.                  EXPORTRC
001000         10  EXP-CUST-ID          PIC 9(9).                       EXPORTRC
001100         10  EXP-CUST-NAME        PIC X(40).                      EXPORTRC
001200         10  EXP-CUST-DOB         PIC X(10).                      EXPORTRC
001300         10  FILLER               PIC X(61).                      EXPORTRC
001400     05  EXPORT-ACCT-DATA REDEFINES EXPORT-DATA.                  EXPORTRC
001500         10  EXP-ACCT-ID          PIC 9(11).                      EXPORTRC
001600         10  EXP-ACCT-BALANCE     PIC S9(10)V99 COMP-3.           EXPORTRC
001700         10  EXP-ACCT-LIMIT       PIC S9(10)V99 COMP-3.           EXPORTRC
001800         10  EXP-ACCT-OPENED      PIC 9(8) COMP.                  EXPORTRC
001900     05  EXPORT-CARD-DATA REDEFINES EXPORT-DATA.                  EXPORTRC
002000         10  EXP-CARD-NUM         PIC X(16).                      EXPORTRC
002100         10  EXP-CARD-CVV         PIC 9(3).                       EXPORTRC
002200         10  EXP-CARD-EXPIRY      PIC X(7).                       EXPORTRC
002300     05  EXPORT-TRAILER           PIC X(4).                       EXPORTRC
