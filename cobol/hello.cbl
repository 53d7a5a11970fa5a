      *> hello: greets whatever the first line of input says.
      *> Input "Ada" (or any text, e.g. {"name":"Ada"}) -> "Hello, Ada!".
      *> The whole first line is the name: this program does no JSON;
      *> trailing spaces are trimmed and empty input greets "World".
       IDENTIFICATION DIVISION.
       PROGRAM-ID. HELLO.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01 WS-NAME            PIC X(256) VALUE SPACES.
       PROCEDURE DIVISION.
           ACCEPT WS-NAME
               ON EXCEPTION CONTINUE
           END-ACCEPT
           IF WS-NAME = SPACES
               MOVE "World" TO WS-NAME
           END-IF
           DISPLAY "Hello, " FUNCTION TRIM(WS-NAME) "!"
           STOP RUN.
