"""Every indicator's id, Swedish label, kind, the exports it needs and its definition.

``CATALOG`` holds the indicators every project has; ``of(config)`` adds those a configuration
defines (follow-up outcomes of its own, named self-assessment indicators), each beside its
family. docs/indikatorer.md is generated from it (``describe``).
"""

from __future__ import annotations

from dataclasses import dataclass

COUNT, SHARE, MEAN, SUM = "antal", "andel", "medel", "summa"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    kind: str
    needs: tuple[str, ...]
    dimension: str | None = None  # name of the code list the dimension runs over
    kons: tuple[str, ...] = ("K", "M", "T")
    family: str = ""
    definition: str = ""  # who is counted, in Swedish (docs/indikatorer.md)
    code: str = ""  # the funder's code of the indicator (ESF: CO01, EECR04 …)
    columns: tuple[str, ...] = ()  # optional deltagare columns it reads (absent: saknar_data)


_D = ("deltagare",)
_A = ("deltagare", "aktiviteter")
_U = ("deltagare", "uppfoljningar")
_S = ("deltagare", "matningar")
_R = ("remisser",)
_O = ("organisationsaktiviteter",)
_T = ("T",)
FOLLOW_UP = {"90d": "90 dagar", "6m": "6 månader", "12m": "12 månader"}
NAMED_ITEMS = {
    "stegforflyttning": "Stegförflyttning mot arbete eller studier",
    "okad_makt": "Känner ökad makt över sin situation",
    "narmare_arbetsmarknaden": "Bedömer att de närmat sig arbetsmarknaden",
}


def _family(name: str, items: list[Indicator]) -> list[Indicator]:
    return [Indicator(**{**i.__dict__, "family": name}) for i in items]


CATALOG: list[Indicator] = [
    *_family(
        "flow",
        [
            Indicator("deltagare_aktiva", "Aktiva deltagare", COUNT, _D),
            Indicator("deltagare_nya", "Nya deltagare", COUNT, _D),
            Indicator("deltagare_avslutade", "Avslutade deltagare", COUNT, _D),
            Indicator(
                "inskrivningstid_medel_dagar", "Genomsnittlig inskrivningstid (dagar)", MEAN, _D
            ),
        ],
    ),
    *_family(
        "outcomes",
        [
            Indicator("andel_arbete_studier", "Avslutade till arbete eller studier", SHARE, _D),
            Indicator(
                "andel_ordinarie_insats",
                "Avslutade till ordinarie arbetsförberedande insats",
                SHARE,
                _D,
            ),
            Indicator("avslutsorsak", "Avslutsorsak", SHARE, _D, "avslutsorsak"),
            Indicator(
                "sysselsattning_fore_efter",
                "Sysselsättning före > efter",
                SHARE,
                _D,
                "sysselsattning_par",
            ),
            Indicator(
                "forsorjning_fore_efter", "Försörjning före > efter", SHARE, _D, "forsorjning_par"
            ),
            Indicator(
                "andel_egen_forsorjning_efter",
                "Egen försörjning (lön, studiemedel) efter avslut",
                SHARE,
                _D,
            ),
        ],
    ),
    *_family(
        "followup",
        [
            x
            for t, text in FOLLOW_UP.items()
            for x in (
                Indicator(
                    f"andel_arbete_studier_{t}",
                    f"I arbete eller studier {text} efter avslut",
                    SHARE,
                    _U,
                ),
                Indicator(
                    f"uppfoljning_saknas_{t}", f"Uppföljning {text} efter avslut saknas", COUNT, _U
                ),
            )
        ],
    ),
    *_family(
        "instrument",
        [
            *(Indicator(i, label, SHARE, _S) for i, label in NAMED_ITEMS.items()),
            Indicator("forbattring", "Förbättring i självskattning", SHARE, _S, "fraga"),
            Indicator("matning_saknas", "Färre än två självskattningar", COUNT, _S, "fraga"),
        ],
    ),
    *_family(
        "activities",
        [
            Indicator("fatt_insats", "Deltagare som fått insats", COUNT, _A),
            Indicator("insats", "Deltagare per insatstyp", COUNT, _A, "insatstyp"),
            Indicator("deltagartimmar", "Deltagartimmar", SUM, _A),
        ],
    ),
    *_family(
        "referrals",
        [
            Indicator("remisser", "Remisser", COUNT, _R, "myndighet"),
            Indicator(
                "remisser_inskrivna", "Remisser som ledde till inskrivning", COUNT, _R, "myndighet"
            ),
            Indicator(
                "remisser_ej_inskrivna",
                "Remisser som inte ledde till inskrivning",
                COUNT,
                _R,
                "myndighet",
            ),
            Indicator(
                "andel_remisser_inskrivna",
                "Andel avgjorda remisser som ledde till inskrivning",
                SHARE,
                _R,
                "myndighet",
            ),
        ],
    ),
    *_family(
        "organisation",
        [
            Indicator("infoinsatser", "Informationsinsatser", COUNT, _O, "myndighet", _T),
            Indicator(
                "handlaggare",
                "Deltagande handläggare i informationsinsatser",
                SUM,
                _O,
                "myndighet",
                _T,
            ),
            Indicator(
                "skriftlig_info", "Skriftlig information given (1 = ja)", COUNT, _O, "myndighet", _T
            ),
            Indicator(
                "sammankomster_flera_myndigheter",
                "Sammankomster med flera myndigheter",
                COUNT,
                _O,
                "organisationstyp",
                _T,
            ),
        ],
    ),
]

# Who is counted, as docs/indikatorer.md says it (P = the period [a, b]; ackumulerat: from the
# project start to b). Persons are counted once (TOTALT too); T counts everyone, K and M those
# of that kön.
_FOLLOW = (
    "Population: personer vars senaste avslutade inskrivning med uppföljningspunkt ({point}) i "
    "perioden har en uppföljning vid {t}."
)
DEFINITIONS = {
    "deltagare_aktiva": "Personer med en inskrivning som överlappar perioden (startdatum ≤ b och "
    "slutdatum tomt eller ≥ a).",
    "deltagare_nya": "Personer med en inskrivning vars startdatum ligger i perioden; ackumulerat: "
    "alla som deltagit hittills.",
    "deltagare_avslutade": "Personer med en inskrivning vars slutdatum ligger i perioden.",
    "inskrivningstid_medel_dagar": "Medelvärdet av slutdatum − startdatum i dagar över de "
    "avslutade (varje persons senaste inskrivning som slutar i perioden).",
    "andel_arbete_studier": "Population: deltagare_avslutade. Täljare: avslutsorsaken är i "
    "gruppen arbete_studier.",
    "andel_ordinarie_insats": "Population: deltagare_avslutade. Täljare: avslutsorsaken är i "
    "gruppen ordinarie_insats.",
    "avslutsorsak": "En rad per avslutsorsak: personer bland deltagare_avslutade med den "
    "orsaken; nämnare deltagare_avslutade.",
    "sysselsattning_fore_efter": "En rad per par FÖRE>EFTER bland avslutade med båda "
    "registrerade; nämnare de med båda registrerade. Visas som matris i rapporterna.",
    "forsorjning_fore_efter": "Som sysselsattning_fore_efter, för försörjning.",
    "andel_egen_forsorjning_efter": "Population: avslutade med forsorjning_efter registrerad. "
    "Täljare: forsorjning_efter i gruppen egen_forsorjning.",
    **{
        f"andel_arbete_studier_{t}": _FOLLOW.format(point=point, t=t.upper())
        + " Täljare: uppföljningens sysselsättning är i gruppen arbete_studier_efter."
        for t, point in (
            ("90d", "slutdatum + 90 dagar"),
            ("6m", "slutdatum + 6 månader"),
            ("12m", "slutdatum + 12 månader"),
        )
    },
    **{
        f"uppfoljning_saknas_{t}": "Personer vars senaste avslutade inskrivning med "
        f"uppföljningspunkt i perioden saknar uppföljning vid {t.upper()}."
        for t in ("90d", "6m", "12m")
    },
    "stegforflyttning": "forbattring för den fråga som konfigurationen knyter till "
    "stegforflyttning (MIA: STEG).",
    "okad_makt": "forbattring för den fråga som konfigurationen knyter till okad_makt (MIA: MAKT).",
    "narmare_arbetsmarknaden": "forbattring för den fråga som konfigurationen knyter till "
    "narmare_arbetsmarknaden (MIA: NARMARE), eller bedömd vid avslut om frågan säger så.",
    "forbattring": "En rad per fråga. Population: personer i deltagare_aktiva med minst två svar "
    "på frågan till periodens slut. Täljare: senaste svaret är högre än det första.",
    "matning_saknas": "En rad per fråga: personer i deltagare_aktiva med färre än två svar på "
    "frågan till periodens slut.",
    "fatt_insats": "Personer med minst en aktivitet daterad i perioden.",
    "insats": "En rad per insatstyp: personer med minst en aktivitet av typen i perioden.",
    "deltagartimmar": "Summan av timmar för aktiviteter daterade i perioden.",
    "remisser": "En rad per remittent: remisser daterade i perioden (händelser, så TOTALT är "
    "summan av delprojekten); kön från remissen.",
    "remisser_inskrivna": "Av remisserna: utfall INSKRIVEN.",
    "remisser_ej_inskrivna": "Av remisserna: utfall EJ_INSKRIVEN.",
    "andel_remisser_inskrivna": "inskrivna / (inskrivna + ej inskrivna); pågående räknas inte.",
    "infoinsatser": "En rad per myndighet: distinkta aktivitet_id i perioden av en "
    "informationstyp. Bara kön T; aktiviteter utan delprojekt räknas bara i TOTALT.",
    "handlaggare": "Summan av antal_handlaggare över informationsinsatsernas rader.",
    "skriftlig_info": "1 om myndigheten fått minst en skriftlig informationsinsats i perioden, "
    "annars 0.",
    "sammankomster_flera_myndigheter": "En rad per typ: distinkta aktivitet_id i perioden med två "
    "eller flera olika myndigheter.",
}
CATALOG = [Indicator(**{**i.__dict__, "definition": DEFINITIONS[i.id]}) for i in CATALOG]
BY_ID = {i.id: i for i in CATALOG}


def of(config) -> dict[str, Indicator]:
    """The indicators of ``config``, in report order: the catalogue, with the configuration's
    own follow-up outcomes after the follow-up family and its own named self-assessment
    indicators after the named ones. Computed once per configuration."""
    cached = getattr(config, "_catalog", None)
    if cached is not None:
        return cached
    followups = [
        Indicator(
            f.indicator,
            f.label,
            SHARE,
            _U,
            family="followup",
            definition=(
                f"Population: personer vars senaste avslutade inskrivning med uppföljningspunkt "
                f"{f.tidpunkt} i perioden har en uppföljning vid {f.tidpunkt}. Täljare: "
                "uppföljningens sysselsättning är en av "
                f"{', '.join(f.sysselsattning) or '(inga)'} eller försörjning en av "
                f"{', '.join(f.forsorjning) or '(inga)'}."
            ),
        )
        for f in config.followup
    ]
    named = [
        Indicator(
            i.indicator,
            i.indicator_label or i.label,
            SHARE,
            _S,
            family="instrument",
            definition=_instrument_definition(i),
        )
        for i in config.instrument
        if i.indicator and i.indicator not in BY_ID
    ]
    out: dict[str, Indicator] = {}
    last_followup = [i.id for i in CATALOG if i.family == "followup"][-1]
    for ind in CATALOG:
        item = next((i for i in config.instrument if i.indicator == ind.id), None)
        if item is not None and item.judged == "vid_avslut":
            ind = Indicator(**{**ind.__dict__, "definition": _instrument_definition(item)})
        out[ind.id] = ind
        extra = (
            followups
            if ind.id == last_followup
            else named
            if ind.id == "narmare_arbetsmarknaden"
            else []
        )
        out.update((i.id, i) for i in extra)
    if config.esf is not None:
        out.update((i.id, i) for i in esf_indicators(config.esf))
    config._catalog = out
    return out


def esf_indicators(esf) -> list[Indicator]:
    """The configuration's ESF common indicators (family ``esf``), counted in persons, with
    the X column when the programme asks for non-binary persons."""
    kons = ("K", "M", "X", "T") if esf.non_binary else ("K", "M", "T")
    return [
        Indicator(
            i.id,
            i.label,
            COUNT,
            ("deltagare", "uppfoljningar") if i.at == "6M" else _D,
            kons=kons,
            family="esf",
            definition=_esf_definition(esf, i),
            code=i.code,
            columns=(*i.columns(), *esf.outcome_columns(i)),
        )
        for i in esf.indicators
    ]


_ESF_WHO = {
    "start": "Personer vars inträde (första startdatum i projektet) ligger i perioden",
    "avslut": "Personer vars utträde (sista slutdatum, ingen inskrivning öppen) ligger i perioden",
    "6M": "Personer vars utträde ligger i perioden, enligt uppföljningen 6M (sex månader efter "
    "utträdet)",
}
_ESF_STATUS = {
    "arbetslos": "arbetslös",
    "inaktiv": "utanför arbetskraften",
    "inaktiv_ej_utbildning": "utanför arbetskraften och inte i utbildning",
    "sysselsatt": "sysselsatt",
    "okand": "okänd status",
}


def _esf_definition(esf, i) -> str:
    """Who an ESF indicator counts, in Swedish, from its conditions."""
    parts = []
    if i.status:
        parts.append("status vid inträdet " + " eller ".join(_ESF_STATUS[s] for s in i.status))
    if i.langtidsarbetslos:
        parts.append("arbetslös sedan mer än 12 månader (6 för den som är under 25) vid inträdet")
    if i.alder_min is not None or i.alder_max is not None:
        lo, hi = i.alder_min, i.alder_max
        span = (
            f"{lo}–{hi} år"
            if lo is not None and hi is not None
            else (f"minst {lo} år" if lo is not None else f"högst {hi} år")
        )
        parts.append(f"ålder vid inträdet {span}")
    if i.alder_okand:
        parts.append("ålder vid inträdet okänd")
    if i.isced:
        parts.append(f"utbildningsnivå vid inträdet ISCED {i.isced}")
    if i.ja:
        parts.append(f"{i.ja} = ja")
    if i.efter:
        o = esf.efter[i.efter]
        if i.at == "avslut":
            either = [f"avslutsorsak {', '.join(o.avslutsorsak)}"] if o.avslutsorsak else []
            either += [f"sysselsättning efter {', '.join(o.sysselsattning)}"] * bool(
                o.sysselsattning
            )
            parts.append(f"vid utträdet {i.efter}: {' eller '.join(either)}")
        else:
            parts.append(f"sysselsättning vid uppföljningen {', '.join(o.sysselsattning)}")
    if i.uppfoljning_saknas:
        parts.append("ingen uppföljning 6M av den sista inskrivningen")
    condition = f", med {'; '.join(parts)}" if parts else " (alla deltagare)"
    return f"{_ESF_WHO[i.at]}{condition}. En person räknas en gång per delprojekt och i TOTALT."


def _instrument_definition(item) -> str:
    if item.judged == "vid_avslut":
        return (
            f"Population: personer i deltagare_avslutade som har ett svar på {item.code} vid "
            f"avslutet (senaste svaret från inskrivningens start till {item.exit_window_days} "
            f"dagar efter slutdatum). Täljare: svaret är minst {item.success_from}."
        )
    return (
        f"forbattring för frågan {item.code}: population personer i deltagare_aktiva med minst "
        "två svar till periodens slut; täljare senaste svaret högre än det första."
    )
