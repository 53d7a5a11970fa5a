       01  FILLER-REC.
           05  FIRST-NAME          PIC X(10).
           05  FILLER              PIC X(2) VALUE ', '.
           05  LAST-NAME           PIC X(10).
           05  FILLER              PIC X(3).
           05                      PIC 9(3).
           05  FILLER              PIC S9(5) COMP-3.
           05  FILLER.
               10  HIDDEN-A        PIC X(2).
               10  HIDDEN-B        PIC 9(2).
           05  AGE                 PIC 9(3).
           05  FILLER              PIC X(4) VALUE ALL '-'.
