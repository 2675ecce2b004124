"""Extract an article's main text and metadata from an HTML page.

trafilatura finds the main text and the metadata; then the page's own furniture ("No time to
read? Get a summary", "Next Article", share prompts, photo credits...) is removed line by line
(``newsbrief.furniture``), and a headline repeated as the first line is dropped so a
summarizer never picks it as a sentence.

trafilatura runs with ``favor_precision=True`` and without comments: on the 85 pages of the
article-extraction benchmark that scored F1 0.973 against 0.960 for its defaults (precision
0.970 vs 0.941, recall 0.976 vs 0.980); see docs/benchmarks/extraction.md.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from newsbrief.charset import decode_bytes
from newsbrief.errors import EmptyInput, InputTooLarge, NoArticleText
from newsbrief.furniture import remove_furniture
from newsbrief.iso639 import normalize_language
from newsbrief.models import Article, wrong_type

__all__ = ["DEFAULT_MAX_BYTES", "MIN_CHARS", "check_size", "extract", "html_language", "too_large"]

#: Pages under this many characters of main text are refused as "no article text". The
#: shortest articleBody among the 85 benchmark pages is 382 characters; link lists and
#: error pages that trafilatura still returns text for are under 150.
MIN_CHARS = 200
#: Largest document accepted, in bytes (UTF-8 for ``str`` input). The biggest benchmark page
#: is 1.6 MB; 10 MB leaves room and keeps one request's memory bounded.
DEFAULT_MAX_BYTES = 10_000_000

_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][\w-]*)?", re.I)
_CONTENT_LANG = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?([A-Za-z]{2,3})""",
    re.I,
)
_LANG_SCAN_BYTES = 8192


def too_large(what: str, max_bytes: int, size: int | None = None) -> InputTooLarge:
    """Return the InputTooLarge error for ``what``, saying how to raise the limit."""
    amount = f"is {size:,} bytes, over" if size is not None else "is over"
    return InputTooLarge(
        f"{what} {amount} the limit of {max_bytes:,} bytes; "
        f"raise it with --max-bytes (max_bytes= in Python)"
    )


def check_size(size: int, max_bytes: int, what: str = "the document") -> None:
    """Raise InputTooLarge when ``size`` bytes is over ``max_bytes``."""
    if size > max_bytes:
        raise too_large(what, max_bytes, size)


def html_language(html: str | bytes) -> str | None:
    """Return the language a page declares (``<html lang>`` or Content-Language), lowercased."""
    head = html[:_LANG_SCAN_BYTES]
    data = head.encode("utf-8", "replace") if isinstance(head, str) else head
    match = _HTML_LANG.search(data) or _CONTENT_LANG.search(data)
    return match.group(1).decode("ascii").lower() if match else None


def _normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).strip(" .:")


def _drop_repeated_title(text: str, title: str | None) -> str:
    if not title:
        return text
    lines = text.split("\n")
    wanted = _normalize(title)
    while lines and _normalize(lines[0]) == wanted:
        lines.pop(0)
    return "\n".join(lines)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _check_arguments(
    html: object,
    *,
    min_chars: object,
    max_bytes: object,
    strings: dict[str, object],
) -> None:
    """Raise InvalidOptions for an argument of ``extract`` of the wrong type."""
    if not isinstance(html, (str, bytes)):
        raise wrong_type("html", "the page as a str or bytes", html)
    for name, value in strings.items():
        if value is not None and not isinstance(value, str):
            raise wrong_type(name, "a str or None", value)
    for name, number in (("min_chars", min_chars), ("max_bytes", max_bytes)):
        if isinstance(number, bool) or not isinstance(number, int):
            raise wrong_type(name, "an int", number)


def extract(
    html: str | bytes,
    *,
    url: str | None = None,
    min_chars: int = MIN_CHARS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    language: str | None = None,
    content_type: str | None = None,
    name: str | None = None,
) -> Article:
    """Extract the main text (one paragraph per line) and metadata of an HTML page.

    Args:
        html: the page, as text or as bytes (decoded from the Content-Type charset given in
            ``content_type``, the page's ``<meta charset>``, UTF-8, then detection).
        url: where the page came from; used for metadata and relative links.
        min_chars: fewest characters of main text accepted as an article.
        max_bytes: largest page accepted.
        name: what to call the page in error messages when there is no ``url`` (a file name).
        language: the article's language when known; otherwise detected from the text (the
            page's declared language only picks the furniture rules of the first pass).

    Raises:
        EmptyInput: the page is empty or whitespace only.
        InputTooLarge: the page is over ``max_bytes``.
        UndecodableInput: bytes that are binary or in no known encoding.
        NoArticleText: the main text is shorter than ``min_chars`` (or absent, as on a page
            that is only a list of links).
        InvalidOptions: an argument of the wrong type (``html`` not a str or bytes, ``url``
            not a str...), or ``language`` is not an ISO 639-1 code.
    """
    _check_arguments(
        html,
        min_chars=min_chars,
        max_bytes=max_bytes,
        strings={"url": url, "language": language, "content_type": content_type, "name": name},
    )
    if language:
        language = normalize_language(language)
    size = len(html) if isinstance(html, bytes) else len(html.encode("utf-8", "replace"))
    check_size(size, max_bytes)
    declared = html_language(html)
    if isinstance(html, bytes):
        html = decode_bytes(html, content_type=content_type)[0]
    if not html.strip():
        raise EmptyInput("the input is empty" if not html else "the input is only whitespace")

    import trafilatura

    # Imported here: it loads numpy, which `import newsbrief` should not pay for.
    from newsbrief.language import detect_language

    # Typed as Document | dict; with the default as_dict=False it is a Document or None.
    doc: Any = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        with_metadata=True,
    )
    raw = (doc.text or "") if doc is not None else ""
    title = _clean(doc.title) if doc is not None else None
    hint = (language or declared or "").lower() or None
    text = _drop_repeated_title(remove_furniture(raw, hint), title)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    where = url or name or "the page"
    if len(text) < min_chars:
        raise NoArticleText(
            f"{where}: no article text found (main text is {len(text)} characters, "
            f"below the minimum {min_chars})"
        )
    # A page's declared language is often a template default (lang="en" on a Spanish site),
    # so the text decides unless the caller said otherwise.
    lang = language.lower() if language else detect_language(text)
    if lang != hint:
        text = remove_furniture(text, lang)
    assert doc is not None  # text is non-empty, so trafilatura returned a document
    return Article(
        text=text,
        title=title,
        author=_clean(doc.author),
        date=_clean(doc.date),
        site=_clean(doc.sitename) or _clean(doc.hostname),
        url=_clean(doc.url) or url,
        language=lang,
        description=_clean(doc.description),
    )
