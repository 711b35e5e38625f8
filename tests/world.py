"""A small hand-countable dataset ("the world"), used by several test modules.

Persons (period of interest 2017-05; the MIA project starts 2016-12-01):
  P1 19800101-0001  K  OS   2017-01-15 – 2017-05-10 ARBETE            (115 days)
  P2 19800202-0017  M  OS   2017-05-02 – open
  P3 19750505-0026  K  OS   2016-10-01 – 2016-12-20 AVHOPP            (80 days)  returning:
                       OS   2017-03-01 – 2017-05-31 Sjukdom (label)   (91 days)  12-digit form
  P4 19850303-0036  M  OS   2017-02-01 – 2017-04-30 STUDIER           (88 days)  two delprojekt
                       BHS  2017-05-15 – open
  P5 ANON-1         K  BHS  2017-04-01 – 2017-05-20 ARBETSSOKANDE     (49 days)  anonymous
  P6 X-77           ?  BHS  2017-05-05 – 2017-05-25 ORDINARIE_INSATS  (20 days)  unknown kön
  P7 660606-0058    M  SDT  2016-12-01 – 2017-01-31 FLYTT             (61 days)  10-digit form
  P8 19900909-0086  K  OS   2017-06-01 – open                                    after the period
"""

DELTAGARE = """\
deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak;sysselsattning_fore;sysselsattning_efter;forsorjning_fore;forsorjning_efter
19800101-0001;;OS;2017-01-15;2017-05-10;ARBETE;ARBETSSOKANDE;ARBETE;FORSORJNINGSSTOD;LON
19800202-0017;M;OS;2017-05-02;;;;;;
19750505-0026;K;OS;2016-10-01;2016-12-20;AVHOPP;;;;
197505050026;;OS;2017-03-01;2017-05-31;Sjukdom;;;;
19850303-0036;;OS;2017-02-01;2017-04-30;STUDIER;;;;
19850303-0036;M;BHS;2017-05-15;;;;;;
ANON-1;Kvinna;BHS;2017-04-01;2017-05-20;ARBETSSOKANDE;INGEN;ARBETSSOKANDE;;
X-77;;BHS;2017-05-05;2017-05-25;ORDINARIE_INSATS;;;;
660606-0058;;SDT;2016-12-01;2017-01-31;FLYTT;;;;
19900909-0086;;OS;2017-06-01;;;;;;
"""

AKTIVITETER = """\
deltagare_id;datum;insatstyp;delprojekt;timmar
19800101-0001;2017-05-03;Motiverande samtal;;1,5
19800101-0001;2017-05-04;MOTIVERANDE_SAMTAL;OS;2
19800202-0017;2017-05-10;KARTLAGGNING;OS;1
19850303-0036;2017-04-10;KARTLAGGNING;;3
19850303-0036;2017-05-20;PRAKTIK_AG;BHS;4
X-77;2017-05-06;PRAKTIK_AG;BHS;2,5
19750505-0026;2017-03-15;FRISKVARD;OS;1
ANON-1;2017-05-02;MOTIVERANDE_SAMTAL;BHS;
196606060058;2016-12-15;KARTLAGGNING;SDT;2
"""

WORLD = {"deltagare": DELTAGARE, "aktiviteter": AKTIVITETER}
