      * levels out of the usual order, lower case, separators, clause order
       01  nasty-rec.
         03  a-group.
             07  deep-one   pic x(3).
             07  deep-two   picture is 9(2)v9(2) usage is display.
           07  mid-level    value 'MM' pic xx.
         03  b-group.
               09  b-one    PIC S9(3), COMP-3; VALUE -7.
               09  1ST-ITEM PIC X(2).
               09  ITEM-2   PIC X OCCURS 3 TIMES.
         03  c-item         PIC X(4)
                            VALUE 'ABCD'.
         03  d-grp.
           04  e-grp.
             05  f-item   PIC X(2).
           04  g-item     PIC S9(2) SIGN TRAILING SEPARATE.
