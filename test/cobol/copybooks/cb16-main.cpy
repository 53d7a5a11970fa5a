       01  INVOICE-REC.
           05  INVOICE-NO          PIC X(10).
           COPY CB16-PARTY REPLACING ==PARTY== BY ==SELLER==.
           COPY CB16-PARTY REPLACING ==PARTY== BY ==BUYER==.
           COPY "cb16-amount.cpy"
               REPLACING LEADING ==AMT== BY ==TOTAL==.
