"""Problems in the input: one stable code per kind, collected column-wise so millions of them
stay cheap.

Every problem carries its code (``KINDS``: level and a short Swedish title), file, line (1 =
header; for xlsx the sheet row; empty for a whole file), column, the offending value, a short
Swedish message, and for a consequence the row that caused it (``orsak``). Every text is
masked when it is added: file names, headers and values can all hold a personnummer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .masking import mask

ERROR = "fel"
WARNING = "varning"
COLUMNS = ["fil", "rad", "kolumn", "varde", "meddelande", "niva", "kod", "orsak"]


@dataclass(frozen=True)
class Kind:
    level: str
    title: str  # what the summary says of a group of such problems


def _kinds(level: str, **titles: str) -> dict[str, Kind]:
    return {code: Kind(level, title) for code, title in titles.items()}


KINDS: dict[str, Kind] = {
    # row errors: the row is rejected
    **_kinds(
        ERROR,
        saknat_varde="obligatoriskt värde saknas",
        ogiltigt_datum="ogiltigt datum",
        ogiltigt_tal="ogiltigt tal",
        ogiltigt_janej="ogiltigt ja/nej-värde",
        ogiltigt_kon="ogiltigt kön",
        okand_kod="okänd kod",
        id_saknas="deltagare_id saknas",
        id_blanksteg="blanksteg eller osynliga tecken i deltagare_id",
        id_for_langt="för långt deltagare_id",
        id_tal="personnummer som blivit tal i Excel",
        id_nollor="personnummer som tappat inledande nollor i Excel",
        id_form="personnummer med fel antal siffror eller fel form",
        omojligt_datum_id="personnummer med omöjligt datum",
        fel_kontrollsiffra="personnummer med fel kontrollsiffra",
        for_manga_falt="fler fält än rubrikraden",
        citattecken="citattecken som aldrig stängs",
        slut_fore_start="slutdatum före startdatum",
        avslutsorsak_utan_slut="avslutsorsak utan slutdatum",
        slut_utan_avslutsorsak="slutdatum utan avslutsorsak",
        dubblett="dubblett",
        overlapp="överlappande inskrivningar i samma delprojekt",
        utanfor_inskrivningar="aktivitet utanför deltagarens inskrivningar",
        utanfor_delprojekt="aktivitet utanför inskrivningen i angivet delprojekt",
        flera_inskrivningar="flera inskrivningar täcker datumet",
        saknar_inskrivning="deltagare utan inskrivning i deltagare",
        ingen_avslutad_inskrivning="uppföljning av deltagare utan avslutad inskrivning",
        inget_slutdatum="uppföljning av ett slutdatum som ingen inskrivning har",
        utanfor_skala="värde utanför frågans skala",
        olika_aktivitetsuppgifter="rader av samma aktivitet som inte stämmer överens",
        foljdfel="rader som hör till en avvisad inskrivning",
    ),
    # warnings: nothing is rejected
    **_kinds(
        WARNING,
        summeringsrad="summeringsrad hoppas över",
        inga_datarader="filen har inga datarader",
        rubrikrad="rubrikraden är inte första raden",
        okand_kolumn="kolumn som inte känns igen",
        okand_fil="fil som inte läses",
        exakt_dubblett="exakt kopia av en tidigare rad",
        kon_motsager_personnummer="kön som motsäger personnumret",
        kon_saknas="kön saknas",
        arbetslos_sedan_efter_start="arbetslös sedan efter startdatum",
        samtidig_inskrivning="inskriven i två delprojekt samtidigt",
        framtida_datum="datum i framtiden",
        referensdatum="datum som avgör århundradet för tiosiffriga personnummer",
        helhet_alder="ålder vid start utanför 16–66 år",
        helhet_massavslut="många inskrivningar som slutar samma dag",
        helhet_sena_svar="svar långt efter deltagarens sista inskrivning",
        helhet_tom_manad="månad utan nya inskrivningar mitt i ett delprojekt",
    ),
}


@dataclass
class FileCount:
    """Rows read = accepted + rejected, per file; ``duplicates`` of the accepted rows are
    exact copies of an earlier row (they count, and are warned about)."""

    export: str
    file: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0


def _masked(values, n: int) -> np.ndarray:
    """Each value masked (missing: ""), every distinct value once."""
    vals = np.broadcast_to(np.asarray(values, dtype=object), (n,))
    codes, uniques = pd.factorize(vals, use_na_sentinel=True)
    masked = [mask(v) for v in np.asarray(uniques, dtype=object).tolist()]
    return np.array([*masked, ""], dtype=object)[codes]


@dataclass
class Problems:
    chunks: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        code: str,
        file: str,
        lines,
        column: str | None,
        values,
        message,
        cause=None,
    ) -> None:
        """Add one problem per line; ``values``, ``message`` and ``cause`` may be scalars or
        arrays. A line of 0 is the whole file."""
        lines = np.atleast_1d(np.asarray(lines, dtype="int64"))
        if len(lines) == 0:
            return
        n = len(lines)
        self.chunks.append(
            pd.DataFrame(
                {
                    "fil": mask(file),
                    "rad": lines,
                    "kolumn": mask(column or ""),
                    "varde": _masked(values, n),
                    "meddelande": np.broadcast_to(np.asarray(message, dtype=object), (n,)),
                    "niva": KINDS[code].level,
                    "kod": code,
                    "orsak": _masked("" if cause is None else cause, n),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.chunks:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
        df = pd.concat(self.chunks, ignore_index=True)
        df["meddelande"] = df["meddelande"].map(mask)
        return df.sort_values(["fil", "rad", "kolumn"], kind="stable").reset_index(drop=True)

    def rejected_lines(self, file: str) -> np.ndarray:
        name = mask(file)
        lines = [
            c["rad"].to_numpy()
            for c in self.chunks
            if len(c) and c["niva"].iat[0] == ERROR and c["fil"].iat[0] == name
        ]
        return np.unique(np.concatenate(lines)) if lines else np.array([], dtype="int64")

    def messages(self, file: str) -> dict[int, str]:
        """The first error message of each rejected line of ``file`` (for consequences)."""
        out: dict[int, str] = {}
        name = mask(file)
        for c in self.chunks:
            if len(c) and c["niva"].iat[0] == ERROR and c["fil"].iat[0] == name:
                for line, message in zip(c["rad"].tolist(), c["meddelande"].tolist(), strict=True):
                    out.setdefault(line, mask(message))
        return out


def format_problem(row) -> str:
    where = f"{row.fil}:{row.rad}" if row.rad else row.fil
    col = f", kolumn {row.kolumn}" if row.kolumn else ""
    val = f", värde '{row.varde}'" if row.varde else ""
    return f"{row.niva}: {where}{col}{val}: {row.meddelande}"
