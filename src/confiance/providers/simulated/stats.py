"""What a running simulator has seen: requests per model name, statuses, endpoints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping

__all__ = ["SimulatorStats"]


class SimulatorStats(Mapping[str, int]):
    """Request counters, readable as a mapping ``model name -> requests received``.

    ``stats["gpt-4o+fail-first-2"]`` is how many requests named that model (0 when none), which
    is what retry tests assert. A request is counted once its body parsed and named a model,
    before any latency or fault, so a request that then fails or hangs still counts. ``total``
    counts every request that passed authentication, parsed or not.
    """

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.endpoints: Counter[str] = Counter()
        self.total = 0

    def record_request(self, endpoint: str) -> None:
        self.total += 1
        self.endpoints[endpoint] += 1

    def record_model(self, model: str) -> int:
        """Count one request for ``model``; return its 1-based number for that model."""
        self.requests[model] += 1
        return self.requests[model]

    def record_status(self, status: int) -> None:
        self.statuses[status] += 1

    def reset(self) -> None:
        """Forget everything: ``fail_first`` and ``flaky`` counting start over too."""
        self.requests.clear()
        self.statuses.clear()
        self.endpoints.clear()
        self.total = 0

    def __getitem__(self, model: str) -> int:
        return self.requests[model]

    def __contains__(self, model: object) -> bool:
        return model in self.requests

    def __iter__(self) -> Iterator[str]:
        return iter(self.requests)

    def __len__(self) -> int:
        return len(self.requests)

    def __repr__(self) -> str:
        return f"SimulatorStats(total={self.total}, requests={dict(self.requests)})"
