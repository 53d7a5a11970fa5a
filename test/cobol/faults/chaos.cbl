*> Misbehaves in the ways the fault suite needs, chosen by the first input line
*> (through the Invoke API the first line is JSON: quotes, brackets and commas are dropped).
IDENTIFICATION DIVISION.
PROGRAM-ID. chaos.
DATA DIVISION.
WORKING-STORAGE SECTION.
*> stderr-10mb: libcob's DISPLAY UPON SYSERR flushes every line (about 1.4 s per MB
*> here), and a file ASSIGNed to /dev/stderr cannot be opened when stderr is a socket
*> (Node's stdio pipes are socketpairs: ENXIO, file status 30). So the program calls
*> libc's write(2) on fd 2 directly, 10,000 bytes (100 lines) at a time: no shell, fast.
01 WS-CHUNK  PIC X(10000).
01 WS-FD     BINARY-LONG VALUE 2.
01 WS-LEN    BINARY-DOUBLE VALUE 10000.
01 WS-RC     BINARY-DOUBLE.
01 WS-MODE  PIC X(40).
01 WS-LINE  PIC X(2000).
01 WS-BIG   PIC X(1000) VALUE ALL "z".
01 WS-BYTES PIC X(256).
01 WS-I     PIC 9(9) COMP-5.
01 WS-N     PIC 9(9) COMP-5 VALUE 0.
01 WS-SHOWN PIC Z(8)9.
PROCEDURE DIVISION.
    ACCEPT WS-MODE
    INSPECT WS-MODE REPLACING ALL '"' BY SPACE ALL '[' BY SPACE ALL ',' BY SPACE
    EVALUATE FUNCTION TRIM(WS-MODE)
      WHEN "exit-1"
        DISPLAY "exiting with 1" UPON SYSERR
        STOP RUN RETURNING 1
      WHEN "print-50mb"
        *> 51,200 lines of 1,000 bytes and a newline: 51,251,200 bytes.
        PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 51200
          DISPLAY WS-BIG
        END-PERFORM
      WHEN "binary"
        *> Every byte value 0..255 once, NUL and newline included, no newline after.
        PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 256
          MOVE FUNCTION CHAR(WS-I) TO WS-BYTES(WS-I:1)
        END-PERFORM
        DISPLAY WS-BYTES WITH NO ADVANCING
      WHEN "stderr-10mb"
        *> 105,000 lines of 99 bytes and a newline: 10,500,000 bytes.
        MOVE ALL "e" TO WS-CHUNK
        PERFORM VARYING WS-I FROM 100 BY 100 UNTIL WS-I > 10000
          MOVE X"0A" TO WS-CHUNK(WS-I:1)
        END-PERFORM
        PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 1050
          CALL "write" USING BY VALUE WS-FD BY REFERENCE WS-CHUNK BY VALUE WS-LEN
            RETURNING WS-RC
          IF WS-RC NOT = 10000
            DISPLAY "short write to stderr" UPON SYSERR
            STOP RUN RETURNING 4
          END-IF
        END-PERFORM
        DISPLAY "wrote 10500000 bytes to stderr"
      WHEN "read-half"
        *> Reads 2,560 lines of the event (half of 5 MB in 1 KiB lines) and stops.
        PERFORM UNTIL WS-N >= 2560
          ACCEPT WS-LINE
            ON EXCEPTION MOVE 2560 TO WS-N
            NOT ON EXCEPTION ADD 1 TO WS-N
          END-ACCEPT
        END-PERFORM
        MOVE WS-N TO WS-SHOWN
        DISPLAY "read " FUNCTION TRIM(WS-SHOWN) " lines"
      WHEN OTHER
        DISPLAY "unknown mode " FUNCTION TRIM(WS-MODE) UPON SYSERR
        STOP RUN RETURNING 2
    END-EVALUATE
    STOP RUN.
