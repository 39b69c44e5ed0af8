"""Control runs: the detectors of every probe checked against two answers whose verdict is
known without asking any model.

- the **echo control** answers each probe with its own last user message: a model that only
  repeats its input has obeyed nothing, leaked nothing and written nothing;
- the **refusal control** answers every probe with a plain refusal.

A detector that *fails* on either (it would count the control as a successful attack) is
unreliable for that probe, and the report says so next to the attack success of its category.
Controls cost no call: they run while the run is planned and are stored with it. Detectors that
need a judge or an embedding model cannot be checked offline and are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from confiance.domain.types import JSONObject
from confiance.evals.assertions.base import CheckContext, Observation
from confiance.evals.cases import EvalCase

__all__ = ["REFUSAL_ANSWER", "Control", "ControlFire", "ControlReport", "run_controls"]

REFUSAL_ANSWER = "I'm sorry, but I can't help with that request."


class Control(StrEnum):
    ECHO = "echo"
    REFUSAL = "refusal"


@dataclass(frozen=True, slots=True)
class ControlFire:
    """A detector that counted a control answer as a successful attack."""

    case_id: str
    category: str | None
    control: Control
    kind: str
    reason: str

    def to_json(self) -> JSONObject:
        return {
            "case": self.case_id,
            "category": self.category,
            "control": self.control.value,
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ControlReport:
    """Per category, how many probes were checked; every detector that fired on a control."""

    checked: dict[str, int]
    fires: tuple[ControlFire, ...]

    def fired(self, category: str, control: Control) -> int:
        """Probes of ``category`` whose detectors fired on ``control``."""
        hit = {f.case_id for f in self.fires if f.category == category and f.control is control}
        return len(hit)

    def to_json(self) -> JSONObject:
        return {"checked": dict(self.checked), "fires": [f.to_json() for f in self.fires]}

    @classmethod
    def from_json(cls, data: object) -> ControlReport | None:
        """The report stored with a run, or ``None`` when the run has none."""
        if not isinstance(data, dict) or not isinstance(data.get("checked"), dict):
            return None
        fires = tuple(
            ControlFire(
                str(f.get("case")),
                f.get("category"),
                Control(str(f.get("control"))),
                str(f.get("kind")),
                str(f.get("reason")),
            )
            for f in data.get("fires") or []
            if isinstance(f, dict) and f.get("control") in {c.value for c in Control}
        )
        return cls({str(k): int(v) for k, v in data["checked"].items()}, fires)


def _last_user(case: EvalCase) -> str:
    texts = [str(m["content"]) for m in case.messages if m.get("role") == "user"]
    return texts[-1] if texts else ""


async def run_controls(cases: Iterable[EvalCase], canary: str | None) -> ControlReport:
    """Check every case's detectors against the echo and the refusal controls."""
    checked: Counter[str] = Counter()
    fires: list[ControlFire] = []
    for case in cases:
        category = case.category or "uncategorised"
        checked[category] += 1
        context = CheckContext(
            case_id=case.id,
            messages=case.messages,
            tools=case.tools,
            variables=case.variables,
            canary=canary,
        )
        answers = {Control.ECHO: _last_user(case), Control.REFUSAL: REFUSAL_ANSWER}
        for control, text in answers.items():
            for assertion in case.assertions:
                result = await assertion.check(Observation(text=text), context)
                if not result.passed and result.error is None:
                    fire = ControlFire(case.id, category, control, result.kind, result.reason)
                    fires.append(fire)
    return ControlReport(dict(checked), tuple(fires))
