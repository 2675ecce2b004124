"""Per-sentence features for the trained summarizer, computed for a whole document at once.

Every feature is language-agnostic apart from three per-language word tables (stop words from
``newsbrief.tokens``, attribution verbs such as "said" below, and the dangling openers of
``newsbrief.coherence``), so a model trained on English news still applies to other languages;
a language without tables simply has no stop words. The features read each sentence as a
summary would show it first (``scored_texts``): the lede without its dateline or wire credit.
The order of ``FEATURES`` is part of the weights file format: a weights file records the list
it was trained with, and the loader refuses a file whose list differs.

All work is vectorised with numpy over the document's sentence-by-term matrix; the only
Python loop is the tokenisation of each sentence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

from newsbrief.coherence import dangling_flags, standalone_forms
from newsbrief.datelines import strip_dateline
from newsbrief.models import Document
from newsbrief.tokens import stopwords

FloatArray = npt.NDArray[np.float64]

#: Words as newsbrief.tokens.words finds them: letters/digits of any script, no "_".
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d")
#: A capital letter starting a word after the first: names and places in most scripts.
_CAPITALISED = re.compile(r"\s[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁΑ-Ω]")
_QUOTES = re.compile(r"[\"“”«»„]")

#: Names of the features, in column order.
FEATURES: tuple[str, ...] = (
    "position",  # sentence index, 0-based
    "position_relative",  # index / number of sentences
    "position_inverse",  # 1 / (index + 1)
    "is_first",
    "words",  # word tokens in the sentence
    "chars",
    "content_words",  # word tokens that are not stop words
    "stopword_ratio",
    "centroid_similarity",  # TF-IDF cosine to the document centroid
    "centroid_rank",  # rank of the above within the document, 0 = most central, / n
    "degree",  # mean TF-IDF cosine to the other sentences
    "pagerank",  # LexRank-style stationary score of the similarity graph, times n
    "first_similarity",  # cosine to the first sentence
    "title_similarity",  # cosine to the title (0 without a title)
    "max_similarity_before",  # highest cosine to an earlier sentence (redundancy with the lead)
    "shared_words",  # fraction of content words found in another sentence
    "term_frequency",  # mean document frequency of the content words, / n
    "digits",  # digit characters (figures, dates)
    "capitalised",  # capitalised words not at the start of the sentence (names)
    "quotes",  # quotation marks
    "question",  # ends with or contains a question mark
    "attribution",  # contains a "said"-type word of the document's language
    "length_rank",  # rank of words within the document, 0 = longest, / n
    "doc_sentences",  # log(1 + sentences in the document)
    "doc_words",  # log(1 + words in the document)
    "dangles",  # opens with a pronoun or connective that needs the sentence before it
    "next_dangles",  # the next sentence does ("dangles" of sentence i + 1)
)

#: Reporting verbs: sentences that quote someone are less often summary material in news.
ATTRIBUTION: dict[str, frozenset[str]] = {
    "en": frozenset(("said", "says", "told", "according", "added", "explained", "stated")),
    "fr": frozenset(("déclaré", "selon", "affirme", "explique", "indique", "estime", "ajoute")),
    "de": frozenset(("sagte", "sagt", "laut", "erklärte", "betonte", "sagten")),
    "es": frozenset(("dijo", "afirmó", "según", "explicó", "declaró", "señaló")),
    "it": frozenset(("detto", "secondo", "dichiarato", "spiega", "ha", "afferma")),
    "pt": frozenset(("disse", "afirmou", "segundo", "explicou", "declarou")),
    "ru": frozenset(("сказал", "заявил", "сообщил", "по", "словам", "отметил")),
}

_NO_WORDS: frozenset[str] = frozenset()

#: Largest sentence-by-term matrix (sentences x distinct content words) computed dense. A news
#: article (~30 sentences x ~400 terms) stays far below it, on the dense path that is faster
#: at that size; a long text takes the sparse path, whose cost grows with its words instead.
#: Measured on runs of CNN/DM sentences: 113 sentences (~100,000 cells) 4.0 ms dense and 4.7
#: sparse, 300 (580,000 cells) 26 and 5.4 ms, 1,000 (4.6 million) 386 and 39 ms.
DENSE_CELLS = 200_000


def _rank(values: FloatArray) -> FloatArray:
    """Return each value's rank, 0 for the largest, divided by the number of values."""
    n = len(values)
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.arange(n, dtype=np.float64)
    return ranks / n


def _pagerank(sim: FloatArray, *, damping: float = 0.85, iterations: int = 12) -> FloatArray:
    """Return the stationary scores of the similarity graph (LexRank with continuous weights).

    12 iterations leave the scores within 1e-3 of convergence on CNN/DM articles (~32 nodes).
    """
    n = sim.shape[0]
    rows = sim.sum(axis=1, keepdims=True)
    rows[rows == 0] = 1.0
    trans = sim / rows
    p = np.full(n, 1.0 / n)
    for _ in range(iterations):
        p = (1 - damping) / n + damping * (p @ trans)
    result: FloatArray = p * n
    return result


TermStats = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def _term_stats(
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    n: int,
    n_terms: int,
    title_terms: npt.NDArray[np.intp],
) -> TermStats:
    """Return the features read from the sentence-by-term matrix, computed on a dense one.

    ``rows``/``cols`` hold one (sentence, term) pair per content word; ``title_terms`` the
    terms of the title. Returns, per sentence: cosine to the centroid, the sentence x sentence
    cosine matrix (diagonal 0), cosine to the title, content terms, the share of them found in
    another sentence, and their mean document frequency / n.
    """
    counts = np.bincount(rows * n_terms + cols, minlength=n * n_terms)
    tf = counts.reshape(n, n_terms).astype(np.float64)
    present = tf > 0
    df = present.sum(axis=0)
    idf = np.log((n + 1) / (df + 0.5))
    weights = np.log1p(tf) * idf
    norms = np.linalg.norm(weights, axis=1)
    unit = weights / np.where(norms > 0, norms, 1.0)[:, None]

    centroid = unit.sum(axis=0)
    c_norm = np.linalg.norm(centroid)
    centroid_sim = unit @ (centroid / c_norm) if c_norm > 0 else np.zeros(n)
    # Only terms found in two or more sentences make two sentences similar; dropping the rest
    # keeps the product small enough that BLAS does not start threads for it.
    shared_terms = unit[:, df > 1]
    sim = shared_terms @ shared_terms.T
    np.fill_diagonal(sim, 0.0)

    title_sim = np.zeros(n)
    if len(title_terms):
        t_vec = np.zeros(n_terms)
        t_vec[title_terms] = idf[title_terms]
        t_norm = np.linalg.norm(t_vec)
        if t_norm > 0:
            title_sim = unit @ (t_vec / t_norm)

    content = present.sum(axis=1).astype(np.float64)
    safe_content = np.maximum(content, 1.0)
    shared = (present & (df > 1)).sum(axis=1) / safe_content
    term_freq = (present * df).sum(axis=1) / safe_content / n
    return centroid_sim, sim, title_sim, content, shared, term_freq


def _term_stats_sparse(
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    n: int,
    n_terms: int,
    title_terms: npt.NDArray[np.intp],
) -> TermStats:
    """Return what ``_term_stats`` does, from a sparse matrix: for long texts.

    Time and memory grow with the number of words (and the sentence x sentence matrix), not
    with sentences x distinct terms; the values agree with ``_term_stats`` to rounding
    (tests/test_limits.py).
    """
    from scipy import sparse

    tf = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n_terms), dtype=np.float64)
    tf.sum_duplicates()
    df = np.bincount(tf.indices, minlength=n_terms)
    idf = np.log((n + 1) / (df + 0.5))
    unit = tf.copy()
    unit.data = np.log1p(unit.data) * idf[unit.indices]
    norms = np.sqrt(np.asarray(unit.multiply(unit).sum(axis=1)).ravel())
    unit = sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ unit)

    centroid = np.asarray(unit.sum(axis=0)).ravel()
    c_norm = np.linalg.norm(centroid)
    centroid_sim = unit @ (centroid / c_norm) if c_norm > 0 else np.zeros(n)
    shared_terms = unit[:, np.flatnonzero(df > 1)]
    sim = np.asarray((shared_terms @ shared_terms.T).toarray(), dtype=np.float64)
    np.fill_diagonal(sim, 0.0)

    title_sim = np.zeros(n)
    if len(title_terms):
        t_vec = np.zeros(n_terms)
        t_vec[title_terms] = idf[title_terms]
        t_norm = np.linalg.norm(t_vec)
        if t_norm > 0:
            title_sim = unit @ (t_vec / t_norm)

    content = np.diff(tf.indptr).astype(np.float64)
    safe_content = np.maximum(content, 1.0)
    row_of = np.repeat(np.arange(n), np.diff(tf.indptr))
    in_other = (df[tf.indices] > 1).astype(np.float64)
    shared = np.bincount(row_of, weights=in_other, minlength=n) / safe_content
    doc_freq = df[tf.indices].astype(np.float64)
    term_freq = np.bincount(row_of, weights=doc_freq, minlength=n) / safe_content / n
    return centroid_sim, sim, title_sim, content, shared, term_freq


def sentence_features(
    texts: Sequence[str],
    *,
    language: str = "en",
    title: str | None = None,
    dangling: Sequence[bool] | None = None,
) -> FloatArray:
    """Return the ``(len(texts), len(FEATURES))`` feature matrix of a document's sentences.

    ``dangling`` gives the sentences' dangling flags (``coherence.dangling_flags`` with the
    standalone forms), when the caller has them already; else they are computed here.
    """
    n = len(texts)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    stop = stopwords(language)
    said = ATTRIBUTION.get(language, _NO_WORDS)

    tokenized = [_WORD.findall(text.lower()) for text in texts]
    content_lists = [[tok for tok in tokens if tok not in stop] for tokens in tokenized]
    n_words = np.fromiter(map(len, tokenized), dtype=np.float64, count=n)
    attribution = np.fromiter(
        (not said.isdisjoint(tokens) for tokens in tokenized), dtype=np.float64, count=n
    )
    # The sentence-by-term counts of content words, columns in order of first appearance.
    vocab: dict[str, int] = {}
    cols = np.fromiter(
        (vocab.setdefault(tok, len(vocab)) for tok in chain.from_iterable(content_lists)),
        dtype=np.intp,
    )
    n_terms = max(len(vocab), 1)
    rows = np.repeat(np.arange(n), np.fromiter(map(len, content_lists), dtype=np.intp, count=n))
    title_terms = np.asarray(
        sorted({j for tok in _WORD.findall(title.lower()) if (j := vocab.get(tok)) is not None})
        if title
        else [],
        dtype=np.intp,
    )
    terms = _term_stats if n * n_terms <= DENSE_CELLS else _term_stats_sparse
    centroid_sim, sim, title_sim, content, shared, term_freq = terms(
        rows, cols, n, n_terms, title_terms
    )
    degree = sim.sum(axis=1) / max(n - 1, 1)
    before = np.tril(sim, k=-1)
    max_before = before.max(axis=1) if n > 1 else np.zeros(n)

    positions = np.arange(n, dtype=np.float64)
    chars, numbers, caps, quotes, question = _character_counts(texts)
    total_words = float(n_words.sum())

    out = np.empty((n, len(FEATURES)))
    out[:, 0] = positions
    out[:, 1] = positions / n
    out[:, 2] = 1.0 / (positions + 1.0)
    out[:, 3] = positions == 0
    out[:, 4] = n_words
    out[:, 5] = chars
    out[:, 6] = content
    out[:, 7] = 1.0 - content / np.maximum(n_words, 1.0)
    out[:, 8] = centroid_sim
    out[:, 9] = _rank(centroid_sim)
    out[:, 10] = degree
    out[:, 11] = _pagerank(sim)
    out[:, 12] = sim[:, 0] if n > 1 else 0.0
    out[:, 13] = title_sim
    out[:, 14] = max_before
    out[:, 15] = shared
    out[:, 16] = term_freq
    out[:, 17] = numbers
    out[:, 18] = caps
    out[:, 19] = quotes
    out[:, 20] = question
    out[:, 21] = attribution
    out[:, 22] = _rank(n_words)
    out[:, 23] = math.log1p(n)
    out[:, 24] = math.log1p(total_words)
    # Whether a sentence dangles once droppable connectives are dropped ("However, X" stands
    # alone): selection takes such a sentence only with its antecedent, so the model learns
    # how much a dangling sentence is worth (docs/summarizer.md, "dangles").
    if dangling is None:
        dangling = dangling_flags(texts, language, standalone_forms(texts, language))
    flags = np.asarray(dangling, dtype=np.float64)
    out[:, 25] = flags
    out[:, 26] = np.append(flags[1:], 0.0)
    return out


def _character_counts(
    texts: Sequence[str],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Return per sentence: characters, digits, capitalised words, quote marks, has "?"."""
    n = len(texts)
    chars = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    numbers = np.fromiter(map(len, map(_NUMBER.findall, texts)), dtype=np.float64, count=n)
    caps = np.fromiter(map(len, map(_CAPITALISED.findall, texts)), dtype=np.float64, count=n)
    quotes = np.fromiter(map(len, map(_QUOTES.findall, texts)), dtype=np.float64, count=n)
    question = np.fromiter(("?" in t for t in texts), dtype=np.float64, count=n)
    return chars, numbers, caps, quotes, question


def scored_texts(texts: Sequence[str]) -> list[str]:
    """Return an article's sentences as the features read them: the lede without its dateline.

    "(CNN) The Palestinian Authority…" is read as "The Palestinian Authority…", as every
    summary shows it (``datelines.strip_dateline``), so the lede looks like what it is.
    Training labels are computed on the same texts (``newsbrief.train``).
    """
    out = list(texts)
    if out:
        out[0] = strip_dateline(out[0]) or out[0]
    return out


def document_features(doc: Document, *, dangling: Sequence[bool] | None = None) -> FloatArray:
    """Return the feature matrix of ``doc``'s sentences (rows in article order).

    ``dangling``: the sentences' dangling flags, when known (see ``sentence_features``).
    """
    return sentence_features(
        scored_texts([s.text for s in doc.sentences]),
        language=doc.language,
        title=doc.title,
        dangling=dangling,
    )
