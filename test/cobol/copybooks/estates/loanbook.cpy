000100* LOANBOOK - LOAN HEADER AND SCHEDULE                             LOANBOOK
000200 01  LOAN-HEADER.                                                 LOANBOOK
000300     05  LOAN-ID                  PIC X(10).                      LOANBOOK
000400     05  LOAN-PRINCIPAL           PIC S9(9)V99 COMP-3.            LOANBOOK
000500 01  LOAN-SCHEDULE.                                               LOANBOOK
000600     05  SCHED-LOAN-ID            PIC X(10).                      LOANBOOK
000700     05  SCHED-COUNT              PIC 9(3).                       LOANBOOK
000800     05  SCHED-ENTRY OCCURS 1 TO 360 TIMES                        LOANBOOK
000900             DEPENDING ON SCHED-COUNT.                            LOANBOOK
001000         10  SCHED-DUE-DATE       PIC 9(8).                       LOANBOOK
001100         10  SCHED-AMOUNTS.                                       LOANBOOK
001200             15  SCHED-PRINCIPAL  PIC S9(7)V99 COMP-3.            LOANBOOK
001300             15  SCHED-INTEREST   PIC S9(7)V99 COMP-3.            LOANBOOK
