      * The parameter of abender: how to fail, and a result.
       01  AB-AREA.
           05  AB-MODE              PIC X(10).
           05  AB-RESULT            PIC S9(4).
           05  AB-NOTE              PIC X(20).
