      *> The native oracle for indexed inout files: with IDXMODE=LOAD it
      *> loads DD KSDS (OPEN OUTPUT) from the lines of DD LOADIN, and the
      *> relative file DD RRDS with their data, one slot each; else it
      *> lists DD KSDS in key order, one record a line.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. IDXTOOL.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT KF ASSIGN TO KSDS ORGANIZATION INDEXED
               ACCESS DYNAMIC RECORD KEY K-ID.
           SELECT LF ASSIGN TO LOADIN ORGANIZATION LINE SEQUENTIAL.
           SELECT RELF ASSIGN TO RRDS ORGANIZATION RELATIVE
               ACCESS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD KF.
       01 K-REC.
          05 K-ID               PIC X(4).
          05 K-DATA             PIC X(12).
       FD LF.
       01 L-REC                 PIC X(16).
       FD RELF.
       01 R-REC                 PIC X(12).
       WORKING-STORAGE SECTION.
       01 WS-MODE               PIC X(4).
       01 WS-EOF                PIC X VALUE "N".
       PROCEDURE DIVISION.
           ACCEPT WS-MODE FROM ENVIRONMENT "IDXMODE"
           IF WS-MODE = "LOAD"
               OPEN INPUT LF OUTPUT KF RELF
               PERFORM UNTIL WS-EOF = "Y"
                   READ LF AT END MOVE "Y" TO WS-EOF
                       NOT AT END
                           WRITE K-REC FROM L-REC
                           WRITE R-REC FROM L-REC(5:12)
                   END-READ
               END-PERFORM
               CLOSE LF KF RELF
           ELSE
               OPEN INPUT KF
               PERFORM UNTIL WS-EOF = "Y"
                   READ KF NEXT AT END MOVE "Y" TO WS-EOF
                       NOT AT END DISPLAY K-REC
                   END-READ
               END-PERFORM
               CLOSE KF
           END-IF
           STOP RUN.
