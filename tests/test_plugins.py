"""Summarizer plug-ins: a real package installed with pip, found through its entry points."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Under pytest-xdist (-n) one worker runs the whole module: the plug-in is installed once (pip,
# a module fixture).
pytestmark = pytest.mark.xdist_group("test_plugins")

PLUGIN = Path(__file__).with_name("fixtures") / "summarizer_plugin"
ARTICLE = (
    "The town council approved a new library on Monday. Building starts in the spring. "
    "The library will hold forty thousand books. It opens in two years."
)


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Install the example plug-in into a fresh folder; return an environment that sees it."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    # pip builds a local folder in place: build a copy, so the checkout gets no build/ folder.
    source = shutil.copytree(PLUGIN, build / "summarizer_plugin")
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
            "--no-build-isolation", "--disable-pip-version-check", "--no-cache-dir",
            "--target", str(target), str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TMPDIR": str(build)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(target.glob("newsbrief_example_plugin-1.0.dist-info/entry_points.txt"))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), env.get("PYTHONPATH")) if p)
    return env


def newsbrief(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from newsbrief.cli import main; main()", *args],
        input=ARTICLE,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_plugins_are_listed_with_the_kind_they_declare(plugin_env: dict[str, str]) -> None:
    out = newsbrief(plugin_env, "methods")
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()}
    assert lines["example-last"].split(None, 2)[1:] == [
        "extractive",
        "The last two sentences of the article (a plug-in test method).",
    ]
    assert "abstractive" in lines["example-remote"].split()
    assert lines["example-remote"].endswith("[needs a backend]")
    assert "[needs a backend]" not in lines["example-last"]
    assert (
        "declares kind 'generative'; a summarizer is one of: extractive, abstractive"
        in (lines["example-oddkind"])
    )
    assert "cannot be loaded: ModuleNotFoundError" in lines["example-missing"]


def test_a_plugin_summarizes_through_the_same_pipeline(plugin_env: dict[str, str]) -> None:
    out = newsbrief(plugin_env, "summarize", "-", "-m", "example-last", "-f", "json")
    assert out.returncode == 0, out.stderr
    assert '"method": "example-last"' in out.stdout
    assert '"kind": "extractive"' in out.stdout
    assert "The library will hold forty thousand books." in out.stdout
    out = newsbrief(plugin_env, "summarize", "-", "-m", "example-remote", "-f", "json")
    assert out.returncode == 0, out.stderr
    assert '"kind": "abstractive"' in out.stdout


def test_an_empty_plugin_summary_is_an_error(plugin_env: dict[str, str]) -> None:
    out = newsbrief(plugin_env, "summarize", "-", "-m", "example-empty")
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == (
        "newsbrief: error: the 'example-empty' summarizer returned an empty summary for an "
        "article of 4 sentences\n"
    )


@pytest.mark.parametrize(
    ("method", "message"),
    [
        (
            "example-oddkind",
            "newsbrief: error: the summarizer plug-in 'example-oddkind' "
            "(newsbrief_example_plugin:OddKind) declares kind 'generative'; a summarizer is "
            "one of: extractive, abstractive\n",
        ),
        (
            "example-missing",
            "newsbrief: error: the summarizer plug-in 'example-missing' "
            "(newsbrief_example_plugin.nowhere:Nothing) cannot be loaded: ModuleNotFoundError: "
            "No module named 'newsbrief_example_plugin.nowhere'\n",
        ),
    ],
)
def test_a_broken_plugin_fails_clearly_when_used(
    plugin_env: dict[str, str], method: str, message: str
) -> None:
    out = newsbrief(plugin_env, "summarize", "-", "-m", method)
    assert (out.returncode, out.stderr) == (1, message)
