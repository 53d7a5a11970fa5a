000100* A COMMENT LINE IN FIXED FORMAT                                  SEQ00001
000200 01  CONT-REC.                                                    SEQ00002
000300/ PAGE EJECT COMMENT                                              SEQ00003
000400     05  GREETING    PIC X(70) VALUE "HELLO THIS IS A LONG LITERAL SEQ00004
000500-    "THAT CONTINUES ON THE NEXT LINE".                           SEQ00005
000600     05  COUNTER     PIC 9(4)                                     XXXXXXXX
000700         COMP-3.                                                  IGNORED!
000800D    05  DEBUG-ONLY  PIC X(99).                                   DEBUGLNE
000900     05  SPLIT-NA                                                 SEQ00009
001000-        ME          PIC X(5).                                    SEQ00010
001100     05  INLINE      PIC X(2).  *> A FLOATING COMMENT             SEQ00011
      *    05  COMMENTED   PIC X(9).
           05  LAST-ONE    PIC S9(3)V9 COMP.
