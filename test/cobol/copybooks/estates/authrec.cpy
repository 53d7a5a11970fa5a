000100* AUTHREC - AUTHORIZATION REQUEST AND RESPONSE                    AUTHREC 
000200 01  AUTH-REQUEST.                                                AUTHREC 
000300     05  AUTH-CARD-NUM            PIC X(16).                      AUTHREC 
000400     05  AUTH-AMOUNT  PIC S9(9)V99 SIGN LEADING SEPARATE.         AUTHREC 
000500     05  AUTH-MERCHANT-ID         PIC X(15).                      AUTHREC 
000600     05  AUTH-MCC                 PIC 9(4).                       AUTHREC 
000700 01  AUTH-RESPONSE REDEFINES AUTH-REQUEST.                        AUTHREC 
000800     05  AUTH-RESP-CARD-NUM       PIC X(16).                      AUTHREC 
000900     05  AUTH-RESP-CODE           PIC XX.                         AUTHREC 
001000         88  AUTH-APPROVED        VALUE '00'.                     AUTHREC 
001100     05  AUTH-RESP-REASON         PIC X(4).                       AUTHREC 
001200     05  AUTH-APPROVED-AMT        PIC S9(9)V99 COMP-3.            AUTHREC 
