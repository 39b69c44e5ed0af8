"""Function summaries and flow events: what the data-flow engine learns and reports.

A :class:`Summary` says, for one function of the module, which parameters reach which sinks
(:class:`ParamSink`) and what its return value carries (taints of its own sources and symbolic
``PARAM`` taints for parameters that flow to the return). Call sites apply the summary to their
arguments, so flows across functions are found without re-analysing the callee.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from confiance.codescan.python.sinks import Sink
from confiance.codescan.python.taint import (
    CLEAN,
    Mark,
    SinkKind,
    SourceKind,
    Taint,
    Value,
    trim_steps,
)

__all__ = ["Flow", "ParamSink", "Summary", "continued", "symbolic"]


@dataclass(frozen=True, slots=True)
class Flow:
    """Tainted data reaching a sink: the event taint rules turn into findings."""

    sink: Sink
    line: int
    column: int
    taint: Taint


@dataclass(frozen=True, slots=True)
class ParamSink:
    """Parameter ``param`` reaches ``sink`` at ``line`` unless sanitized for it on the way."""

    param: int
    sink: Sink
    line: int
    column: int
    steps: tuple[str, ...]
    cleared: frozenset[SinkKind]
    marks: frozenset[Mark]


@dataclass(slots=True)
class Summary:
    returns: Value = CLEAN
    param_sinks: list[ParamSink] = field(default_factory=list)


def continued(
    arg: Taint,
    call_step: str,
    steps: tuple[str, ...],
    cleared: frozenset[SinkKind],
    marks: frozenset[Mark],
) -> Taint:
    """The caller's taint continued through a callee's steps (the callee's symbolic parameter
    step is replaced by the call step)."""
    return replace(
        arg,
        steps=trim_steps((*arg.steps, call_step, *steps[1:])),
        cleared=arg.cleared | cleared,
        marks=arg.marks | marks,
    )


def symbolic(param: int, name: str, function: str, line: int) -> Taint:
    """The stand-in taint for parameter ``param`` while summarising ``function``."""
    return Taint(
        kind=SourceKind.PARAM,
        label=f"parameter {name!r} of {function}()",
        line=line,
        steps=(f"line {line}: parameter {name!r} of {function}()",),
        param=param,
    )
