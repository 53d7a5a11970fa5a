000100* CONTACT - A CONTACT WITH A HOME AND A WORK ADDRESS              CONTACT 
000200 01  CONTACT-RECORD.                                              CONTACT 
000300     05  CONTACT-NAME             PIC X(30).                      CONTACT 
000400     05  CONTACT-HOME.                                            CONTACT 
000500         COPY addrtag REPLACING ==:PFX:== BY ==HOME==.            CONTACT 
000600     05  CONTACT-WORK.                                            CONTACT 
000700         COPY addrtag REPLACING ==:PFX:== BY ==WORK==.            CONTACT 
000800     05  CONTACT-PHONE            PIC X(15).                      CONTACT 
000900D    05  CONTACT-DEBUG            PIC X(99).                      CONTACT 
