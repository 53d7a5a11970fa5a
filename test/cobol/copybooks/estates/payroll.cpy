000100* PAYROLL - PAY RECORD; BINARY SIZES FOLLOW -STD                  PAYROLL 
000200 01  PAY-RECORD.                                                  PAYROLL 
000300     05  PAY-EMP-NO               PIC 9(6) COMP.                  PAYROLL 
000400     05  PAY-HOURS                PIC S9(3)V9 COMP.               PAYROLL 
000500     05  PAY-RATE                 PIC S9(5)V99 COMP-5.            PAYROLL 
000600     05  PAY-GROSS                PIC S9(7)V99 COMP-3.            PAYROLL 
000700     05  PAY-THOUSANDS            PIC 9(3)PPP.                    PAYROLL 
000800     05  PAY-DEPT-NAME PIC X(40) VALUE 'PAYROLL AND BENEFITS      PAYROLL 
000900-    'DEPARTMENT'.                                                PAYROLL 
001000     05  PAY-TAX-CODE             PIC X(5).                       PAYROLL 
