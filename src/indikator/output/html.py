"""The HTML report: one self-contained file (no network, no scripts, no web fonts) with the
tables and, per target indicator, a chart of the cumulative result month by month against
the target line, for kvinnor, män and totalt. Charts are inline SVG drawn by matplotlib, with
text as paths so that no font is needed to show them."""

from __future__ import annotations

import html
import io

import pandas as pd

from ..config import Config
from ..reports import Chart, FigureReport
from .layout import COLUMNS, HEADERS, KON_HEADER, SYMBOL, cells, group_title, row_label

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
"""
COLORS = {"K": "#b2182b", "M": "#2166ac", "T": "#333333"}


def _table(block: pd.DataFrame, config: Config) -> str:
    text = dict(zip(block.index, cells(block, config.indicators), strict=True))
    rows: dict[tuple[str, str], dict] = {}
    for i, r in zip(block.index, block.itertuples(index=False), strict=True):
        rows.setdefault((r.indikator, r.dimension), {})[(r.omfang, r.kon)] = text[i]
    head = "".join(f"<th>{h}</th>" for h in HEADERS)
    body = []
    for (ind, dim), values in rows.items():
        label = row_label(config, ind, dim)
        tds = "".join(f'<td class="num">{html.escape(values.get(c, ""))}</td>' for c in COLUMNS)
        body.append(f'<tr><th scope="row">{html.escape(label)}</th>{tds}</tr>')
    return f"<table><thead><tr><th>Indikator</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _chart(chart: Chart) -> str:
    series, goals = chart.series, chart.goals
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["svg.hashsalt"] = "indikator"  # the same figures give the same file
    share = chart.share
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=100)
    for kon in ("K", "M", "T"):
        s = series[series["kon"] == kon]
        y = s["varde"] * (100 if share else 1)
        ax.plot(
            range(len(s)),
            y.to_numpy(),
            color=COLORS[kon],
            label=KON_HEADER[kon],
            marker="." if len(s) < 30 else None,
        )
        if kon in goals:
            ax.axhline(
                goals[kon] * (100 if share else 1), color=COLORS[kon], linestyle="--", linewidth=1
            )
    labels = list(dict.fromkeys(series["period"]))
    step = max(1, len(labels) // 8)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("procent" if share else "antal")
    ax.set_title(f"{chart.label} (ackumulerat, streckat = mål)", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
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
    legend = " · ".join(
        f"{s} {t}"
        for s, t in zip(
            SYMBOL.values(),
            ("undertryckt (sekretess)", "saknar data", "ej tillämplig"),
            strict=True,
        )
    )
    parts.append(
        f'<p class="teckenforklaring">Teckenförklaring: {html.escape(legend)}</p></body></html>'
    )
    return "\n".join(parts) + "\n"
