      *> vargen: writes VARIN records natively (cobc's own variable-length
      *> framing, in the COB_VARSEQ_FORMAT it runs with): the oracle for
      *> the records the bridge gives varbatch.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. VARGEN.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IN-FILE ASSIGN TO VARIN
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  IN-FILE.
       COPY "varin.cpy".
       PROCEDURE DIVISION.
           OPEN OUTPUT IN-FILE
           MOVE "A00001" TO VI-ID
           MOVE "NO ITEMS" TO VI-NAME
           MOVE 0 TO VI-CNT
           WRITE VI-REC
           MOVE "B00002" TO VI-ID
           MOVE "ONE ITEM" TO VI-NAME
           MOVE 1 TO VI-CNT
           MOVE 12.5 TO VI-AMT (1)
           MOVE 3 TO VI-QTY (1)
           WRITE VI-REC
           MOVE "C00003" TO VI-ID
           MOVE "Three {x}" TO VI-NAME
           MOVE 3 TO VI-CNT
           MOVE -99999.99 TO VI-AMT (1)
           MOVE 2 TO VI-QTY (1)
           MOVE 0.01 TO VI-AMT (2)
           MOVE -999 TO VI-QTY (2)
           MOVE 100 TO VI-AMT (3)
           MOVE 0 TO VI-QTY (3)
           WRITE VI-REC
           CLOSE IN-FILE
           STOP RUN.
