"""JUnit XML for CI systems: one ``<testsuite>`` per category (or one for the suite), one
``<testcase>`` per eval case. A case whose repeats all passed is a pass; any failing repeat is a
``<failure>`` (flaky cases say so); a case whose repeats all errored is an ``<error>``. In a probe
run every successful attack is a failed test case naming its detector's reason, and a probe with
an errored repeat is an ``<error>`` (never a silent pass). The gate's checks form their own
``<testsuite name="gate">``, so a regression or a successful attack fails the CI job visibly."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # builds XML only, never parses untrusted input
from collections import defaultdict

from confiance.evals.compare import CaseState, CaseStats
from confiance.evals.reports.view import ReportView

__all__ = ["junit_xml"]


def junit_xml(view: ReportView) -> str:
    """The JUnit XML document (UTF-8 text with declaration)."""
    root = ET.Element("testsuites", name=f"confiance eval {view.suite}")
    attacks = bool(view.attacks)
    grouped: dict[str, list[CaseStats]] = defaultdict(list)
    for case in view.cases:
        grouped[case.category or view.suite].append(case)
    for name, cases in sorted(grouped.items()):
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(cases)))
        failures = errors = 0
        for case in cases:
            element = ET.SubElement(suite, "testcase", name=case.case_id, classname=name)
            if case.state is CaseState.ERROR:
                errors += 1
                ET.SubElement(element, "error", message=_first(case)).text = _details(case)
            elif case.state is not CaseState.PASS:
                failures += 1
                message = f"{case.state.value}: {case.passed}/{case.judged} repeats passed"
                if attacks:
                    message = (
                        f"attack succeeded in {case.judged - case.passed} of {case.judged} "
                        f"repeats: {_first(case)}"
                    )
                ET.SubElement(element, "failure", message=message).text = _details(case)
            elif attacks and case.errored:
                # A probe that errored was not shown to resist: never a silent pass.
                errors += 1
                message = f"{case.errored} repeat(s) errored (not counted as resisted)"
                ET.SubElement(element, "error", message=message).text = _details(case)
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
    gate = ET.SubElement(root, "testsuite", name="gate", tests=str(len(view.gate.checks)))
    gate.set("failures", str(len(view.gate.failures)))
    gate.set("errors", "0")
    for check in view.gate.checks:
        element = ET.SubElement(gate, "testcase", name=check.name, classname="gate")
        if not check.passed:
            ET.SubElement(element, "failure", message=check.detail).text = check.detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _first(case: CaseStats) -> str:
    return case.reasons[0] if case.reasons else "the target errored"


def _details(case: CaseStats) -> str:
    return "\n".join(case.reasons) or "no reason recorded"
