"""`newsbrief evaluate` and newsbrief.evaluate: scores, failures, oracle, workers, bad input."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from conftest import data_path
from llm_server import serve
from newsbrief import summarizers
from newsbrief.cli import cli
from newsbrief.datasets import iter_records
from newsbrief.errors import InputError
from newsbrief.evaluate import evaluate
from newsbrief.models import Length, SummaryOptions

# Written for these tests (no news text in the repository).
ARTICLES = [
    (
        "a",
        "The city council approved a new budget on Monday. "
        "The vote followed three weeks of debate. Parks will receive more money next year.",
        "The city council approved a new budget on Monday.",
    ),
    (
        "b",
        "Heavy rain flooded the main road into the village. "
        "Firefighters pumped water from twelve homes overnight. The road reopened at noon.",
        "Heavy rain flooded the main road into the village.",
    ),
    (
        "c",
        "A new library opened in the old railway station. "
        "It holds forty thousand books and a cafe. Children queued before the doors opened.",
        "A new library opened in the old railway station.",
    ),
    (
        "d",
        "The football club signed a young goalkeeper from Portugal. "
        "He joins on a four-year contract. The coach praised his calm under pressure.",
        "The football club signed a young goalkeeper from Portugal.",
    ),
]


def write_jsonl(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    rows: list[dict[str, Any] | str] = [
        {"id": i, "article": a, "summary": s} for i, a, s in ARTICLES
    ]
    return write_jsonl(tmp_path / "tiny.jsonl", rows)


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["evaluate", *args], input=input)


def test_lead_one_sentence_matches_lead_references_exactly(tiny: Path) -> None:
    result = run(str(tiny), "--method", "lead", "--sentences", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 4
    assert report["failed"] == 0
    assert report["method"] == "lead"
    assert report["language"] == "en"
    assert report["length"] == {"sentences": 1}
    for name in ("rouge1", "rouge2", "rougeLsum"):
        assert report["rouge"][name]["f1"] == {"mean": 100.0, "low": 100.0, "high": 100.0}
    assert report["summary_words"] == report["reference_words"] == 9.0
    assert report["articles_per_second"] > 0
    assert report["protocol"].startswith("rouge-score 0.1.2; rouge1, rouge2, rougeLsum; ")


def test_text_report_shows_scores_lengths_speed_and_protocol(tiny: Path) -> None:
    result = run(str(tiny), "--method", "lead", "--sentences", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"method: lead   data: {tiny}"
    assert lines[1] == "articles: 4 scored, 0 failed   language: en   length: sentences 2"
    assert [line.split()[0] for line in lines[4:7]] == ["ROUGE-1", "ROUGE-2", "ROUGE-Lsum"]
    assert lines[7] == ""
    assert lines[8] == "mean words: summary 16.0, reference 9.0"
    # The figures depend on the machine and on what ran before (a cold start takes over a
    # second): assert the line's shape, not its numbers.
    assert re.fullmatch(
        r"speed: [\d,.]+ articles/s summarizing \(single process\), [\d,.]+ per CPU-second, "
        r"[\d,.]+ s wall",
        lines[9],
    ), lines[9]
    assert lines[10].startswith("protocol: rouge-score 0.1.2;")
    assert "stemming: Porter" in lines[10]


def test_failed_articles_are_counted_not_fatal(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | str] = [
        {"id": i, "article": a, "summary": s} for i, a, s in ARTICLES
    ]
    rows.insert(1, {"id": "blank", "article": "   ", "summary": "Nothing."})
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    result = run(str(path), "--method", "lead")
    assert result.exit_code == 0, result.output
    assert "articles: 4 scored, 1 failed" in result.stdout
    assert "failed articles (1):\n  line 2 id blank: the article text is empty" in result.stdout
    report = json.loads(run(str(path), "--format", "json").stdout)
    assert report["failures"] == [{"id": "blank", "line": 2, "error": "the article text is empty"}]


def test_oracle_is_the_ceiling(tmp_path: Path) -> None:
    # References are each article's second sentence: lead misses them, the oracle finds them.
    rows: list[dict[str, Any] | str] = [
        {"id": i, "article": a, "summary": a.split(". ")[1] + "."} for i, a, _ in ARTICLES
    ]
    path = write_jsonl(tmp_path / "second.jsonl", rows)
    records = list(iter_records(path))
    one = Length.of(sentences=1)
    lead = evaluate(records, options=SummaryOptions(method="lead", length=one))
    oracle = evaluate(records, options=SummaryOptions(method="oracle", length=one))
    assert oracle.resolved_method == "oracle"
    assert oracle.f1["rouge1"].mean == pytest.approx(1.0)
    assert lead.f1["rouge1"].mean < 0.5
    assert oracle.summary_words == oracle.reference_words


def test_workers_give_the_same_scores(tiny: Path) -> None:
    records = list(iter_records(tiny))
    options = SummaryOptions(method="lead", length=Length.of(sentences=2))
    one = evaluate(records, options=options, workers=1).to_dict()
    two = evaluate(records, options=options, workers=2).to_dict()
    for key in ("articles_per_second", "articles_per_cpu_second", "wall_seconds"):
        one.pop(key)
        two.pop(key)
    assert one == two


def test_french_is_scored_with_the_unicode_tokenizer(tmp_path: Path) -> None:
    article = (
        "Le conseil municipal a adopté le budget lundi soir après un long débat. "
        "Les écoles recevront davantage de moyens l'année prochaine. "
        "L'opposition a dénoncé une hausse des impôts locaux."
    )
    summary = "Le conseil municipal a adopté lundi le budget après un débat."
    path = write_jsonl(tmp_path / "fr.jsonl", [{"id": "f", "article": article, "summary": summary}])
    result = run(str(path), "--method", "lead", "--sentences", "1", "--format", "json")
    report = json.loads(result.stdout)
    assert report["language"] == "fr"
    assert "tokenizer: unicode" in report["protocol"]
    assert report["rouge"]["rouge1"]["f1"]["mean"] > 70


def test_reads_stdin(tiny: Path) -> None:
    result = run("-", "--limit", "2", "--format", "json", input=tiny.read_text())
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 2


def test_bad_json_line_is_an_error_with_its_line_number(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [{"id": "a", "article": ARTICLES[0][1], "summary": "x"}, "", "{oops"],
    )
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: {path}:3: not valid JSON "
        "(Expecting property name enclosed in double quotes at column 2)\n"
    )


def test_missing_field_is_an_error_with_its_line_number(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "article": "Text here."}])
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {path}:1: missing field 'summary'\n"


def test_missing_file(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {tmp_path / 'nope.jsonl'}: no such file\n"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {path}: no records (the file is empty)\n"


def test_unknown_method_lists_methods_and_the_oracle(tiny: Path) -> None:
    result = run(str(tiny), "--method", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("newsbrief: error: Unknown summarizer 'nope'. Available: ")
    assert "lead" in result.stderr
    assert result.stderr.endswith(" (evaluate also accepts 'oracle')\n")


def test_contradictory_lengths(tiny: Path) -> None:
    result = run(str(tiny), "--sentences", "2", "--words", "10")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsbrief: error: give only one of sentences, words or ratio (got sentences, words)\n"
    )


def test_bad_limit_and_workers(tiny: Path) -> None:
    result = run(str(tiny), "--limit", "0")
    assert (result.exit_code, result.stderr) == (
        1,
        "newsbrief: error: limit must be at least 1 (got 0)\n",
    )
    result = run(str(tiny), "--workers", "0")
    assert (result.exit_code, result.stderr) == (
        1,
        "newsbrief: error: workers must be at least 1 (got 0)\n",
    )


def test_nothing_summarizable(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | str] = [
        {"id": "x", "article": " ", "summary": "s"},
        {"id": "y", "article": "", "summary": "s"},
    ]
    path = write_jsonl(tmp_path / "blank.jsonl", rows)
    with pytest.raises(InputError) as info:
        evaluate(iter_records(path), options=SummaryOptions(method="lead"))
    assert str(info.value) == (
        "no article could be summarized (2 failed; first: line 1: the article text is empty)"
    )


@pytest.mark.slow
def test_fifty_real_cnn_dailymail_articles() -> None:
    path = data_path("cnn_dailymail", "dev.jsonl.gz")
    records = list(iter_records(path, limit=50))
    lead = evaluate(records, options=SummaryOptions(method="lead"))
    oracle = evaluate(records, options=SummaryOptions(method="oracle"))
    assert lead.n == oracle.n == 50
    # Lead-3 on CNN/DM is ~30-40 R1 (the first 50 dev articles are CNN's, the harder part).
    assert 0.25 < lead.f1["rouge1"].mean < 0.45
    assert lead.f1["rouge1"].low < lead.f1["rouge1"].mean < lead.f1["rouge1"].high
    assert oracle.f1["rouge1"].mean > lead.f1["rouge1"].mean + 0.10
    assert 40 < lead.summary_words < 120


# --- abstractive methods: the backend options of batch and summarize ------------------------


@pytest.fixture
def fresh_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    # Summarizer instances are kept per (method, config) for the process, and a developer's
    # own LLM settings must not leak in.
    monkeypatch.setattr(summarizers, "_INSTANCES", {})
    for name in ("NEWSBRIEF_LLM_MODEL", "NEWSBRIEF_LLM_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("fresh_backends")
def test_llm_backend_options_reach_the_summarizer(tiny: Path) -> None:
    with serve() as server:
        result = run(
            str(tiny), "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny",
            "--llm-timeout", "5", "--summary-language", "en", "-s", "1", "--format", "json",
        )  # fmt: skip
        requests = server.requests
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["method"], report["n"], report["failed"]) == ("llm", 4, 0)
    assert [r["model"] for r in requests] == ["tiny"] * 4


@pytest.mark.usefixtures("fresh_backends")
def test_llm_without_a_model_stops_before_any_article(tiny: Path) -> None:
    result = run(str(tiny), "-m", "llm")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsbrief: error: the 'llm' summarizer needs a model name: pass --llm-model NAME "
        "(or set NEWSBRIEF_LLM_MODEL)\n"
    )


@pytest.mark.usefixtures("fresh_backends")
def test_a_model_the_endpoint_does_not_know_stops_at_the_first_article(tiny: Path) -> None:
    with serve() as server:
        server.models = {"other"}
        result = run(str(tiny), "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny")
        asked = len(server.requests)
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: the LLM endpoint {server.url} does not know model 'tiny' "
        "(HTTP 404: model 'tiny' not found); check --llm-model\n"
    )
    assert asked == 1  # not once per article


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-m", "lead", "--llm-url", "http://127.0.0.1:1/v1"],
            "--llm-url is not used by --method lead; it applies to --method llm",
        ),
        (
            ["-m", "oracle", "--model-path", "m.gguf"],
            "--model-path is not used by --method oracle; it applies to --method llama-cpp or "
            "transformers",
        ),
        (
            ["-m", "oracle", "--threads", "2"],
            "--threads is not used by --method oracle; it applies to --method llama-cpp or "
            "transformers",
        ),
    ],
    ids=["lead", "oracle", "oracle-threads"],
)
def test_backend_option_for_another_method_is_refused(
    tiny: Path, args: list[str], message: str
) -> None:
    result = run(str(tiny), *args)
    assert (result.exit_code, result.stderr) == (1, f"newsbrief: error: {message}\n")


@pytest.mark.usefixtures("fresh_backends")
def test_a_missing_backend_library_stops_at_the_first_article(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsbrief.summarizers import hf

    for name in ("torch", "transformers"):  # as on a core install
        monkeypatch.setitem(sys.modules, name, None)
    loads: list[int] = []
    real_load = hf.HFSummarizer._load

    def counting_load(self: hf.HFSummarizer) -> tuple[Any, Any]:
        loads.append(1)
        return real_load(self)

    monkeypatch.setattr(hf.HFSummarizer, "_load", counting_load)
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}", encoding="utf-8")
    result = run(str(tiny), "-m", "transformers", "--model-path", str(model))
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {hf.INSTALL_HINT}\n"
    assert len(loads) == 1  # the first article, not all four


def test_every_backend_option_is_on_evaluate_and_in_its_docs() -> None:
    from newsbrief.cli.llm_options import PARAMS

    cmd = cli.get_command(click.Context(cli), "evaluate")
    assert cmd is not None
    flags = {opt for param in cmd.params for opt in param.opts}
    docs = (Path(__file__).resolve().parents[1] / "docs/evaluation.md").read_text(encoding="utf-8")
    for param in PARAMS:
        flag = "--" + param.replace("_", "-")
        assert flag in flags, f"newsbrief evaluate has no {flag}"
        assert f"`{flag}" in docs, f"docs/evaluation.md does not name {flag}"
