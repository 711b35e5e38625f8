"""The HTML report: one self-contained file (no network, no scripts, no web fonts) with the
tables and, per target indicator, a chart of the cumulative result month by month against
the target line, for kvinnor, män and totalt. Charts are inline SVG drawn by matplotlib, with
text as paths so that no font is needed to show them."""

from __future__ import annotations

import functools
import html
import io

import numpy as np
import pandas as pd

from ..config import Config
from ..matrices import Matrix
from ..reports import Chart, FigureReport
from ..vocabulary import SCOPES, SUPPRESSED
from .layout import (
    KON_HEADER,
    SYMBOL,
    cells,
    codes_of,
    column_header,
    figure_columns,
    group_title,
    number,
    row_label,
)

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0 0 2em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
td.num { text-align: right; white-space: nowrap; }
th { background: #eef2f6; }
th[scope=row] { text-align: left; font-weight: normal; background: none; }
figure { display: inline-block; margin: 0 1em 2em 0; }
figcaption { font-weight: bold; }
.teckenforklaring { color: #555; font-size: 0.85em; }
table.matris caption { text-align: left; font-weight: bold; padding: 0.4em 0; }
table.matris { display: inline-table; margin-right: 2em; vertical-align: top; }
"""
COLORS = {"K": "#b2182b", "M": "#2166ac", "T": "#333333"}


def _table(block: pd.DataFrame, config: Config) -> str:
    block = block[~block["indikator"].str.endswith("_fore_efter")]  # shown as matrices
    text = dict(zip(block.index, cells(block, config.indicators), strict=True))
    rows: dict[tuple[str, str], dict] = {}
    for i, r in zip(block.index, block.itertuples(index=False), strict=True):
        rows.setdefault((r.indikator, r.dimension), {})[(r.omfang, r.kon)] = text[i]
    columns, codes = figure_columns(block), codes_of(block, config)
    head = "".join(f"<th>{column_header(s, k)}</th>" for s, k in columns)
    body = []
    for (ind, dim), values in rows.items():
        label = row_label(config, ind, dim)
        code = f"<td>{html.escape(codes.get(ind, ''))}</td>" if codes else ""
        tds = "".join(f'<td class="num">{html.escape(values.get(c, ""))}</td>' for c in columns)
        body.append(f'<tr>{code}<th scope="row">{html.escape(label)}</th>{tds}</tr>')
    first = "<th>Kod</th><th>Indikator</th>" if codes else "<th>Indikator</th>"
    return f"<table><thead><tr>{first}{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(v, signed: bool = False, decimals: int = 0) -> str:
    if v is None:
        return SYMBOL[SUPPRESSED]
    return ("+" if signed and v > 0 else "") + number(v, decimals)


def _matrix(m: Matrix, scope: str) -> str:
    """Before in rows, after in columns, sums; then the change per category."""
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in m.columns)
    body = [
        f'<tr><th scope="row">{esc(r)}</th>'
        + "".join(f'<td class="num">{_cell(v)}</td>' for v in cells)
        + f'<td class="num">{_cell(total)}</td></tr>'
        for r, cells, total in zip(m.rows, m.cells, m.row_sums, strict=True)
    ]
    body.append(
        '<tr><th scope="row">Summa</th>'
        + "".join(f'<td class="num">{_cell(v)}</td>' for v in m.column_sums)
        + f'<td class="num">{_cell(m.total)}</td></tr>'
    )
    change = "".join(
        f'<tr><th scope="row">{esc(c)}</th><td class="num">{_cell(d, True)}</td>'
        f'<td class="num">{_cell(p, True, 1)}</td></tr>'
        for c, d, p in m.changes
    )
    title = f"{m.title} · {'perioden' if scope == 'period' else 'ackumulerat'}"
    return (
        f'<table class="matris"><caption>{esc(title)}</caption><thead><tr><th>Före \\ efter</th>'
        f"{head}<th>Summa</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        '<table class="matris"><thead><tr><th>Kategori</th><th>Efter − före</th>'
        f"<th>Procentenheter</th></tr></thead><tbody>{change}</tbody></table>"
    )


def _chart(chart: Chart) -> str:
    s = chart.series
    return _svg(
        chart.label,
        chart.share,
        tuple(chart.goals.items()),
        tuple(s["period"].astype(str)),
        tuple(s["kon"].astype(str)),
        s["varde"].to_numpy(dtype=float, na_value=np.nan).tobytes(),
    )


@functools.lru_cache(maxsize=32)
def _svg(label: str, share: bool, goals: tuple, periods: tuple, kons: tuple, values: bytes) -> str:
    """One chart, drawn once per distinct content (a quarter of a second each: the batch's
    month and tertial reports that end in the same month show the same charts)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import TightLayoutEngine

    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["svg.hashsalt"] = "indikator"  # the same figures give the same file
    goals, kons, scale = dict(goals), np.array(kons), 100 if share else 1
    varde = np.frombuffer(values, dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=100)
    for kon in ("K", "M", "T"):
        y = varde[kons == kon] * scale
        ax.plot(
            range(len(y)),
            y,
            color=COLORS[kon],
            label=KON_HEADER[kon],
            marker="." if len(y) < 30 else None,
        )
        if kon in goals:
            ax.axhline(goals[kon] * scale, color=COLORS[kon], linestyle="--", linewidth=1)
    labels = list(dict.fromkeys(periods))
    step = max(1, len(labels) // 8)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("procent" if share else "antal")
    ax.set_title(f"{label} (ackumulerat, streckat = mål)", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    # the tight layout applied once, not set as the figure's layout engine: with an engine,
    # savefig draws the figure a second time first (the same SVG, a tenth slower)
    TightLayoutEngine().execute(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :].replace("<svg", '<svg class="diagram" role="img"', 1)


def figures(report: FigureReport) -> str:
    config, tidy, period = report.config, report.tidy, report.period
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv"><head><meta charset="utf-8">',
        f"<title>{html.escape(config.project.name)} – {period.label}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(config.project.name)}: indikatorer för {period.label}</h1>",
    ]
    if report.title:
        parts.append(f"<p><strong>{html.escape(report.title)}</strong></p>")
    if report.protection:
        parts.append(f'<p class="skydd">{html.escape(report.protection)}</p>')
    if report.charts:
        parts.append("<h2>Mål och utveckling (TOTALT)</h2>")
        for chart in report.charts:
            parts.append(
                f"<figure>{_chart(chart)}<figcaption>{html.escape(chart.label)}"
                "</figcaption></figure>"
            )
    for group, block in tidy.groupby("delprojekt", sort=False):
        parts.append(f"<h2>{html.escape(group_title(config, group))} · period {period.label}</h2>")
        parts.append(_table(block, config))
        for scope in SCOPES:
            for m in report.matrices.get((period.label, scope, group), []):
                parts.append(_matrix(m, scope))
    legend = " · ".join(
        f"{s} {t}"
        for s, t in zip(
            SYMBOL.values(),
            ("undertryckt (sekretess)", "saknar data", "ej tillämplig"),
            strict=True,
        )
    )
    if report.footer:
        parts.append(f'<p class="skydd">{html.escape(report.footer)}</p>')
    parts.append(
        f'<p class="teckenforklaring">Teckenförklaring: {html.escape(legend)}</p></body></html>'
    )
    return "\n".join(parts) + "\n"
