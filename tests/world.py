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

# Follow-ups (90D point = slutdatum + 90 days; 6M/12M = + calendar months):
#   P7 ended 2017-01-31 -> 90D point 2017-05-01: follow-up ARBETE (slutdatum empty = latest exit)
#   P3 ended 2016-12-20 (6M point 2017-06-20) and 2017-05-31 (6M point 2017-11-30):
#      6M follow-ups for both, chosen by the slutdatum column; no 90D follow-up at all
#   P5 ended 2017-05-20 -> 90D point 2017-08-18: STUDIER
UPPFOLJNINGAR = """\
deltagare_id;tidpunkt;sysselsattning;forsorjning;slutdatum
660606-0058;90D;ARBETE;LON;
19750505-0026;6M;Arbete;;2016-12-20
19750505-0026;6M;SJUKSKRIVEN;;
ANON-1;90D;STUDIER;;2017-05-20
"""

# Self-assessment (STEG 1–7, MAKT 1–10):
#   P1 STEG 2 -> 4 (improved), MAKT once      P2 STEG once
#   P3 STEG 5 -> 4 (worse)                    P4 STEG 2 -> 3 (improved, while in OS)
#   P5 STEG 1 -> 1 (equal), MAKT 3 (April) and 8 (June: after May)
MATNINGAR = """\
deltagare_id;datum;fraga;varde
19800101-0001;2017-01-20;STEG;2
19800101-0001;2017-04-20;STEG;4
19800101-0001;2017-01-20;MAKT;5
19800202-0017;2017-05-05;STEG;3
19750505-0026;2017-03-05;STEG;5
19750505-0026;2017-05-30;STEG;4
19850303-0036;2017-02-02;STEG;2
19850303-0036;2017-03-15;STEG;3
ANON-1;2017-04-02;STEG;1
ANON-1;2017-05-15;STEG;1
ANON-1;2017-04-02;MAKT;3
ANON-1;2017-06-10;MAKT;8
"""

# Referrals: kön from the referral (R3 unknown), R4 has no utfall (= PAGAENDE), R1 is April.
REMISSER = """\
remiss_id;datum;delprojekt;remittent;utfall;kon;deltagare_id
R1;2017-04-20;OS;AF;INSKRIVEN;K;19800101-0001
R2;2017-05-03;OS;AF;EJ_INSKRIVEN;M;
R3;2017-05-10;OS;Försäkringskassan;INSKRIVEN;;
R4;2017-05-11;BHS;KOMMUN;;K;
R5;2017-05-31;BHS;AF;EJ_INSKRIVEN;Kvinna;
R6;2017-06-01;OS;AF;INSKRIVEN;K;
"""

# Organisation: A1 a meeting with three myndigheter (oral information), A2 project-wide
# written information (TOTALT only), A3 a samverkansmöte with two, A4 an April workshop.
ORGANISATION = """\
aktivitet_id;datum;delprojekt;typ;myndighet;antal_handlaggare
A1;2017-05-04;OS;INFO_MUNTLIG;AF;3
A1;2017-05-04;OS;INFO_MUNTLIG;FK;2
A1;2017-05-04;OS;INFO_MUNTLIG;KOMMUN;
A2;2017-05-10;;INFO_SKRIFTLIG;AF;0
A3;2017-05-12;BHS;SAMVERKANSMOTE;AF;4
A3;2017-05-12;BHS;SAMVERKANSMOTE;REGION;1
A4;2017-04-02;BHS;WORKSHOP;KOMMUN;5
"""

FULL_WORLD = {
    **WORLD,
    "uppfoljningar": UPPFOLJNINGAR,
    "matningar": MATNINGAR,
    "remisser": REMISSER,
    "organisationsaktiviteter": ORGANISATION,
}
