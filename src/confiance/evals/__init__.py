"""Evaluations and security regression tests (service layer).

Suites (YAML, :mod:`.suite`, :mod:`.loader`) hold cases and assertions (:mod:`.assertions`, a
registry plugins extend); probe packs (:mod:`.packs`) are versioned suites of attacks with
detectors. :class:`EvalService` runs them against a route or model (:mod:`.runner`), stores the
runs, compares them with a baseline and gates them (:mod:`.compare`, :mod:`.gate`); reports come
as tables, JSON, JUnit XML and HTML (:mod:`.reports`). Routes may declare suites that run on
config changes and on a schedule (:mod:`.regression`).
"""

from confiance.evals.assertions import AssertionParams, AssertionRegistry
from confiance.evals.compare import RunComparison, compare_runs
from confiance.evals.gate import GateDecision, evaluate_gate
from confiance.evals.loader import LoadedSuite, load_suite
from confiance.evals.packs import list_packs, load_pack
from confiance.evals.regression import (
    RegressionOutcome,
    run_regressions_for_change,
    run_scheduled_regressions,
)
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions, RunPlan, RunReport
from confiance.evals.sources import FileSource, PackSource
from confiance.evals.targets import TargetSpec

__all__ = [
    "LAST_PASSING",
    "AssertionParams",
    "AssertionRegistry",
    "EvalService",
    "FileSource",
    "GateDecision",
    "LoadedSuite",
    "PackSource",
    "RegressionOutcome",
    "RunComparison",
    "RunOptions",
    "RunPlan",
    "RunReport",
    "TargetSpec",
    "compare_runs",
    "evaluate_gate",
    "list_packs",
    "load_pack",
    "load_suite",
    "run_regressions_for_change",
    "run_scheduled_regressions",
]
