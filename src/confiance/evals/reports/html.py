"""The self-contained HTML report: one file, inline CSS and SVG, no script, no external asset.

Rendered with Jinja2 (autoescaped); charts are built in :mod:`.charts`. Per-case sections show
every failing case's answer and reasons, and, against a baseline, a word-level diff of the
baseline's and the candidate's answers for each case that regressed or was fixed.
"""

from __future__ import annotations

from importlib.resources import files

import jinja2
from markupsafe import Markup

from confiance.evals.reports.charts import rate_chart, word_diff
from confiance.evals.reports.jsonout import run_json
from confiance.evals.reports.view import ReportView

__all__ = ["html_report"]

_ENV = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: (files("confiance.evals.reports") / "templates" / name).read_text("utf-8")
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
MAX_OUTPUT_CHARS = 4000


def html_report(view: ReportView) -> str:
    """The report of ``view`` as one HTML document."""
    charts = {}
    if view.categories:
        title = "Attack success rate by category (95% CI)"
        charts["categories"] = Markup(rate_chart(view.categories, attack=True, title=title))  # noqa: S704 - built by rate_chart, which escapes every text
    if len(view.tags) > 1:
        title = "Pass rate by tag (95% CI)"
        charts["tags"] = Markup(rate_chart(view.tags, attack=False, title=title))  # noqa: S704 - built by rate_chart, which escapes every text
    diffs = [
        (case, word_diff(_clip(case.baseline.output), _clip(case.candidate.output)))
        for case in [*view.regressions, *view.fixes]
        if case.baseline is not None and case.candidate is not None
    ]
    template = _ENV.get_template("report.html.j2")
    return template.render(
        view=view, run=run_json(view.run), charts=charts, diffs=diffs, clip=_clip
    )


def _clip(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + " […]"
