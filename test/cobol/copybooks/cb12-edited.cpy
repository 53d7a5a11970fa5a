       01  EDITED-REC.
           05  E1      PIC ZZ,ZZ9.99.
           05  E2      PIC $$$,$$9.99CR.
           05  E3      PIC +++9.
           05  E4      PIC ---9.99.
           05  E5      PIC ***,**9.99DB.
           05  E6      PIC 99/99/99.
           05  E7      PIC XXBXX.
           05  E8      PIC 9(3)B9(2).
           05  E9      PIC 9990.
           05  E10     PIC Z(5)9V99.
           05  E11     PIC X(2)0X(2)/X.
           05  E12     PIC -(6)9.
