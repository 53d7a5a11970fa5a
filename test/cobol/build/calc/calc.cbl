       IDENTIFICATION DIVISION.
       PROGRAM-ID. CALC.
      *> Reads a number, CALLs the DOUBLER subprogram (linked into the
      *> same executable) and prints the result with a COPYed label.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       COPY LABELS.
       01 WS-LINE   PIC X(20).
       01 WS-N      PIC 9(6) VALUE 0.
       PROCEDURE DIVISION.
           ACCEPT WS-LINE
           COMPUTE WS-N = FUNCTION NUMVAL(WS-LINE)
           CALL "DOUBLER" USING WS-N
           DISPLAY LBL-RESULT WS-N
           STOP RUN.
