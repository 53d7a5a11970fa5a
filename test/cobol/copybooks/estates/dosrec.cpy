000100* DOSREC - WRITTEN ON A PC: CR LF, TABS AND A ^Z AT THE END       DOSREC  
000200 01  DOS-RECORD.                                                   DOSREC  
000300
	    05  DOS-KEY	PIC X(6).
	    05  DOS-AMOUNT	PIC S9(5)V99.
	    05  DOS-NOTE	PIC X(25).
