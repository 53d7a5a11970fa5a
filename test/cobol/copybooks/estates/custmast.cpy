000100***************************************************************** CUSTMAST
000200* CUSTMAST - CUSTOMER MASTER RECORD                              *CUSTMAST
000300* the copy statement below is a comment, not code: COPY the X.   *CUSTMAST
000400***************************************************************** CUSTMAST
000500
000600 01  CUSTOMER-MASTER.                                             CUSTMAST
000700     05  CUST-KEY.                                                CUSTMAST
000800         10  CUST-BRANCH          PIC 9(3).                       CUSTMAST
000900         10  CUST-NUMBER          PIC 9(7).                       CUSTMAST
001000
001100     05  CUST-NAME                PIC X(30).                      CUSTMAST
001200     05  CUST-STATUS              PIC X.                          CUSTMAST
001300         88  CUST-ACTIVE          VALUE 'A'.                      CUSTMAST
001400         88  CUST-CLOSED          VALUE 'C'.                      CUSTMAST
001500*    balances are packed, as on the host                          CUSTMAST
001600     05  CUST-BALANCE             PIC S9(11)V99 COMP-3.           CUSTMAST
001700     05  CUST-CREDIT-LIMIT        PIC S9(7)V99  COMP-3.           CUSTMAST
001800     05  CUST-OPENED-DATE.                                        CUSTMAST
001900         10  CUST-OPENED-YYYY     PIC 9(4).                       CUSTMAST
002000         10  CUST-OPENED-MM       PIC 9(2).                       CUSTMAST
002100         10  CUST-OPENED-DD       PIC 9(2).                       CUSTMAST
002200     05  FILLER                   PIC X(10).                      CUSTMAST
