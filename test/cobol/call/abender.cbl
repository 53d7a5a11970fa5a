      *> A subprogram that fails in the ways a COBOL subprogram fails,
      *> chosen by AB-MODE. Compiled with -debug. Run in call mode, and
      *> CALLed by abendraw (raw mode) to compare the two.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ABENDER.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01  WS-ZERO                  PIC 9 VALUE 0.
       01  WS-TABLE                 PIC 9 OCCURS 3.
       01  WS-PID                   BINARY-LONG.
       LINKAGE SECTION.
           COPY abarea.
       PROCEDURE DIVISION USING AB-AREA.
           DISPLAY "abender: " AB-MODE
           EVALUATE AB-MODE
               WHEN "divide"
                   COMPUTE AB-RESULT = 10 / WS-ZERO
                   MOVE "after the division" TO AB-NOTE
               WHEN "subscript"
                   MOVE 1 TO WS-TABLE (WS-ZERO)
               WHEN "stop-run"
                   MOVE 4 TO RETURN-CODE
                   STOP RUN
               WHEN "stop-run-0"
                   STOP RUN
               WHEN "segv"
                   CALL "getpid" RETURNING WS-PID
                   CALL "kill" USING BY VALUE WS-PID BY VALUE 11
               WHEN "hang"
                   PERFORM UNTIL 1 = 2
                       CALL "C$SLEEP" USING 1
                   END-PERFORM
               WHEN "rc"
                   MOVE "returning 12" TO AB-NOTE
                   MOVE 12 TO RETURN-CODE
               WHEN OTHER
                   MOVE 42 TO AB-RESULT
                   MOVE "returned" TO AB-NOTE
           END-EVALUATE
           GOBACK.
