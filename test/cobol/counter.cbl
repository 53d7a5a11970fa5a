*> Counts its runs in WORKING-STORAGE and in a file it keeps OPEN: a fresh
*> process must print 1 every time, however it was started.
IDENTIFICATION DIVISION.
PROGRAM-ID. counter.
DATA DIVISION.
WORKING-STORAGE SECTION.
01 WS-COUNT PIC 9(4) VALUE 0.
01 WS-PID   PIC X(20).
PROCEDURE DIVISION.
    ADD 1 TO WS-COUNT
    DISPLAY "count=" WS-COUNT
    CALL "getpid" RETURNING RETURN-CODE
    DISPLAY "pid=" RETURN-CODE
    MOVE 0 TO RETURN-CODE
    GOBACK.
