000100* ADDRTAG - ONE ADDRESS, TAGGED :PFX:                             ADDRTAG 
000200         10  :PFX:-STREET         PIC X(30).                      ADDRTAG 
000300         10  :PFX:-CITY           PIC X(20).                      ADDRTAG 
000400         10  :PFX:-ZIP            PIC 9(5).                       ADDRTAG 
