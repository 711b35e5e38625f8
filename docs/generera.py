"""Write the parts of the documentation that the code defines, so they cannot drift from it:

    python docs/generera.py

docs/indikatorer.md (the catalogue), docs/exporter.md (the exports and their columns),
docs/problemkoder.md (every problem code) and docs/kodlistor.md (the code lists of the bundled
configurations). tests/test_docs.py fails when a generated file is not what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

KIND_TEXT = {
    "antal": "antal",
    "andel": "andel (täljare/nämnare)",
    "medel": "medelvärde",
    "summa": "summa",
}
FORMS = {
    "id": "personnummer (ÅÅÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN, ÅÅMMDD-NNNN, ÅÅMMDD+NNNN, ÅÅMMDDNNNN, "
    "samordningsnummer; alla sorters streck och blanksteg går bra) eller en pseudonym (1–64 tecken)",
    "kon": "K, M, Kvinna, Man; X eller icke-binär (tomt: ur personnumret, aldrig X)",
    "int": "heltal",
    "decimal": "tal; decimalkomma eller -punkt (1,5 eller 1.5)",
    "date": "ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, ÅÅÅÅ/MM/DD eller ett Excel-datum; ett klockslag efter datumet går bra",
    "bool": "ja/nej, 1/0, true/false, x/tomt",
    "text": "fritext",
}


def _form(kind: str) -> str:
    if kind.startswith("code:"):
        return f"kod eller etikett ur listan {kind[5:]} (skiftlägesokänsligt)"
    return FORMS[kind]


def indicators() -> str:
    from indikator.catalog import CATALOG

    families = {
        "flow": "Deltagarflöde (deltagare)",
        "outcomes": "Utfall vid avslut (deltagare)",
        "followup": "Uppföljning efter avslut (deltagare, uppfoljningar)",
        "instrument": "Självskattning (deltagare, matningar)",
        "activities": "Aktiviteter (deltagare, aktiviteter)",
        "referrals": "Remisser (remisser)",
        "organisation": "Organisation (organisationsaktiviteter)",
    }
    out = [
        "# Indikatorerna",
        "",
        "<!-- genererad av docs/generera.py ur catalog.py: ändra där, inte här -->",
        "",
        "Varje siffra räknas för en period P = [a, b], en grupp (ett delprojekt eller TOTALT) och ett",
        "kön (K, M eller T för alla), i två omfång: `period` (P) och `ackumulerat` (från",
        "projektets start till b). Personer räknas en gång (i TOTALT också när de finns i två",
        "delprojekt); T räknar alla, även de med okänt kön, så K + M ≤ T. En andel har täljare och",
        "nämnare; utan nämnare har den inget värde (`tom_namnare`). En indikator vars export saknas",
        'har status `saknar_data`, aldrig 0. "Senaste inskrivning" är den med senast slutdatum,',
        "sedan senast startdatum.",
        "",
        "En konfiguration kan lägga till egna indikatorer (egna uppföljningsutfall under",
        "`[[followup]]`, egna självskattningsindikatorer under `[[instrument]]`); `indikator",
        "indicators --config FIL` listar alla.",
        "",
    ]
    for family, title in families.items():
        out += [
            f"## {title}",
            "",
            "| id | etikett | slag | dimension | definition |",
            "|---|---|---|---|---|",
        ]
        for i in (i for i in CATALOG if i.family == family):
            dim = i.dimension or ""
            kons = "" if i.kons == ("K", "M", "T") else " (bara kön T)"
            out.append(
                f"| `{i.id}` | {i.label} | {KIND_TEXT[i.kind]}{kons} | {dim} | {i.definition} |"
            )
        out.append("")
    from indikator.catalog import BY_ID
    from indikator.config import load_config
    from indikator.locations import bundled_configs

    for name, path in bundled_configs().items():
        config = load_config(path)
        own = [
            i
            for i in config.indicators.values()
            if i.family != "esf" and (i.id not in BY_ID or i.definition != BY_ID[i.id].definition)
        ]
        if own:
            out += [
                f"## Egna i {config.project.name} (`--config {name}`)",
                "",
                "| id | etikett | slag | definition |",
                "|---|---|---|---|",
            ]
            out += [f"| `{i.id}` | {i.label} | {KIND_TEXT[i.kind]} | {i.definition} |" for i in own]
            out.append("")
        esf = [i for i in config.indicators.values() if i.family == "esf"]
        if esf:
            kons = "K, M, X (icke-binära) och T" if "X" in esf[0].kons else "K, M och T"
            out += [
                f"## ESF i {config.project.name} (`--config {name}`, programperiod "
                f"{config.esf.programme})",
                "",
                f"`indikator esf --period P` visar dem; antal personer, kön {kons}. Kolumner som",
                "indikatorn läser utöver de obligatoriska står inom hakparentes; saknas kolumnen",
                "(eller har den inget ifyllt värde) är status `saknar_data`.",
                "",
                "| kod | id | etikett | definition |",
                "|---|---|---|---|",
            ]
            out += [
                f"| {i.code} | `{i.id}` | {i.label} | {i.definition}"
                f"{' [' + ', '.join(i.columns) + ']' if i.columns else ''} |"
                for i in esf
            ]
            out.append("")
    return "\n".join(out)


def exports() -> str:
    from indikator.schema import COLUMN_TEXT, EXPORTS
    from indikator.templates import EXPORT_TEXT

    out = [
        "# Exporterna och deras kolumner",
        "",
        "<!-- genererad av docs/generera.py ur schema.py: ändra där, inte här -->",
        "",
        "En datamapp har upp till sex exporter. Filens namn är exportens (`deltagare.csv`,",
        "`aktiviteter.xlsx` …), som CSV/text (`;`, `,` eller tab; UTF-8 med eller utan BOM eller",
        "Windows-1252) eller kalkylblad (xlsx, xlsm, xlsb, xls, ods; första bladet). Bara",
        "`deltagare` måste finnas. Rubrikerna jämförs utan hänsyn till skiftläge, accenter och",
        "skiljetecken; en enhet eller ett format inom parentes (`Timmar (h)`) och förkortningar",
        "(`Anvisande org.`) går bra, och konfigurationens `[aliases]` lägger till egna namn.",
        "Rubrikerna i tabellerna nedan (som i registreringsmallarna från `indikator init`) förstås",
        "alltid. Titelrader ovanför rubrikraden hoppas över. Varje rad som inte går att använda",
        "listas med fil, rad, kolumn och orsak (`indikator validate`).",
        "",
    ]
    for export, model in EXPORTS.items():
        out += [
            f"## {export}",
            "",
            EXPORT_TEXT[export],
            "",
            "| kolumn | rubrik | obligatorisk | innehåll | former som tas emot |",
            "|---|---|---|---|---|",
        ]
        for name, col in model.columns().items():
            header, text = COLUMN_TEXT[name]
            out.append(
                f"| `{name}` | {header} | {'ja' if col.required else 'nej'} | {text} | {_form(col.kind)} |"
            )
        out.append("")
    return "\n".join(out)


def problems() -> str:
    from indikator.problems import KINDS

    out = [
        "# Problemkoderna",
        "",
        "<!-- genererad av docs/generera.py ur problems.py: ändra där, inte här -->",
        "",
        "Varje problem i indata har en stabil kod: i `indikator validate`, i problemlistan",
        "(`validate --out problem.xlsx`) och i nattkörningens `validering.csv`. Ett **fel** avvisar",
        "raden (alla andra rader används); en **varning** avvisar inget. Ett fel i en hel fil",
        "(oläslig, en obligatorisk kolumn saknas) stoppar körningen med kod 1 och har ingen kod här.",
        "",
        "| kod | nivå | vad |",
        "|---|---|---|",
    ]
    out += [f"| `{code}` | {kind.level} | {kind.title} |" for code, kind in KINDS.items()]
    return "\n".join(out) + "\n"


def code_lists() -> str:
    from indikator.config import CODE_LISTS, load_config
    from indikator.locations import bundled_configs

    out = [
        "# Kodlistorna i de medföljande konfigurationerna",
        "",
        "<!-- genererad av docs/generera.py ur bundled/configs: ändra där, inte här -->",
        "",
        "En cell får innehålla koden eller etiketten, utan hänsyn till skiftläge. Ett eget projekt",
        "har sina egna listor i sin konfiguration (`indikator init` börjar med SUS kategorier).",
        "",
    ]
    for name, path in bundled_configs().items():
        config = load_config(path)
        out += [f"## {config.project.name} (`--config {name}`)", ""]
        out += ["### delprojekt", "", "| kod | namn |", "|---|---|"]
        out += [f"| `{d.code}` | {d.label} |" for d in config.delprojekt]
        out.append("")
        for listname in CODE_LISTS:
            codes = config.code_list(listname)
            if not codes:
                continue
            if listname == "utbildningsniva":
                out += [f"### {listname}", "", "| kod | etikett | ISCED |", "|---|---|---|"]
                out += [f"| `{c.code}` | {c.label} | {c.isced or '–'} |" for c in codes]
            else:
                out += [f"### {listname}", "", "| kod | etikett |", "|---|---|"]
                out += [f"| `{c.code}` | {c.label} |" for c in codes]
            out.append("")
        if config.groups:
            out += ["### grupper", ""]
            out += [f"- `{g}`: {', '.join(members)}" for g, members in config.groups.items()]
            out.append("")
        if config.esf:
            out += [f"### ESF ({config.esf.programme})", ""]
            out += [f"- status `{g}`: {', '.join(m)}" for g, m in config.esf.status.items()]
            for g, o in config.esf.efter.items():
                codes = [*(f"avslutsorsak {c}" for c in o.avslutsorsak)]
                codes += [f"sysselsättning {c}" for c in o.sysselsattning]
                out.append(f"- efter `{g}`: {', '.join(codes)}")
            out.append("")
    return "\n".join(out)


def esf_examples() -> str:
    """The [esf] section of each bundled configuration that has one, as written there."""
    from indikator.config import load_config
    from indikator.locations import bundled_configs

    out = [
        "# ESF-delen i de medföljande konfigurationerna",
        "",
        "<!-- genererad av docs/generera.py ur bundled/configs: ändra där, inte här -->",
        "",
        "Kopiera den del som gäller er programperiod till er egen konfiguration och byt koderna i",
        "`[esf.status]` och `[esf.efter]` mot era egna (rapporter.md förklarar varje nyckel). Listan",
        "`codes.utbildningsniva` med ISCED-band behövs för utbildningsnivåerna.",
        "",
    ]
    for name, path in bundled_configs().items():
        config = load_config(path)
        if config.esf is None:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        first = lines.index("[esf]")
        while first > 0 and lines[first - 1].startswith("#"):  # with the comment above it
            first -= 1
        section = "\n".join(lines[first:]).rstrip()
        out += [
            f"## {config.esf.programme}: {config.project.name} (`--config {name}`)",
            "",
            "```toml",
            section,
            "```",
            "",
        ]
    return "\n".join(out)


FILES = {
    "indikatorer.md": indicators,
    "exporter.md": exports,
    "problemkoder.md": problems,
    "kodlistor.md": code_lists,
    "esf-exempel.md": esf_examples,
}


def main() -> None:
    for name, make in FILES.items():
        (HERE / name).write_text(make(), encoding="utf-8")
        print(f"skrev docs/{name}", file=sys.stderr)


if __name__ == "__main__":
    main()
