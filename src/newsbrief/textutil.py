"""Plain-text helpers: normalising user text into an Article."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from newsbrief.errors import InvalidText

if TYPE_CHECKING:
    from newsbrief.models import Article

#: Longest first paragraph taken as a plain text's headline (``newsbrief.ingest``), and longest
#: line without an end mark that extractive summaries rank as a heading (``newsbrief.summarizers.
#: select.is_prose``). News headlines run 6–15 words; 20 leaves room for long ones while a
#: one-sentence lead paragraph (25+ words) stays text.
MAX_TITLE_WORDS = 20
#: Han ideographs (CJK Unified with Extension A, compatibility ideographs) and Japanese kana:
#: Chinese and Japanese put no spaces between words, and count length in these characters.
_HAN_KANA = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_KANA_CHAR = re.compile(f"[{_HAN_KANA}]")
#: ...and the punctuation written with them (CJK symbols, full-width and half-width forms),
#: after which no space is written either.
_UNSPACED = re.compile(f"[{_HAN_KANA}\u3000-\u303f\uff00-\uffef]")
#: Closing quotes shared with other scripts (Chinese closes a quotation with ” and ’).
_QUOTES_CLOSING = "\"'”’)]"
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
#: One word as ``count_words`` counts it: a Han or kana character, or a run of other
#: non-space characters that holds a letter or digit (punctuation alone is skipped).
_WORD_TOKEN = re.compile(f"[{_HAN_KANA}]|[^\\s{_HAN_KANA}]*[^\\W_][^\\s{_HAN_KANA}]*")
_BLANK_LINES = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
#: A space character other than " " (tab, no-break, typographic widths, zero width, CJK).
_OTHER_SPACE = re.compile(r"[\t\u00a0\u2000-\u200b\u3000]")


#: A lone surrogate: a UTF-16 half that is not a character and that no UTF encodes. Python
#: strings hold one after a JSON ``"\\ud800"`` escape or a ``surrogateescape`` decoding.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str) -> None:
    """Refuse a string that holds a lone surrogate (it cannot be stored, shown or answered).

    Raises:
        InvalidText: naming ``what``, the code point and its position (from 1).
    """
    found = _SURROGATE.search(value)
    if found is not None:
        raise InvalidText(
            f"{what} holds U+{ord(found.group()):04X} at character {found.start() + 1}, a lone "
            "surrogate, which is not a Unicode character (was the text decoded or escaped "
            "wrongly?); send it as UTF-8"
        )


def alternation(words: Iterable[str]) -> str:
    """Return a regular-expression alternation of ``words``, escaped, longest first.

    Longest first, so that of two words where one starts the other ("mar", "mardi") the
    longer one is tried first.
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def count_words(text: str) -> int:
    """Return the number of words in ``text``, for length limits and the headline rule.

    Words are separated by spaces, except in Chinese and Japanese, which write none: there
    each Han or kana character counts as one, as their word processors count length (字数,
    文字数). Korean separates its words with spaces.
    """
    if text.isascii():
        return len(text.split())
    characters = len(_HAN_KANA_CHAR.findall(text))
    if not characters:
        return len(text.split())
    # What is left between them counts as words when it holds a letter or digit ("iPhone 17"),
    # not when it is only punctuation (the “ ” Chinese shares with other scripts).
    rest = _UNSPACED.sub(" ", text).split()
    return characters + sum(1 for token in rest if _LETTER_OR_DIGIT.search(token))


def cut_words(text: str, limit: int) -> str:
    """Return ``text`` cut after ``limit`` words (as ``count_words`` counts them), with "…".

    Text within the limit is returned unchanged; a cut drops the punctuation it ends on.
    """
    if count_words(text) <= limit:
        return text
    end = 0
    for n, token in enumerate(_WORD_TOKEN.finditer(text), 1):
        end = token.end()
        if n == limit:
            break
    return text[:end].rstrip(" ,;:、，；：-–—") + "…"


def join_sentences(sentences: Iterable[str]) -> str:
    """Return ``sentences`` as one text: a space between two, none after a Chinese or
    Japanese sentence ("很多。不过…"), which is how those languages write running text."""
    out: list[str] = []
    for sentence in sentences:
        # The end mark decides, not a closing quote after it ('很多。”' as much as '很多。').
        if out and not _UNSPACED.match(out[-1].rstrip(_QUOTES_CLOSING)[-1:]):
            out.append(" ")
        out.append(sentence)
    return "".join(out)


def normalize_text(text: str) -> str:
    """Return ``text`` with one paragraph per line.

    Blank lines separate paragraphs. Single newlines inside a paragraph are hard wraps and are
    joined, unless the text has no blank lines at all, in which case every line is a paragraph
    (the form trafilatura and most feeds produce).
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _BLANK_LINES.search(text):
        blocks = _BLANK_LINES.split(text)
        paragraphs = [
            " ".join(line.strip() for line in b.split("\n") if line.strip()) for b in blocks
        ]
    else:
        paragraphs = text.split("\n")
    cleaned = (_collapse_spaces(p).strip() for p in paragraphs)
    return "\n".join(p for p in cleaned if p)


def _collapse_spaces(paragraph: str) -> str:
    """Return ``paragraph`` with every run of spaces made one " "."""
    # Most text has nothing to collapse, and _SPACES.sub visits every single space (0.1 ms for
    # a CNN/DM article), so look for a double space or another space character first.
    if "  " in paragraph or "\t" in paragraph:
        return _SPACES.sub(" ", paragraph)
    if paragraph.isascii() or not _OTHER_SPACE.search(paragraph):
        return paragraph
    return _SPACES.sub(" ", paragraph)


def article_from_text(text: str, *, title: str | None = None, url: str | None = None) -> Article:
    """Wrap plain text as an Article (paragraphs normalised, no metadata).

    Raises:
        InvalidOptions: ``text`` is not a str.
    """
    # Imported here: models imports this module (word counts, sentence joining).
    from newsbrief.models import Article, wrong_type

    if not isinstance(text, str):
        raise wrong_type("text", "a str", text)
    return Article(text=normalize_text(text), title=title, url=url)
