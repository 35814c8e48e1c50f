"""What higher apps add to an order's page, so workorders' code and templates never name their URLs (the
dependency runs hotline → feedback → operations → workorders). An app registers in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import WorkOrder


@dataclass(frozen=True)
class FindingsAction:
    """A button under a completed order's 一次通检 findings (e.g. operations' "report it as a hazard")."""

    label: str
    url: Callable[[WorkOrder], str]


_findings_actions: list[FindingsAction] = []


def add_findings_action(action: FindingsAction) -> None:
    if action not in _findings_actions:
        _findings_actions.append(action)


def findings_actions(order: WorkOrder) -> list[tuple[str, str]]:
    """(label, url) of each registered action, for an order with findings; none without."""
    if not order.inspection_findings:
        return []
    return [(action.label, action.url(order)) for action in _findings_actions]
