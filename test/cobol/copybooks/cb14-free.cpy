*> A copybook in free format
01 FREE-REC.
  05 FREE-ID PIC 9(6). *> identifier
  05 FREE-NAME PIC X(40).
     *> indented comment
  05 FREE-AMOUNTS.
     10 FREE-AMOUNT PIC S9(11)V99 COMP-3 OCCURS 3 TIMES.
  05 FREE-DESCRIPTION PIC X(100) VALUE "a free format value that is long enough to go past column seventy-two without trouble".
