           05  AMT-NET             PIC S9(9)V99 COMP-3.
           05  AMT-TAX             PIC S9(9)V99 COMP-3.
