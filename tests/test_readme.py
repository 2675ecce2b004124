"""The README's Python example runs as written and shows what a new user looks for."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import newsbrief

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs_and_prints_the_summary_text() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 1
    code = blocks[0]
    assert "summary.text" in code  # the summary itself, not only its sentences
    html = (ROOT / "examples" / "article.html").read_text(encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {"html": html})
    expected = newsbrief.summarize(
        newsbrief.extract(html, url="https://example.com/story"), method="default", sentences=3
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == expected.text
    assert len(lines) == 1 + len(expected.sentences)
