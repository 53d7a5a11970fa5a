           05  PARTY.
               10  PARTY-NAME      PIC X(20).
               10  PARTY-VAT       PIC X(12).
