*> Never reads stdin.
IDENTIFICATION DIVISION.
PROGRAM-ID. nostdin.
PROCEDURE DIVISION.
    DISPLAY "did not read"
    STOP RUN.
