       01  SHIPMENT-REC.
           05  SHIP-ID             PIC 9(6) COMP.
           05  PARCEL-COUNT        PIC 9(2).
           05  SHIP-BODY.
               10  CARRIER         PIC X(8).
               10  PARCELS OCCURS 0 TO 5 TIMES
                       DEPENDING ON PARCEL-COUNT.
                   15  PARCEL-ID   PIC X(8).
                   15  WEIGHTS     PIC S9(3)V9 COMP OCCURS 2.
