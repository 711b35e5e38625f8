"""Small-count control (röjandekontroll), on the output only: the published figures are the
exact ones protected by the configuration's method (``published``), and every human output
says which (``describe``).

Two methods (``[protection] method``): the cell-key method (``cellkey``, the default), which
holds for everything published together (a batch, a series of monthly reports), and
suppression table by table (``suppress``), which does not: the batch refuses to publish with it
once the audit (``audit``) finds a suppressed count that other published figures give back.
"""

from __future__ import annotations

from ..errors import ProtectionError
from ..timings import stage
from ..vocabulary import TOTALT
from .suppress import MEAN_POPULATION, suppress

CELL_KEY, SUPPRESSION = "cellnyckel", "undertryckning"


def threshold(config, min_cell: int | None) -> int:
    """The small-count threshold: ``--min-cell``, else the configuration's (0 = exact)."""
    return config.project.min_cell if min_cell is None else min_cell


def rounding_base(config, min_cell: int | None) -> int:
    """The cell-key method's rounding base: ``[protection] base``, never below the threshold
    (so that no count 1 … threshold − 1 is published)."""
    b = threshold(config, min_cell)
    return max(config.protection.base or b, b) if b > 0 else 0


def needs_secret(config, min_cell: int | None) -> bool:
    """Whether the figures asked for are protected by the cell-key method."""
    return threshold(config, min_cell) > 0 and config.protection.method == CELL_KEY


def describe(config, min_cell: int | None) -> str:
    """The line every human output opens with: exact, or protected, and how."""
    b = threshold(config, min_cell)
    if b <= 0:
        return "Exakta siffror – ej för publicering (--min-cell 0)."
    if config.protection.method == SUPPRESSION:
        return (
            f"Skydd: antal 1–{b - 1} är undertryckta (..), tabell för tabell; det skyddar inte "
            "mot jämförelser mellan tabeller (t.ex. ackumulerat mot förra månaden)."
        )
    base = rounding_base(config, min_cell)
    return (
        f"Skydd: cellnyckelmetoden – varje antal är slumpvis avrundat till ett jämnt {base}-tal "
        "(lika för samma personer i alla tabeller och körningar), så inget antal 1–"
        f"{base - 1} visas."
    )


def footer(config, min_cell: int | None) -> str | None:
    """The note under the tables when published figures need not add up (cell key)."""
    if not needs_secret(config, min_cell):
        return None
    b = rounding_base(config, min_cell)
    return (
        f"Antalen är avrundade till jämna {b}-tal var för sig: kvinnor + män och delprojektens "
        "summa stämmer därför inte alltid med totalt, och andelar räknas på avrundade antal."
    )


def published(
    ds,
    periods,
    indicators=None,
    delprojekt=None,
    min_cell: int | None = None,
    audited: bool = False,
    threads: int = 1,
    small_beside: bool = False,
):
    with stage("protection"):
        how = {"threads": threads, "small_beside": small_beside}
        return _published(ds, periods, indicators, delprojekt, min_cell, audited, how)


def _published(ds, periods, indicators, delprojekt, min_cell, audited, how):
    """The figures as published: the exact figures (``indicators.exact_figures``) protected by
    the configuration's method with ``min_cell`` (default from the configuration; 0 = exact).
    Suppression needs the whole delprojekt × kön table, so it computes every delprojekt and
    selects afterwards; the cell key is decided cell by cell. ``audited``: the figures are
    published together (a batch), so the audit (``audit.py``) must find nothing
    recoverable in them, or nothing is published (``ProtectionError``). ``how``: the threads
    the families are computed in (``indicators.exact_figures``)."""
    from ..indicators import check_selection, exact_and_keyed, exact_figures

    b = threshold(ds.config, min_cell)
    if b <= 0:
        return exact_figures(ds, periods, indicators, delprojekt, **how)
    check_selection(ds.config, indicators, delprojekt)
    catalog = ds.config.indicators
    wanted = list(indicators) if indicators else list(catalog)
    extra = [
        MEAN_POPULATION[i]
        for i in wanted
        if i in MEAN_POPULATION and MEAN_POPULATION[i] not in wanted
    ]
    if ds.config.protection.method == SUPPRESSION:
        exact = exact_figures(ds, periods, wanted + extra, **how)
        tidy = suppress(exact, b, ds.config.delprojekt_codes, catalog)
        if audited:
            _refuse_recoverable(tidy, catalog, ds.config.project.start, b)
    else:
        from .cellkey import perturb

        if not ds.has_record_keys:
            where = ds.config.secret_file or "bredvid konfigurationen"
            raise ProtectionError(
                f"cellnyckelmetoden behöver projektets hemliga nyckel ({where}); den skapas av "
                "`indikator init`, eller första gången en rapport tas fram från kommandoraden"
            )
        exact, keyed = exact_and_keyed(ds, periods, wanted + extra, delprojekt, **how)
        base = rounding_base(ds.config, min_cell)
        tidy = perturb(exact, keyed, base, catalog)
        if audited:
            from .audit import cellkey_findings

            findings = cellkey_findings(tidy, exact, keyed, base, catalog)
            if findings:
                raise ProtectionError(f"cellnyckelmetoden: {'; '.join(findings)}; inget skrevs")
    keep = tidy["indikator"].isin(wanted)
    if delprojekt:
        keep &= tidy["delprojekt"].isin([*delprojekt, TOTALT])
    return tidy[keep].reset_index(drop=True)


def _refuse_recoverable(tidy, catalog, start, b: int) -> None:
    from .audit import recoverable

    found = recoverable(tidy, catalog, start, any_=True)
    if len(found):
        worst = found["indikator"].value_counts().head(3)
        which = ", ".join(f"{ind} ({n})" for ind, n in worst.items())
        raise ProtectionError(
            f"röjandekontrollen: minst {len(found)} undertryckta antal går att räkna fram "
            f"ur andra siffror som publiceras samtidigt (t.ex. ackumulerat minus förra månaden), "
            f"flest i {which}; inget skrevs. Undertryckning tabell för tabell räcker inte för "
            'en hel körning: välj [protection] method = "cellnyckel" (docs/skydd.md)'
        )


__all__ = [
    "CELL_KEY",
    "SUPPRESSION",
    "describe",
    "footer",
    "needs_secret",
    "published",
    "rounding_base",
    "threshold",
]
