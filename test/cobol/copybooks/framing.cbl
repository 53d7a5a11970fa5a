      * Record mode as a program should do it: fixed-length records with no
      * separator, read from stdin and written to stdout by name.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. FRAMING.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IN-FILE ASSIGN TO "/dev/stdin"
               ORGANIZATION SEQUENTIAL.
           SELECT OUT-FILE ASSIGN TO "/dev/stdout"
               ORGANIZATION SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  IN-FILE.
       01  IN-RAW              PIC X(19).
       FD  OUT-FILE.
       01  OUT-RAW             PIC X(22).
       WORKING-STORAGE SECTION.
       01  IN-REC.
           COPY "framing-in.cpy".
       01  OUT-REC.
           COPY "framing-out.cpy".
       01  EOF-FLAG            PIC X VALUE "N".
       PROCEDURE DIVISION.
           OPEN INPUT IN-FILE OUTPUT OUT-FILE
           PERFORM UNTIL EOF-FLAG = "Y"
             READ IN-FILE INTO IN-REC
               AT END MOVE "Y" TO EOF-FLAG
               NOT AT END
                 MOVE ACCT-ID OF IN-REC TO ACCT-ID OF OUT-REC
                 COMPUTE NEW-BALANCE = BALANCE + DEPOSIT
                 COMPUTE DOUBLED = COUNTER * 2
                 MOVE "OK" TO RESULT-CODE
                 DISPLAY "processed " ACCT-ID OF IN-REC UPON SYSERR
                 WRITE OUT-RAW FROM OUT-REC
             END-READ
           END-PERFORM
           CLOSE IN-FILE OUT-FILE
           STOP RUN.
