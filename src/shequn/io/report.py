"""Reports of a run: tables as CSV and Parquet, a self-contained HTML page and a Markdown summary.

A :class:`Report` is plain content (a title, facts, paragraphs, tables of strings, PNG figures
and the files to embed), built by the command line from a result; :func:`write_report` writes
it out. The HTML page carries its figures inline (base64 PNG) and the embedded files verbatim,
so it can be mailed or archived on its own; the Markdown summary links the figure files.
Nothing here computes: numbers arrive already written by :func:`shequn._results.format_value`.

Examples
--------
>>> import tempfile, pathlib
>>> from shequn.io.report import Report, ReportTable, write_report
>>> r = Report(title="Demo", facts={"rng": "7"}, paragraphs=("Two arms.",),
...            tables=(ReportTable(title="Means", columns=("arm", "retention"),
...                                rows=(("a", "0.7"), ("b", "0.6"))),))
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> sorted(p.name for p in write_report(r, out, formats=("html", "markdown")))
['report.html', 'summary.md']
>>> "<td>0.7</td>" in (out / "report.html").read_text()
True
"""

from __future__ import annotations

import base64
import csv
import html
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from shequn._optional import optional_import
from shequn._validation import check_path, fail
from shequn.io.files import write_atomic

__all__ = [
    "Figure",
    "Report",
    "ReportTable",
    "write_csv",
    "write_parquet",
    "write_report",
]


def _strs(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _rows(rows: Iterable[Iterable[Any]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_strs(r) for r in rows)


def _figures(figures: Iterable[Figure]) -> tuple[Figure, ...]:
    return tuple(figures)


def _tables(tables: Iterable[ReportTable]) -> tuple[ReportTable, ...]:
    return tuple(tables)


def _text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise fail(type(instance).__name__, attribute.name, "be a string", value)


def _path(value: Any, owner: str, field: str) -> Path:
    return Path(check_path(value, owner=owner, field=field))


@attrs.frozen(kw_only=True)
class ReportTable:
    """A table of already formatted cells.

    Attributes
    ----------
    title
        Heading above the table.
    columns
        Column names.
    rows
        One tuple of strings per row.
    note
        A sentence under the table (what it shows).

    Examples
    --------
    >>> ReportTable(title="t", columns=["a"], rows=[[1.5]]).rows
    (('1.5',),)
    """

    title: str = attrs.field(validator=_text)
    columns: tuple[str, ...] = attrs.field(converter=_strs)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows)
    note: str = ""


@attrs.frozen(kw_only=True)
class Figure:
    """A PNG figure with its caption and file name.

    Examples
    --------
    >>> Figure(name="a.png", caption="members per week", png=b"...").name
    'a.png'
    """

    name: str
    caption: str
    png: bytes = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class Report:
    """Everything a report shows (see the module docstring).

    Attributes
    ----------
    title
        The page title.
    facts
        Label → value lines at the top (version, seed, how to rerun).
    paragraphs
        Text after the facts.
    tables
        :class:`ReportTable` values.
    figures
        :class:`Figure` values.
    embedded
        File name → text, shown verbatim at the end (the scenario file).

    Examples
    --------
    >>> Report(title="Run", facts={"rng": "7"}).tables
    ()
    """

    title: str = attrs.field(validator=_text)
    facts: dict[str, str] = attrs.field(factory=dict)
    paragraphs: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    tables: tuple[ReportTable, ...] = attrs.field(default=(), converter=_tables)
    figures: tuple[Figure, ...] = attrs.field(default=(), converter=_figures)
    embedded: dict[str, str] = attrs.field(factory=dict)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
    "padding:.25em .6em}td{text-align:right;font-variant-numeric:tabular-nums}"
    "th{background:#f4f4f4}tbody th{text-align:left;font-weight:normal}img{max-width:100%}"
    "pre{background:#f7f7f7;padding:1em;"
    "overflow-x:auto}dt{font-weight:bold;float:left;clear:left;width:10em}dd{margin-left:11em}"
)


def _html(report: Report) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
    ]
    if report.facts:
        parts.append(
            "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in report.facts.items())
        )
        parts.append("</dl>")
    parts += [f"<p>{e(p)}</p>" for p in report.paragraphs]
    for t in report.tables:
        parts.append(f"<h2>{e(t.title)}</h2>")
        if t.note:
            parts.append(f"<p>{e(t.note)}</p>")
        head = "".join(f"<th>{e(c)}</th>" for c in t.columns)
        body = "".join(
            "<tr>"
            + "".join(
                (f"<th>{e(c)}</th>" if i == 0 else f"<td>{e(c)}</td>") for i, c in enumerate(r)
            )
            + "</tr>"
            for r in t.rows
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    for f in report.figures:
        data = base64.b64encode(f.png).decode("ascii")
        parts.append(
            f'<figure><img alt="{e(f.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{e(f.caption)}</figcaption></figure>"
        )
    for name, text in report.embedded.items():
        parts.append(f"<h2>{e(name)}</h2><pre>{e(text)}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _md_cell(c: str) -> str:
    return c.replace("|", "\\|").replace("\n", " ")


def _markdown(report: Report, figure_dir: str) -> str:
    lines = [f"# {report.title}", ""]
    lines += [f"- **{k}**: {v}" for k, v in report.facts.items()]
    if report.facts:
        lines.append("")
    for p in report.paragraphs:
        lines += [p, ""]
    for t in report.tables:
        lines += [f"## {t.title}", ""]
        if t.note:
            lines += [t.note, ""]
        lines.append("| " + " | ".join(_md_cell(c) for c in t.columns) + " |")
        lines.append(
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(t.columns))) + "|"
        )
        lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in t.rows]
        lines.append("")
    for f in report.figures:
        lines += [f"![{f.caption}]({figure_dir}/{f.name})", ""]
    for name, text in report.embedded.items():
        fence = "````" if "```" in text else "```"
        lang = "toml" if name.endswith(".toml") else ""
        lines += [f"## {name}", "", f"{fence}{lang}", text.rstrip("\n"), fence, ""]
    return "\n".join(lines)


def write_csv(
    path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Path:
    """Write rows under a header as CSV, atomically; returns the path.

    Floats are written with ``repr`` (they read back exactly); infinities as ``inf``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_csv(pathlib.Path(tempfile.mkdtemp()) / "t.csv", ["a", "b"], [[1, 0.1]])
    >>> p.read_text().splitlines()
    ['a,b', '1,0.1']
    """
    target = _path(path, "write_csv", "path")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(columns))
    for r in rows:
        w.writerow([repr(x) if isinstance(x, float) else x for x in r])
    write_atomic(target, buf.getvalue().encode("utf-8"))
    return target


def write_parquet(
    path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Path:
    """Write rows under a header as one Parquet file, atomically (needs pyarrow).

    Examples
    --------
    >>> pq = __import__("pytest").importorskip("pyarrow.parquet")
    >>> import tempfile, pathlib
    >>> p = write_parquet(pathlib.Path(tempfile.mkdtemp()) / "t.parquet", ["a"], [[1], [2]])
    >>> pq.read_table(p).column("a").to_pylist()
    [1, 2]
    """
    target = _path(path, "write_parquet", "path")
    pa = optional_import("pyarrow", extra="parquet")
    pq = optional_import("pyarrow.parquet", extra="parquet")
    cols = list(columns)
    data: dict[str, list[Any]] = {c: [] for c in cols}
    for r in rows:
        if len(r) != len(cols):
            raise fail("write_parquet", "rows", f"have {len(cols)} values each", len(r))
        for c, v in zip(cols, r, strict=True):
            data[c].append(v)
    sink = io.BytesIO()
    pq.write_table(pa.table(data), sink)
    write_atomic(target, sink.getvalue())
    return target


def write_report(
    report: Report,
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("html", "markdown"),
    figure_dir: str = "figures",
) -> list[Path]:
    """Write the figures (PNG), ``report.html`` and ``summary.md`` into ``out_dir``.

    Parameters
    ----------
    report
        What to write.
    out_dir
        Folder (created if needed).
    formats
        ``"html"`` and/or ``"markdown"``; figures are written as PNG files when there are
        any, whatever the formats.
    figure_dir
        Sub-folder of the PNG files.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> r = Report(title="Run", figures=[Figure(name="f.png", caption="c", png=b"png")])
    >>> [p.name for p in write_report(r, tempfile.mkdtemp(), formats=["markdown"])]
    ['f.png', 'summary.md']
    """
    if not isinstance(report, Report):
        raise fail("write_report", "report", "be a Report", type(report).__name__)
    for f in formats:
        if f not in ("html", "markdown"):
            raise fail("write_report", "formats", "hold 'html' or 'markdown'", f)
    out = _path(out_dir, "write_report", "out_dir")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if report.figures:
        (out / figure_dir).mkdir(exist_ok=True)
        for fig in report.figures:
            path = out / figure_dir / fig.name
            write_atomic(path, fig.png)
            written.append(path)
    if "html" in formats:
        path = out / "report.html"
        write_atomic(path, _html(report).encode("utf-8"))
        written.append(path)
    if "markdown" in formats:
        path = out / "summary.md"
        write_atomic(path, _markdown(report, figure_dir).encode("utf-8"))
        written.append(path)
    return written
