000100* TRNRPT - TRANSACTION REPORT LINES (ONE 01 PER LINE TYPE)        TRNRPT  
000200 01  REPORT-NAME-HEADER.                                          TRNRPT  
000300     05  FILLER       PIC X(20) VALUE 'TRANSACTION REPORT'.       TRNRPT  
000400     05  RPT-RUN-DATE             PIC X(10).                      TRNRPT  
000500     05  FILLER                   PIC X(5) VALUE SPACES.          TRNRPT  
000600     05  RPT-PAGE                 PIC ZZZ9.                       TRNRPT  
000700
000800 01  REPORT-DETAIL.                                               TRNRPT  
000900     05  RPT-TRAN-ID              PIC X(16).                      TRNRPT  
001000     05  RPT-TRAN-TYPE            PIC X(2).                       TRNRPT  
001100     05  RPT-TRAN-AMOUNT          PIC -ZZZ,ZZZ,ZZ9.99.            TRNRPT  
001200     05  RPT-TRAN-DATE            PIC 9999/99/99.                 TRNRPT  
001300
001400 01  REPORT-TOTALS.                                               TRNRPT  
001500     05  FILLER       PIC X(12) VALUE 'TOTAL COUNT'.              TRNRPT  
001600     05  RPT-TOTAL-COUNT          PIC ZZZ,ZZ9.                    TRNRPT  
001700     05  RPT-TOTAL-AMOUNT         PIC $$$,$$$,$$9.99CR.           TRNRPT  
