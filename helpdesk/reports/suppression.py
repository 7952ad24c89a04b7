"""Small-count suppression for reports that leave the organisation.

Every count below the threshold (5) is shown as "<5" (primary suppression). Published totals are sums of
published cells, so a reader could subtract: the report declares each sum as a ``Line`` (total = sum of
cells) and ``suppress`` hides more cells (secondary suppression, shown as "x") until no hidden small
count can be worked out.

The reader is modelled as an attacker who knows every line, that a "<5" cell is between 0 and 4 and that
an "x" cell is 5 or more (otherwise it would read "<5"). We propagate these bounds through every line
until nothing tightens; a small cell whose lower and upper bounds meet is disclosed, and one more cell of
one of its lines is hidden (the smallest visible one, else the line's total). Hiding only ever widens
bounds, so the loop ends.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

THRESHOLD = 5
PRIMARY = "primary"
SECONDARY = "secondary"

Key = Hashable


@dataclass(frozen=True)
class Line:
    """A published sum: ``values[total] == sum(values[c] for c in cells)``."""

    total: Key
    cells: tuple[Key, ...]


def _printed(values: dict[Key, int], lines: Iterable[Line]) -> list[Line]:
    """The lines a reader can use. A sum of no printed cell is no row of any table: a category that did not
    occur is simply absent from a table, and that its count is 0 is not a disclosure."""
    return [line for line in lines if line.total in values and line.cells]


def _bounds(values: dict[Key, int], hidden: dict[Key, str], threshold: int, big: int) -> dict[Key, list[int]]:
    bounds = {}
    for key, value in values.items():
        state = hidden.get(key)
        if state is None:
            bounds[key] = [value, value]
        elif state == PRIMARY:
            bounds[key] = [0, threshold - 1]
        else:
            bounds[key] = [threshold, big]
    return bounds


def reader_bounds(
    values: dict[Key, int], lines: Iterable[Line], hidden: dict[Key, str], threshold: int = THRESHOLD
) -> dict[Key, tuple[int, int]]:
    """What a reader can deduce about every cell from the published ones and the lines (interval
    propagation): ``{key: (lowest, highest)}``. A worklist: a line is looked at again only when a bound
    of one of its keys moved, so large families of reports stay fast."""
    lines = list(lines)
    big = sum(values.values()) + threshold
    bounds = _bounds(values, hidden, threshold, big)
    by_key: dict[Key, list[int]] = {}
    for i, line in enumerate(lines):
        for key in (line.total, *line.cells):
            by_key.setdefault(key, []).append(i)
    pending = list(range(len(lines)))
    queued = set(pending)
    steps = 0
    while pending and steps < 200 * max(len(lines), 1):
        steps += 1
        i = pending.pop()
        queued.discard(i)
        line = lines[i]
        cells = [bounds[c] for c in line.cells]
        total = bounds[line.total]
        moved: list[Key] = []
        low_sum, high_sum = sum(b[0] for b in cells), sum(b[1] for b in cells)
        if low_sum > total[0]:
            total[0] = low_sum
            moved.append(line.total)
        if high_sum < total[1]:
            total[1] = high_sum
            moved.append(line.total)
        for key, bound in zip(line.cells, cells, strict=True):
            low = total[0] - (high_sum - bound[1])
            high = total[1] - (low_sum - bound[0])
            if low > bound[0]:
                bound[0] = low
                moved.append(key)
            if high < bound[1]:
                bound[1] = high
                moved.append(key)
        for key in moved:
            for j in by_key[key]:
                if j not in queued:
                    queued.add(j)
                    pending.append(j)
    return {key: (b[0], b[1]) for key, b in bounds.items()}


def disclosed(
    values: dict[Key, int], lines: Iterable[Line], hidden: dict[Key, str], threshold: int = THRESHOLD
) -> list[Key]:
    """Small cells shown as "<5" whose exact value a reader can still work out."""
    bounds = reader_bounds(values, _printed(values, lines), hidden, threshold)
    return [key for key, state in hidden.items() if state == PRIMARY and bounds[key][0] >= bounds[key][1]]


def suppress(
    values: dict[Key, int], lines: Iterable[Line], threshold: int = THRESHOLD, protect_zero: bool = True
) -> dict[Key, str]:
    """Which cells to hide: ``{key: "primary" | "secondary"}``. ``values`` holds every published count.
    Without ``protect_zero`` a 0 still reads "<5" but may be worked out (a territory that had nothing);
    only counts from 1 to the threshold are protected."""
    lines = _printed(values, lines)
    hidden: dict[Key, str] = {key: PRIMARY for key, value in values.items() if value < threshold}
    by_key: dict[Key, list[Line]] = {}
    for line in lines:
        for key in (line.total, *line.cells):
            by_key.setdefault(key, []).append(line)
    while True:
        bounds = reader_bounds(values, lines, hidden, threshold)
        pinned = [key for key in hidden if bounds[key][0] >= bounds[key][1]]
        leaks = [key for key in pinned if hidden[key] == PRIMARY and (protect_zero or values[key] > 0)]
        if not leaks:
            return hidden
        # The leak itself first, then the hidden cells known exactly that pin it down.
        suspects = leaks[:1] + [key for key in pinned if key != leaks[0]]
        if not _hide_one_more(suspects, by_key, values, hidden):
            raise RuntimeError(f"cannot protect {leaks[0]!r}")  # bounds never meet when all is hidden


def _hide_one_more(
    suspects: list[Key], by_key: dict[Key, list[Line]], values: dict[Key, int], hidden: dict[Key, str]
) -> bool:
    """Hide the smallest visible cell beside a suspect; only when there is none, a visible total."""
    for key in suspects:
        for line in by_key.get(key, []):
            visible = [c for c in line.cells if c not in hidden]
            if visible:
                hidden[min(visible, key=lambda c: (values[c], repr(c)))] = SECONDARY
                return True
    for key in suspects:
        for line in by_key.get(key, []):
            if line.total not in hidden:
                hidden[line.total] = SECONDARY
                return True
    return False
