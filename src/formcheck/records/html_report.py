"""The physiotherapist's HTML report (``formcheck report``): adherence by day, each exercise's
repetitions or holds against its target by day, faults, pain stops, every set with links to its
files, and the most recent sets repetition by repetition.

The page is a Jinja2 template (``templates/report.html.j2``, autoescaping on: a patient's note
or an edited exercise name is text, never markup) filled in from ``report_model.page``. It is
self-contained: inline styles and SVG charts, stills as data: URIs, no scripts, no web fonts,
so it opens in any browser without a network and can be e-mailed or printed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2

from formcheck.records.report_model import page
from formcheck.records.report_texts import Words

DETAIL_DAYS = 1  # the sets of the last day trained are shown repetition by repetition


def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("formcheck.records", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False)
    return env.get_template("report.html.j2")


def render_html(sets: list[dict[str, Any]], *, since: str | None = None, source: str = "", lang: str = "en",
                patient: str | None = None, detail_days: int = DETAIL_DAYS) -> str:
    """The report for these history rows (oldest first) in ``lang`` ("da" or "en"), headed with
    ``patient`` when given; the sets of the last ``detail_days`` days trained in detail."""
    w = Words(lang)
    context: dict[str, Any] = {"w": w, "patient": patient, "since": since, "source": source,
                               "generated": f"{datetime.now().astimezone():%Y-%m-%d %H:%M}", "n_sets": 0}
    if sets:
        context.update(page(sets, lang=w.lang, since=since, detail_days=detail_days))
    return _template().render(context)
