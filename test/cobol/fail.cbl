*> Fails in the ways a COBOL program fails, chosen by the first input line.
IDENTIFICATION DIVISION.
PROGRAM-ID. fail.
DATA DIVISION.
WORKING-STORAGE SECTION.
01 WS-MODE PIC X(20).
01 WS-PID  BINARY-LONG.
01 WS-I    PIC 9(9) COMP-5.
01 WS-LINE PIC X(1000) VALUE ALL "x".
PROCEDURE DIVISION.
    ACCEPT WS-MODE
    *> Through the Invoke API the mode arrives as a JSON string: drop its quotes.
    INSPECT WS-MODE REPLACING ALL '"' BY SPACE
    EVALUATE FUNCTION TRIM(WS-MODE)
      WHEN "ok"
        DISPLAY "still serving"
      WHEN "return-code"
        DISPLAY "partial output"
        DISPLAY "giving up with 3" UPON SYSERR
        MOVE 3 TO RETURN-CODE
      WHEN "missing-module"
        CALL "NOSUCHMOD"
      WHEN "segv"
        CALL "getpid" RETURNING WS-PID
        CALL "kill" USING BY VALUE WS-PID BY VALUE 11
      WHEN "sigkill"
        CALL "getpid" RETURNING WS-PID
        CALL "kill" USING BY VALUE WS-PID BY VALUE 9
      WHEN "hang"
        PERFORM UNTIL 1 = 2
          CALL "C$SLEEP" USING 1
        END-PERFORM
      WHEN "fork-and-exit"
        CALL "SYSTEM" USING "sleep 300 &"
        DISPLAY "left a child behind"
      WHEN "fork-and-hang"
        CALL "SYSTEM" USING "sleep 301 &"
        PERFORM UNTIL 1 = 2
          CALL "C$SLEEP" USING 1
        END-PERFORM
      *> Leaves a process in a session of its own, escaped from the program's
      *> group, holding stdout; exits once the escape has happened.
      WHEN "escape-and-exit"
        CALL "SYSTEM" USING 'setsid sleep 303 & c=$!; until [ "$(cut -d" " -f6 /proc/$c/stat)" = "$c" ]; do :; done'
        DISPLAY "left an escaped child"
      WHEN "escape-and-hang"
        CALL "SYSTEM" USING 'setsid sleep 304 & c=$!; until [ "$(cut -d" " -f6 /proc/$c/stat)" = "$c" ]; do :; done'
        PERFORM UNTIL 1 = 2
          CALL "C$SLEEP" USING 1
        END-PERFORM
      WHEN "flood"
        PERFORM UNTIL 1 = 2
          DISPLAY WS-LINE
        END-PERFORM
      WHEN "flood-stderr"
        PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 600
          DISPLAY WS-LINE UPON SYSERR
        END-PERFORM
        DISPLAY "done"
      WHEN OTHER
        DISPLAY "unknown mode " FUNCTION TRIM(WS-MODE) UPON SYSERR
        STOP RUN RETURNING 2
    END-EVALUATE
    STOP RUN.
