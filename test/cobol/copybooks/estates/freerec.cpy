       >>SOURCE FORMAT IS FREE
*> FREEREC - free format: no columns, *> comments
01 FREE-RECORD.
  05 FREE-ID PIC 9(6). *> identifier
  05 FREE-TEXT PIC X(100) VALUE "a value long enough to run past column seventy-two without a continuation line".
  05 FREE-AMOUNT PIC S9(9)V99 COMP-3.
