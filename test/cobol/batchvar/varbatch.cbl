      *> varbatch: a step with variable-length records (OCCURS DEPENDING
      *> ON in the FD). Reads VARIN, writes each record back unchanged
      *> to VARECHO (RECORD VARYING) and its extended amounts to VAROUT.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. VARBATCH.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IN-FILE ASSIGN TO VARIN
               ORGANIZATION SEQUENTIAL.
           SELECT OUT-FILE ASSIGN TO VAROUT
               ORGANIZATION SEQUENTIAL.
           SELECT ECHO-FILE ASSIGN TO VARECHO
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  IN-FILE.
       COPY "varin.cpy".
       FD  OUT-FILE.
       COPY "varout.cpy".
       FD  ECHO-FILE
           RECORD VARYING IN SIZE FROM 20 TO 76 DEPENDING ON WS-LEN.
       01  ECHO-REC         PIC X(76).
       WORKING-STORAGE SECTION.
       01  WS-EOF           PIC X VALUE "N".
       01  WS-I             PIC 9(4) COMP.
       01  WS-LEN           PIC 9(4) COMP.
       PROCEDURE DIVISION.
           OPEN INPUT IN-FILE OUTPUT OUT-FILE ECHO-FILE
           PERFORM UNTIL WS-EOF = "Y"
               READ IN-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM COPY-RECORD
               END-READ
           END-PERFORM
           CLOSE IN-FILE OUT-FILE ECHO-FILE
           STOP RUN.
       COPY-RECORD.
           COMPUTE WS-LEN = 20 + 7 * VI-CNT
           WRITE ECHO-REC FROM VI-REC
           MOVE VI-ID TO VO-ID
           MOVE VI-NAME TO VO-NAME
           MOVE VI-CNT TO VO-CNT
           MOVE 0 TO VO-TOTAL
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > VI-CNT
               COMPUTE VO-AMT (WS-I) = VI-AMT (WS-I) * VI-QTY (WS-I)
               MOVE VI-QTY (WS-I) TO VO-QTY (WS-I)
               ADD VO-AMT (WS-I) TO VO-TOTAL
           END-PERFORM
           WRITE VO-REC.
