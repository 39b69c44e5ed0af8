"""Run reports: terminal tables, JSON, JUnit XML and a self-contained HTML page."""

from confiance.evals.reports.html import html_report
from confiance.evals.reports.jsonout import comparison_json, report_json, run_json
from confiance.evals.reports.junit import junit_xml
from confiance.evals.reports.terminal import comparison_tables, print_report
from confiance.evals.reports.view import GroupRow, ReportView, build_view

__all__ = [
    "GroupRow",
    "ReportView",
    "build_view",
    "comparison_json",
    "comparison_tables",
    "html_report",
    "junit_xml",
    "print_report",
    "report_json",
    "run_json",
]
