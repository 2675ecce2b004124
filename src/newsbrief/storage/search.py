"""Full-text search analysis, the same for both stores: what is indexed and what is looked up.

Both databases tokenize on spaces and know little of the languages newsbrief stores (SQLite's
FTS5 stems only English, with its ``porter`` tokenizer; PostgreSQL has a Snowball
configuration per language but no accent folding without the ``unaccent`` extension, and no
tokenizer for Chinese or Japanese). So the text is analysed here, once, and each database's
full-text index (an FTS5 table; a ``tsvector`` with the ``simple`` configuration and a GIN
index) is built over the result, the ``articles.search_text`` column:

* **Words** are lower-cased (``casefold``) and **accent-folded** (``autónomos`` →
  ``autonomos``, ``Zürich`` → ``zurich``), so a query with or without accents finds both.
* **Stems**: each word's Snowball stem in the article's language (``PyStemmer``, 30
  languages, the stemmers ``newsbrief.tokens`` uses) is indexed beside the word, so
  "volunteer" finds "Volunteers" and "autonomo" finds "autónomos". A query word is looked up
  as itself or as its stem in any language the store holds articles in.
* **Chinese, Japanese and Korean** runs are indexed as overlapping character pairs (a
  single character alone), the way CJK search engines index without a dictionary: "上海" and
  "老旧小区" (all of its pairs, in any order) are found inside a sentence written without
  spaces; Korean words with their particles attached ("서울에서") are found by "서울".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from newsbrief.errors import InvalidOptions
from newsbrief.tokens import STEMMER_LANGUAGES, stem

__all__ = ["query_groups", "search_document"]

#: Han ideographs, kana and Hangul: written without spaces between words (or, in Korean,
#: with particles glued to them); indexed as character pairs.
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
#: A run of CJK characters, or a word of any other script (letters and digits).
_TOKEN = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]+")


def _fold(word: str) -> str:
    """Return ``word`` lower-cased and without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _pairs(run: str) -> list[str]:
    """Return the overlapping character pairs of a CJK run (the run itself if one character)."""
    # NFKC first: half-width katakana and compatibility ideographs index as their usual forms.
    run = unicodedata.normalize("NFKC", run)
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def _words(text: str) -> Iterator[tuple[str, bool]]:
    """Yield the tokens of ``text``: (word, False) or (CJK character pair, True)."""
    for match in _TOKEN.finditer(text):
        token = match.group()
        if _CJK_RUN.fullmatch(token):
            for pair in _pairs(token):
                yield pair, True
        else:
            yield token, False


def search_document(parts: Iterable[str | None], language: str | None) -> str:
    """Return the text indexed for an article: its folded words, their stems, CJK pairs.

    ``parts`` are the title, description and text; ``language`` (ISO 639-1) picks the
    stemmer (none for a language Snowball lacks, or when unknown).
    """
    text = "\n".join(p for p in parts if p)
    stemming = (language or "").lower() in STEMMER_LANGUAGES
    out: list[str] = []
    words: list[str] = []
    for token, cjk in _words(text):
        if cjk:
            out.append(token)
            continue
        lowered = token.casefold()
        out.append(_fold(lowered))
        words.append(lowered)
    if stemming and words:
        assert language is not None
        distinct = sorted(set(words))
        stems = {
            w: _fold(s) for w, s in zip(distinct, stem(distinct, language.lower()), strict=True)
        }
        out.extend(sorted({s for w, s in stems.items() if s != _fold(w)}))
    return " ".join(out)


def query_groups(query: str, languages: Iterable[str | None]) -> list[list[str]]:
    """Return what to look up for a user's search string: groups of alternatives.

    An article matches when it holds, for every group, at least one of its tokens. A word's
    group is the folded word and its stems in ``languages`` (those of the stored articles);
    a CJK run gives one group per character pair. No query syntax reaches the database: the
    tokens are letters and digits only.

    Raises:
        InvalidOptions: the string holds no word at all (e.g. ``"*"``).
    """
    stemmers = sorted({lang.lower() for lang in languages if lang} & set(STEMMER_LANGUAGES))
    groups: list[list[str]] = []
    for token, cjk in _words(unicodedata.normalize("NFC", query)):
        if cjk:
            groups.append([token])
            continue
        lowered = token.casefold()
        alternatives = [_fold(lowered)]
        for language in stemmers:
            alternatives.append(_fold(stem([lowered], language)[0]))
        groups.append(list(dict.fromkeys(alternatives)))
    if not groups:
        raise InvalidOptions(f"search query {query!r} has no words to search for")
    return groups
