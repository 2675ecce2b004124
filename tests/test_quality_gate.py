"""Quality gate: ROUGE of each extractive method on a fixed sample must stay above its floor.

The floors live in ``tests/quality_floors.json``. Raising a floor is an ordinary commit; a floor
lower than its previous value needs a ``"lowered": {"reason": "..."}`` entry in the history
record that lowers it, and this test checks that (against the history in the file and, in a
git checkout, against the last committed file).

The sample is fixed by id hash (see ``sample``): CNN/DM articles come from the HELD-OUT part the
trained model never saw. To see the measured numbers (e.g. to raise floors)::

    python tests/test_quality_gate.py
"""

from __future__ import annotations

import hashlib
import itertools
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

FLOORS_FILE = Path(__file__).with_name("quality_floors.json")
#: Salt of the sample order; a different salt than the train split so the sample is not biased.
SAMPLE_SALT = "newsbrief-gate:"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def load_floors(text: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text if text is not None else FLOORS_FILE.read_text())
    return data


@cache
def sample(name: str) -> tuple[Any, ...]:
    """Return the fixed sample of data set ``name``: the first ``size`` ids by salted sha1."""
    from conftest import data_path
    from newsbrief.datasets import iter_records
    from newsbrief.train import split_of

    spec = load_floors()["samples"][name]
    path = data_path(*spec["file"].split("/"))
    records = [
        r
        for r in iter_records(path)
        if spec.get("split") is None or split_of(r.id) == spec["split"]
    ]
    records.sort(key=lambda r: hashlib.sha1((SAMPLE_SALT + r.id).encode("utf-8")).hexdigest())
    return tuple(records[: spec["size"]])


@cache
def measure(name: str, method: str) -> dict[str, float]:
    """Return ROUGE F1 (0-100) of ``method`` on the sample of ``name``."""
    from newsbrief.evaluate import evaluate
    from newsbrief.models import Length, SummaryOptions

    spec = load_floors()["samples"][name]
    options = SummaryOptions(
        method=method, length=Length(sentences=spec["sentences"]), language=spec["language"]
    )
    ev = evaluate(list(sample(name)), options=options, language=spec["language"])
    return {m: round(ev.f1[m].mean * 100, 2) for m in METRICS}


def _cases() -> list[Any]:
    floors = load_floors()["floors"]
    return [
        pytest.param(name, method, id=f"{name}-{method}")
        for name, methods in floors.items()
        for method in methods
    ]


@pytest.mark.parametrize(("name", "method"), _cases())
def test_rouge_stays_above_floor(name: str, method: str) -> None:
    floor = load_floors()["floors"][name][method]
    got = measure(name, method)
    below = {m: (got[m], floor[m]) for m in METRICS if got[m] < floor[m]}
    assert not below, f"{method} on {name} fell below its floor (got, floor): {below}"


def _lowered(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Return 'set/method/metric' for every floor lower in ``new`` than in ``old``."""
    out = []
    for name, methods in new.items():
        for method, metrics in methods.items():
            before = old.get(name, {}).get(method, {})
            out += [
                f"{name}/{method}/{m}"
                for m, value in metrics.items()
                if m in before and value < before[m]
            ]
    return out


def check_history(data: dict[str, Any]) -> None:
    """Raise AssertionError unless the floors match the last history record and every
    lowering in the history carries a reason."""
    history = data["history"]
    assert history, "quality_floors.json needs at least one history record"
    assert history[-1]["floors"] == data["floors"], (
        "the floors differ from the last history record; append a record for the change"
    )
    for prev, record in itertools.pairwise(history):
        lowered = _lowered(prev["floors"], record["floors"])
        reason = record.get("lowered", {}).get("reason", "").strip()
        assert not lowered or reason, (
            f"history record {record.get('date')!r} lowers {', '.join(lowered)} without "
            '"lowered": {"reason": ...}'
        )


def test_floor_history_is_consistent() -> None:
    check_history(load_floors())


def test_history_check_rejects_a_silent_lowering() -> None:
    one = {"cnndm": {"lead": {"rouge1": 39.0}}}
    two = {"cnndm": {"lead": {"rouge1": 38.0}}}
    data = {"floors": two, "history": [{"floors": one}, {"date": "d", "floors": two}]}
    with pytest.raises(AssertionError) as err:
        check_history(data)
    assert "history record 'd' lowers cnndm/lead/rouge1 without" in str(err.value)
    data["history"][1]["lowered"] = {"reason": "lead now drops datelines"}
    check_history(data)
    data["floors"] = one
    with pytest.raises(AssertionError, match="differ from the last history record"):
        check_history(data)


def test_floors_not_lowered_since_last_commit() -> None:
    """A floor lower than in the committed file must come with a reason in the new record."""
    repo = FLOORS_FILE.parents[1]
    try:
        committed = subprocess.run(
            ["git", "show", "HEAD:tests/quality_floors.json"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout with a committed quality_floors.json")
    old, new = load_floors(committed), load_floors()
    lowered = _lowered(old["floors"], new["floors"])
    reason = new["history"][-1].get("lowered", {}).get("reason", "").strip()
    assert not lowered or reason, (
        f"floors lowered since the last commit ({', '.join(lowered)}) without "
        '"lowered": {"reason": ...} in the last history record'
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    for name, methods in load_floors()["floors"].items():
        for method in methods:
            print(name, method, measure(name, method), flush=True)
