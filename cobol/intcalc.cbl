      *> intcalc: call mode with two USING parameters (a request and a
      *> result area, copybooks/intreq.cpy and copybooks/intres.cpy), as
      *> a batch driver would CALL it. Simple interest for a number of
      *> days on an actual/360 or actual/365 basis, rounded to the cent.
      *> A request it cannot price sets RETURN-CODE 8 and a message.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. INTCALC.
       DATA DIVISION.
       LINKAGE SECTION.
           COPY intreq.
           COPY intres.
       PROCEDURE DIVISION USING INT-REQUEST INT-RESULT.
           INITIALIZE INT-RESULT
           EVALUATE TRUE
               WHEN IR-DAYS = 0
                   MOVE "DAYS MUST BE 1 OR MORE" TO IS-MESSAGE
                   MOVE 8 TO RETURN-CODE
               WHEN NOT IR-BASIS-VALID
                   MOVE "DAY BASIS MUST BE 360 OR 365" TO IS-MESSAGE
                   MOVE 8 TO RETURN-CODE
               WHEN OTHER
                   COMPUTE IS-DAILY-RATE ROUNDED =
                       IR-ANNUAL-RATE / 100 / IR-DAY-BASIS
                   COMPUTE IS-INTEREST ROUNDED =
                       IR-PRINCIPAL * IR-ANNUAL-RATE * IR-DAYS
                       / (100 * IR-DAY-BASIS)
                   COMPUTE IS-MATURITY-AMOUNT =
                       IR-PRINCIPAL + IS-INTEREST
                   MOVE "OK" TO IS-MESSAGE
           END-EVALUATE
           GOBACK.
