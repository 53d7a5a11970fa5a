      *> Raw mode: a main program that CALLs abender with the mode it
      *> reads from stdin, then shows the area.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ABENDRAW.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
           COPY abarea.
       PROCEDURE DIVISION.
           INITIALIZE AB-AREA
           ACCEPT AB-MODE
           CALL "ABENDER" USING AB-AREA
           DISPLAY AB-RESULT " " AB-NOTE
           STOP RUN.
