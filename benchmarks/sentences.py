"""Compare sentence splitters: accuracy on the hand-written gold set, speed on CNN/DM text.

    python benchmarks/sentences.py [--articles 500] [--only NAME ...]

Accuracy is exact-sentence-match F1 per language on tests/sentences_gold.py (a predicted sentence
counts when its stripped text equals a gold sentence of the same case). Speed is sentences per
second and milliseconds per article over the first ``--articles`` CNN/DM dev articles
(single process, after one warm-up call). Every candidate splits each newline-separated
paragraph on its own, as newsbrief does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from sentences_gold import CASES, LANGUAGES  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "cnn_dailymail" / "dev.jsonl.gz"

Splitter = Callable[[str, str], list[str]]

PUNKT_NAMES = {
    "en": "english", "es": "spanish", "fr": "french", "de": "german",
    "ru": "russian", "it": "italian", "pt": "portuguese",
}  # fmt: skip


def per_paragraph(split_line: Callable[[str, str], list[str]]) -> Splitter:
    def split(text: str, lang: str) -> list[str]:
        out: list[str] = []
        for line in text.split("\n"):
            if line.strip():
                out.extend(s.strip() for s in split_line(line, lang) if s.strip())
        return out

    return split


def make_punkt(prefixes: bool) -> Splitter:
    import punkt

    @cache
    def tok(lang: str) -> punkt.PunktSentenceTokenizer:
        return punkt.tokenizer_for(PUNKT_NAMES.get(lang, "english"), prefixes=prefixes)

    return per_paragraph(lambda line, lang: tok(lang).tokenize(line))


def make_pysbd() -> Splitter:
    import pysbd

    supported = {"en", "es", "fr", "de", "ru", "it"}  # pysbd has no Portuguese

    @cache
    def seg(lang: str) -> pysbd.Segmenter:
        return pysbd.Segmenter(language=lang if lang in supported else "en", clean=False)

    return per_paragraph(lambda line, lang: seg(lang).segment(line))


def make_sentencex() -> Splitter:
    import sentencex

    return per_paragraph(lambda line, lang: list(sentencex.segment(lang, line)))


def make_blingfire() -> Splitter:
    import blingfire

    return per_paragraph(lambda line, lang: blingfire.text_to_sentences(line).split("\n"))


def make_newsbrief() -> Splitter:
    from newsbrief.sentences import split_sentences

    return lambda text, lang: [s.text for s in split_sentences(text, lang)]


CANDIDATES: dict[str, Callable[[], Splitter]] = {
    "newsbrief": make_newsbrief,
    "punkt": lambda: make_punkt(False),
    "punkt+prefixes": lambda: make_punkt(True),
    "pysbd": make_pysbd,
    "sentencex": make_sentencex,
    "blingfire": make_blingfire,
}


def accuracy(split: Splitter, verbose: bool) -> dict[str, float]:
    tp: Counter[str] = Counter()
    npred: Counter[str] = Counter()
    ngold: Counter[str] = Counter()
    for case in CASES:
        pred = split(case.text, case.language)
        gold = Counter(case.sentences)
        hit = sum((Counter(pred) & gold).values())
        tp[case.language] += hit
        npred[case.language] += len(pred)
        ngold[case.language] += len(case.sentences)
        if verbose and pred != case.sentences:
            print(f"  MISS {case.language}/{case.name}: {pred}")
    out = {}
    for lang in [*LANGUAGES, "all"]:
        t = sum(tp.values()) if lang == "all" else tp[lang]
        p = sum(npred.values()) if lang == "all" else npred[lang]
        g = sum(ngold.values()) if lang == "all" else ngold[lang]
        out[lang] = 2 * t / (p + g) if p + g else 0.0
    return out


def speed(split: Splitter, articles: list[str]) -> tuple[float, float]:
    split(articles[0], "en")
    t0 = time.perf_counter()
    n = sum(len(split(a, "en")) for a in articles)
    dt = time.perf_counter() - t0
    return n / dt, dt / len(articles) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    articles: list[str] = []
    if DATA.exists():
        with gzip.open(DATA, "rt", encoding="utf-8") as f:
            for line in f:
                articles.append(json.loads(line)["article"])
                if len(articles) >= args.articles:
                    break
    names = args.only or list(CANDIDATES)
    header = f"| splitter | {' | '.join(LANGUAGES)} | all F1 | sentences/s | ms/article |"
    print(f"gold set: {len(CASES)} cases, {sum(len(c.sentences) for c in CASES)} sentences; "
          f"speed: {len(articles)} CNN/DM dev articles")  # fmt: skip
    rows = []
    for name in names:
        try:
            split = CANDIDATES[name]()
        except ImportError as exc:
            print(f"skip {name}: {exc}")
            continue
        if args.verbose:
            print(name)
        acc = accuracy(split, args.verbose)
        sps, ms = speed(split, articles) if articles else (float("nan"), float("nan"))
        cells = " | ".join(f"{acc[lang]:.3f}" for lang in LANGUAGES)
        rows.append(f"| {name} | {cells} | {acc['all']:.3f} | {sps:,.0f} | {ms:.3f} |")
    print(header)
    print("|" + "---|" * (len(LANGUAGES) + 4))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
