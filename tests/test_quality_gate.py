"""Quality gate: ROUGE of each extractive method on a fixed sample must stay above its floor.

The floors live in ``tests/quality_floors.json`` and follow one rule: **a floor is the value
measured on the gate sample minus 0.3, rounded down to one decimal** (``floor_rule``). The
methods are deterministic, so the margin only absorbs platform noise in the last digits; a
change that costs more than 0.3 fails. A floor looser than the rule fails too, so an improvement
must raise its floors (an ordinary commit). A floor lower than its previous value needs a
``"lowered": {"reason": "..."}`` entry in the history record that lowers it; this is checked
against the history in the file and, in a git checkout, against the newest committed version
whose floors differ from the current ones (so a clean checkout still checks the last change).

The sample is fixed by id hash (see ``sample``): CNN/DM articles come from the HELD-OUT part the
trained model never saw. To see the measured numbers (e.g. to raise floors)::

    python tests/test_quality_gate.py
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
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


#: The margin of the floor rule, in ROUGE points.
FLOOR_MARGIN = 0.3


def floor_rule(measured: float) -> float:
    """Return the floor for a measured score: ``measured - 0.3`` rounded down to one decimal."""
    return math.floor(round((measured - FLOOR_MARGIN) * 10, 6)) / 10


@pytest.mark.slow
@pytest.mark.parametrize(("name", "method"), _cases())
def test_rouge_stays_above_floor(name: str, method: str) -> None:
    floor = load_floors()["floors"][name][method]
    got = measure(name, method)
    below = {m: (got[m], floor[m]) for m in METRICS if got[m] < floor[m]}
    assert not below, f"{method} on {name} fell below its floor (got, floor): {below}"
    loose = {m: (floor[m], floor_rule(got[m])) for m in METRICS if floor[m] < floor_rule(got[m])}
    assert not loose, (
        f"{method} on {name}: floors looser than the rule (measured - {FLOOR_MARGIN}, rounded "
        f"down) (floor, rule): {loose}; raise them in quality_floors.json with a history record"
    )


def test_floor_rule() -> None:
    assert floor_rule(39.27) == 38.9
    assert floor_rule(18.6) == 18.3
    assert floor_rule(2.2) == 1.9
    assert floor_rule(28.95) == 28.6


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


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def previous_floors(repo: Path, path: str) -> dict[str, Any] | None:
    """Return the newest committed version of the floors file whose floors differ from the
    working tree's (None when no committed version differs).

    With uncommitted changes that is HEAD's; on a clean checkout it is the version before the
    last commit that changed the floors, so that commit's lowering is still checked.
    """
    current = load_floors((repo / path).read_text())["floors"]
    for commit in _git(repo, "log", "--format=%H", "--", path).split():
        try:
            old = load_floors(_git(repo, "show", f"{commit}:{path}"))
        except subprocess.CalledProcessError:  # the file did not exist yet at that commit
            return None
        if old["floors"] != current:
            return old
    return None


def check_not_lowered_silently(repo: Path, path: str) -> None:
    """Raise AssertionError when the floors are lower than the previous committed floors and
    the last history record gives no ``lowered`` reason."""
    old = previous_floors(repo, path)
    if old is None:
        return
    new = load_floors((repo / path).read_text())
    lowered = _lowered(old["floors"], new["floors"])
    reason = new["history"][-1].get("lowered", {}).get("reason", "").strip()
    assert not lowered or reason, (
        f"floors lowered since the previous committed floors ({', '.join(lowered)}) without "
        '"lowered": {"reason": ...} in the last history record'
    )


def test_floors_not_lowered_since_the_last_change() -> None:
    """A floor lower than in the previous committed floors must come with a reason."""
    repo = FLOORS_FILE.parents[1]
    try:
        _git(repo, "rev-parse", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    check_not_lowered_silently(repo, "tests/quality_floors.json")


def _floors_file(r1: float, *, reason: str | None = None) -> str:
    floors = {"cnndm": {"lead": {"rouge1": r1}}}
    record: dict[str, Any] = {"date": "d", "floors": floors}
    if reason:
        record["lowered"] = {"reason": reason}
    return json.dumps({"floors": floors, "history": [record]})


def test_a_committed_silent_lowering_is_caught_on_a_clean_checkout(tmp_path: Path) -> None:
    def commit(text: str) -> None:
        (tmp_path / "floors.json").write_text(text)
        _git(tmp_path, "add", "floors.json")
        _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")

    _git(tmp_path, "init", "-q")
    commit(_floors_file(39.0))
    check_not_lowered_silently(tmp_path, "floors.json")  # one version: nothing to compare
    commit(_floors_file(38.0))
    (tmp_path / "other").write_text("a later commit that does not touch the floors")
    _git(tmp_path, "add", "other")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "y")
    with pytest.raises(AssertionError, match=r"floors lowered .* \(cnndm/lead/rouge1\)"):
        check_not_lowered_silently(tmp_path, "floors.json")
    commit(_floors_file(38.0, reason="the sample changed"))  # same floors: compares with 39.0
    check_not_lowered_silently(tmp_path, "floors.json")
    (tmp_path / "floors.json").write_text(_floors_file(37.0))  # uncommitted: compares with HEAD
    with pytest.raises(AssertionError, match="cnndm/lead/rouge1"):
        check_not_lowered_silently(tmp_path, "floors.json")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    for name, methods in load_floors()["floors"].items():
        for method in methods:
            print(name, method, measure(name, method), flush=True)
