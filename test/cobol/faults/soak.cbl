*> The soak's program: the first input line is "MODE NONCE" (through the Invoke API a
*> JSON string, whose quotes are dropped). Every answer, good or bad, carries the nonce:
*> on stdout when it succeeds, on stderr (the error's stackTrace) when it fails.
IDENTIFICATION DIVISION.
PROGRAM-ID. soak.
DATA DIVISION.
WORKING-STORAGE SECTION.
01 WS-INPUT PIC X(200).
01 WS-MODE  PIC X(20).
01 WS-NONCE PIC X(100).
01 WS-BIG   PIC X(1000) VALUE ALL "z".
01 WS-I     PIC 9(9) COMP-5.
PROCEDURE DIVISION.
    ACCEPT WS-INPUT
    INSPECT WS-INPUT REPLACING ALL '"' BY SPACE
    UNSTRING FUNCTION TRIM(WS-INPUT) DELIMITED BY ALL SPACE INTO WS-MODE WS-NONCE
    EVALUATE FUNCTION TRIM(WS-MODE)
      WHEN "echo"
        DISPLAY FUNCTION TRIM(WS-NONCE)
      WHEN "fail"
        DISPLAY FUNCTION TRIM(WS-NONCE) UPON SYSERR
        STOP RUN RETURNING 3
      WHEN "hang"
        DISPLAY FUNCTION TRIM(WS-NONCE) UPON SYSERR
        PERFORM UNTIL 1 = 2
          CALL "C$SLEEP" USING 1
        END-PERFORM
      WHEN "escape"
        *> Leaves a process in a session of its own holding stdout, then answers.
        CALL "SYSTEM" USING 'setsid sleep 30 & c=$!; until [ "$(cut -d" " -f6 /proc/$c/stat)" = "$c" ]; do :; done'
        DISPLAY FUNCTION TRIM(WS-NONCE)
      WHEN "big"
        *> The nonce, then 1,000 lines of 1,000 bytes: a 1 MB answer.
        DISPLAY FUNCTION TRIM(WS-NONCE)
        PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 1000
          DISPLAY WS-BIG
        END-PERFORM
      WHEN "flood"
        *> Over Lambda's 6 MB response limit: stopped by the runtime.
        DISPLAY FUNCTION TRIM(WS-NONCE) UPON SYSERR
        PERFORM UNTIL 1 = 2
          DISPLAY WS-BIG
        END-PERFORM
      WHEN OTHER
        DISPLAY "unknown mode " FUNCTION TRIM(WS-MODE) UPON SYSERR
        STOP RUN RETURNING 2
    END-EVALUATE
    STOP RUN.
