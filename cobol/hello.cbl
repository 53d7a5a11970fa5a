      *> hello: greets the name it reads.
      *> Input {"name":"Ada"} -> Hello, Ada!   (the "name" member of a
      *> one-line JSON object; GnuCOBOL 3.1 has no JSON PARSE, so it is
      *> cut out with UNSTRING). Any other first line is taken whole as
      *> the name, quotes removed; empty input greets World.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. HELLO.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01 WS-LINE            PIC X(256) VALUE SPACES.
       01 WS-BEFORE          PIC X(256).
       01 WS-AFTER           PIC X(256).
       01 WS-NAME            PIC X(256) VALUE SPACES.
       01 WS-DELIM           PIC X(10).
       PROCEDURE DIVISION.
           ACCEPT WS-LINE
               ON EXCEPTION CONTINUE
           END-ACCEPT
           UNSTRING WS-LINE DELIMITED BY '"name"'
               INTO WS-BEFORE DELIMITER IN WS-DELIM
                    WS-AFTER
           END-UNSTRING
           IF WS-DELIM = '"name"'
      *>       WS-AFTER is now :"Ada"} : the name sits between quotes 1 and 2.
               UNSTRING WS-AFTER DELIMITED BY '"'
                   INTO WS-BEFORE WS-NAME
               END-UNSTRING
           ELSE
               MOVE WS-LINE TO WS-NAME
               INSPECT WS-NAME REPLACING ALL '"' BY SPACE
           END-IF
           IF WS-NAME = SPACES
               MOVE "World" TO WS-NAME
           END-IF
           DISPLAY "Hello, " FUNCTION TRIM(WS-NAME) "!"
           STOP RUN.
