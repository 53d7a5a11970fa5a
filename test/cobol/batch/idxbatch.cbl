      *> Reads an indexed file (DD KSDS) by key and a relative file (DD
      *> RRDS) by slot, and writes both records to a new indexed file
      *> (DD KOUT), the relative one under key 0001: indexed and relative
      *> datasets passed as bytes.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. IDXBATCH.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT KF ASSIGN TO KSDS ORGANIZATION INDEXED
               ACCESS DYNAMIC RECORD KEY K-ID.
           SELECT RELF ASSIGN TO RRDS ORGANIZATION RELATIVE
               ACCESS DYNAMIC RELATIVE KEY WS-RK.
           SELECT KO ASSIGN TO KOUT ORGANIZATION INDEXED
               ACCESS DYNAMIC RECORD KEY O-ID.
       DATA DIVISION.
       FILE SECTION.
       FD KF.
       01 K-REC.
          05 K-ID                PIC X(4).
          05 K-DATA              PIC X(6).
       FD RELF.
       01 R-REC                  PIC X(10).
       FD KO.
       01 O-REC.
          05 O-ID                PIC X(4).
          05 O-DATA              PIC X(6).
       WORKING-STORAGE SECTION.
       01 WS-RK                  PIC 9(4).
       PROCEDURE DIVISION.
           OPEN INPUT KF RELF OUTPUT KO
           MOVE "0001" TO K-ID
           READ KF INVALID KEY MOVE "NONE" TO K-DATA END-READ
           MOVE 3 TO WS-RK
           READ RELF INVALID KEY MOVE "NONE" TO R-REC END-READ
           MOVE "K001" TO O-ID
           MOVE K-DATA TO O-DATA
           WRITE O-REC
           MOVE "0001" TO O-ID
           MOVE R-REC TO O-DATA
           WRITE O-REC
           CLOSE KF RELF KO
           DISPLAY K-DATA " " R-REC
           STOP RUN.
