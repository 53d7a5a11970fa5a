      *> Updates an indexed master (DD KSDS) in place, as a VSAM KSDS
      *> update step does: READ by key and REWRITE, WRITE a new key,
      *> DELETE one; and a relative file (DD RRDS) the same way by slot.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. IDXUPD.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT KF ASSIGN TO KSDS ORGANIZATION INDEXED
               ACCESS DYNAMIC RECORD KEY K-ID FILE STATUS WS-STATUS.
           SELECT RELF ASSIGN TO RRDS ORGANIZATION RELATIVE
               ACCESS DYNAMIC RELATIVE KEY WS-RK FILE STATUS WS-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD KF.
       01 K-REC.
          05 K-ID               PIC X(4).
          05 K-DATA             PIC X(12).
       FD RELF.
       01 R-REC                 PIC X(12).
       WORKING-STORAGE SECTION.
       01 WS-STATUS             PIC XX.
       01 WS-RK                 PIC 9(4).
       PROCEDURE DIVISION.
           OPEN I-O KF
           DISPLAY "OPEN " WS-STATUS
           MOVE "0002" TO K-ID
           READ KF KEY IS K-ID
           DISPLAY "READ 0002 " WS-STATUS " " K-DATA
           MOVE "REWRITTEN" TO K-DATA
           REWRITE K-REC
           DISPLAY "REWRITE " WS-STATUS
           MOVE "0009NEW KEY" TO K-REC
           WRITE K-REC
           DISPLAY "WRITE " WS-STATUS
           MOVE "0003" TO K-ID
           DELETE KF
           DISPLAY "DELETE " WS-STATUS
           CLOSE KF
           OPEN I-O RELF
           MOVE 2 TO WS-RK
           READ RELF
           DISPLAY "RREAD 2 " WS-STATUS " " R-REC
           MOVE "REWRITTEN" TO R-REC
           REWRITE R-REC
           MOVE 5 TO WS-RK
           MOVE "NEW SLOT" TO R-REC
           WRITE R-REC
           MOVE 1 TO WS-RK
           DELETE RELF
           DISPLAY "RELATIVE " WS-STATUS
           CLOSE RELF
           STOP RUN.
