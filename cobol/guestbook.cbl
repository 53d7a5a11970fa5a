      *> guestbook: a classic COBOL CGI page (http mode).
      *> GET  -> an HTML form (name, message).
      *> POST -> application/x-www-form-urlencoded fields, cut apart
      *>         with UNSTRING, URL-decoded ('+' and %XX), echoed back
      *>         HTML-escaped (< > & ") under the form.
      *> Other methods -> Status: 405. Lambda keeps no state between
      *> invocations, so the page shows the entry of this request only.
      *> It reads CGI variables from the environment and the body from
      *> stdin, and writes headers, a blank line and the page to stdout:
      *> the same program runs under any CGI web server.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. GUESTBOOK.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01 WS-METHOD          PIC X(10)   VALUE SPACES.
       01 WS-CLEN-TEXT       PIC X(10)   VALUE SPACES.
       01 WS-CLEN            PIC 9(5)    VALUE 0.
       01 WS-BODY            PIC X(4096) VALUE SPACES.
       01 WS-PTR             PIC 9(5)    VALUE 1.
       01 WS-PAIR            PIC X(4096).
       01 WS-KEY             PIC X(32).
       01 WS-VAL             PIC X(4096).
       01 WS-VAL-LEN         PIC 9(5).
      *> URL decoding
       01 WS-DEC             PIC X(2048).
       01 WS-DEC-LEN         PIC 9(5).
       01 WS-I               PIC 9(5).
       01 WS-C               PIC X.
       01 WS-HEX             PIC X(16)   VALUE "0123456789ABCDEF".
       01 WS-HI              PIC 99.
       01 WS-LO              PIC 99.
       01 WS-J               PIC 99.
      *> HTML escaping
       01 WS-ESC             PIC X(8192).
       01 WS-ESC-LEN         PIC 9(5).
       01 WS-OUT-PTR         PIC 9(5).
       01 WS-NAME            PIC X(8192) VALUE SPACES.
       01 WS-NAME-LEN        PIC 9(5)    VALUE 0.
       01 WS-MESSAGE         PIC X(8192) VALUE SPACES.
       01 WS-MESSAGE-LEN     PIC 9(5)    VALUE 0.
       PROCEDURE DIVISION.
       MAIN.
           ACCEPT WS-METHOD FROM ENVIRONMENT "REQUEST_METHOD"
               ON EXCEPTION MOVE "GET" TO WS-METHOD
           END-ACCEPT
           EVALUATE WS-METHOD
               WHEN "GET"
               WHEN "HEAD"
                   PERFORM PAGE-TOP
                   DISPLAY "<p id=""empty"">No entries yet in this "
                           "invocation: sign the book above.</p>"
                   PERFORM PAGE-BOTTOM
               WHEN "POST"
                   PERFORM READ-FORM
                   PERFORM PAGE-TOP
                   PERFORM SHOW-ENTRY
                   PERFORM PAGE-BOTTOM
               WHEN OTHER
                   DISPLAY "Status: 405 Method Not Allowed"
                   DISPLAY "Allow: GET, POST"
                   DISPLAY "Content-Type: text/plain" X"0A"
                   DISPLAY "guestbook answers GET and POST only"
           END-EVALUATE
           STOP RUN.

      *> The body is CONTENT_LENGTH bytes on stdin, no newline.
       READ-FORM.
           ACCEPT WS-CLEN-TEXT FROM ENVIRONMENT "CONTENT_LENGTH"
               ON EXCEPTION MOVE "0" TO WS-CLEN-TEXT
           END-ACCEPT
           IF FUNCTION TRIM(WS-CLEN-TEXT) IS NUMERIC
               MOVE FUNCTION NUMVAL(WS-CLEN-TEXT) TO WS-CLEN
           END-IF
           IF WS-CLEN > LENGTH OF WS-BODY
               MOVE LENGTH OF WS-BODY TO WS-CLEN
           END-IF
           IF WS-CLEN = 0
               EXIT PARAGRAPH
           END-IF
           ACCEPT WS-BODY
               ON EXCEPTION CONTINUE
           END-ACCEPT
      *>   name=Ada+L&message=hi%21 : pairs split on &, then on =.
           MOVE 1 TO WS-PTR
           PERFORM UNTIL WS-PTR > WS-CLEN
               MOVE SPACES TO WS-PAIR WS-KEY WS-VAL
               UNSTRING WS-BODY(1:WS-CLEN) DELIMITED BY "&"
                   INTO WS-PAIR
                   WITH POINTER WS-PTR
               END-UNSTRING
               MOVE 0 TO WS-VAL-LEN
               UNSTRING WS-PAIR DELIMITED BY "=" OR SPACE
                   INTO WS-KEY
                        WS-VAL COUNT IN WS-VAL-LEN
               END-UNSTRING
               PERFORM URL-DECODE
               PERFORM HTML-ESCAPE
               EVALUATE WS-KEY
                   WHEN "name"
                       MOVE WS-ESC TO WS-NAME
                       MOVE WS-ESC-LEN TO WS-NAME-LEN
                   WHEN "message"
                       MOVE WS-ESC TO WS-MESSAGE
                       MOVE WS-ESC-LEN TO WS-MESSAGE-LEN
               END-EVALUATE
           END-PERFORM.

      *> WS-VAL(1:WS-VAL-LEN) -> WS-DEC(1:WS-DEC-LEN): + is a space,
      *> %XX the byte XX (UTF-8 sequences stay byte for byte).
       URL-DECODE.
           MOVE SPACES TO WS-DEC
           MOVE 0 TO WS-DEC-LEN
           MOVE 1 TO WS-I
           PERFORM UNTIL WS-I > WS-VAL-LEN
                      OR WS-DEC-LEN >= LENGTH OF WS-DEC
               MOVE WS-VAL(WS-I:1) TO WS-C
               ADD 1 TO WS-DEC-LEN
               EVALUATE TRUE
                   WHEN WS-C = "+"
                       MOVE SPACE TO WS-DEC(WS-DEC-LEN:1)
                       ADD 1 TO WS-I
                   WHEN WS-C = "%" AND WS-I + 2 <= WS-VAL-LEN
                       MOVE 99 TO WS-HI WS-LO
                       PERFORM VARYING WS-J FROM 1 BY 1
                               UNTIL WS-J > 16
                           IF FUNCTION UPPER-CASE(WS-VAL(WS-I + 1:1))
                              = WS-HEX(WS-J:1)
                               COMPUTE WS-HI = WS-J - 1
                           END-IF
                           IF FUNCTION UPPER-CASE(WS-VAL(WS-I + 2:1))
                              = WS-HEX(WS-J:1)
                               COMPUTE WS-LO = WS-J - 1
                           END-IF
                       END-PERFORM
                       IF WS-HI < 16 AND WS-LO < 16
                           MOVE FUNCTION CHAR(WS-HI * 16 + WS-LO + 1)
                             TO WS-DEC(WS-DEC-LEN:1)
                           ADD 3 TO WS-I
                       ELSE
                           MOVE "%" TO WS-DEC(WS-DEC-LEN:1)
                           ADD 1 TO WS-I
                       END-IF
                   WHEN OTHER
                       MOVE WS-C TO WS-DEC(WS-DEC-LEN:1)
                       ADD 1 TO WS-I
               END-EVALUATE
           END-PERFORM.

      *> WS-DEC(1:WS-DEC-LEN) -> WS-ESC(1:WS-ESC-LEN), safe in HTML.
       HTML-ESCAPE.
           MOVE SPACES TO WS-ESC
           MOVE 1 TO WS-OUT-PTR
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > WS-DEC-LEN
               EVALUATE WS-DEC(WS-I:1)
                   WHEN "<"
                       STRING "&lt;" DELIMITED BY SIZE
                           INTO WS-ESC WITH POINTER WS-OUT-PTR
                   WHEN ">"
                       STRING "&gt;" DELIMITED BY SIZE
                           INTO WS-ESC WITH POINTER WS-OUT-PTR
                   WHEN "&"
                       STRING "&amp;" DELIMITED BY SIZE
                           INTO WS-ESC WITH POINTER WS-OUT-PTR
                   WHEN '"'
                       STRING "&quot;" DELIMITED BY SIZE
                           INTO WS-ESC WITH POINTER WS-OUT-PTR
                   WHEN OTHER
                       STRING WS-DEC(WS-I:1) DELIMITED BY SIZE
                           INTO WS-ESC WITH POINTER WS-OUT-PTR
               END-EVALUATE
           END-PERFORM
           COMPUTE WS-ESC-LEN = WS-OUT-PTR - 1.

       PAGE-TOP.
      *>   The CGI header block: headers, then a blank line.
           DISPLAY "Content-Type: text/html; charset=utf-8" X"0A"
           DISPLAY "<!DOCTYPE html>"
           DISPLAY "<html><head><meta charset=""utf-8"">"
           DISPLAY "<title>COBOL guestbook</title></head><body>"
           DISPLAY "<h1>COBOL guestbook</h1>"
      *>   No action: the form posts back to this page's own URL.
           DISPLAY "<form method=""post"">"
           DISPLAY "<p><label>Name <input name=""name"" id=""name"">"
                   "</label></p>"
           DISPLAY "<p><label>Message <textarea name=""message"" "
                   "id=""message""></textarea></label></p>"
           DISPLAY "<p><button type=""submit"" id=""sign"">Sign"
                   "</button></p>"
           DISPLAY "</form>".

       SHOW-ENTRY.
           DISPLAY "<h2>Entries posted in this invocation</h2>"
           DISPLAY "<div class=""entry"">"
           IF WS-NAME-LEN = 0
               DISPLAY "<p id=""entry-name"">(anonymous)</p>"
           ELSE
               DISPLAY "<p id=""entry-name"">"
                       WS-NAME(1:WS-NAME-LEN) "</p>"
           END-IF
           IF WS-MESSAGE-LEN = 0
               DISPLAY "<p id=""entry-message""></p>"
           ELSE
               DISPLAY "<p id=""entry-message"">"
                       WS-MESSAGE(1:WS-MESSAGE-LEN) "</p>"
           END-IF
           DISPLAY "</div>".

       PAGE-BOTTOM.
           DISPLAY "</body></html>".
