000100* TAGCUST - TAGGED CUSTOMER ADDRESS; COPY REPLACING :TAG:         TAGCUST 
000200 01  :TAG:-ADDRESS-REC.                                           TAGCUST 
000300     05  :TAG:-ID                 PIC X(8).                       TAGCUST 
000400     05  :TAG:-ADDR-LINE OCCURS 3 TIMES                           TAGCUST 
000500                                  PIC X(30).                      TAGCUST 
000600     05  :TAG:-POSTCODE           PIC X(8).                       TAGCUST 
000700     05  :TAG:-COUNTRY            PIC XX VALUE 'GB'.              TAGCUST 
000800     05  WS-:TAG:-FLAGS.                                          TAGCUST 
000900         10  :TAG:-MAIL-OK        PIC X.                          TAGCUST 
001000         10  :TAG:-PHONE-OK       PIC X.                          TAGCUST 
