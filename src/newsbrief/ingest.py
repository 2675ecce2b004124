"""Turn what a user hands over — a URL, a file, standard input, bytes or text — into an Article.

HTML and plain text are told apart by their content (``looks_like_html``), never by a file
name: a ``.txt`` file holding a saved page is HTML, a page served as ``text/plain`` with
markup in it is HTML, a ``.html`` file with no tags is text.

Plain text becomes an Article with its paragraphs normalised and the same furniture removed
as from pages (a pasted article often carries "Read more" or "Next Article" lines). When its
first paragraph looks like a headline — at most ``MAX_TITLE_WORDS`` words (a Chinese or
Japanese character counts as one), not ending like a sentence (also "。"), with more text
after it — it becomes the title and leaves the text, so no summarizer picks a headline as a
sentence. Plain text has no minimum length: what the user typed is what they want summarized.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsbrief.charset import decode_bytes, gunzip
from newsbrief.errors import EmptyInput, InputError
from newsbrief.extract import DEFAULT_MAX_BYTES, MIN_CHARS, check_size, extract, too_large
from newsbrief.furniture import remove_furniture
from newsbrief.iso639 import normalize_language
from newsbrief.language import detect_language
from newsbrief.models import Article, wrong_type
from newsbrief.textutil import MAX_TITLE_WORDS, check_text, count_words, normalize_text

__all__ = [
    "MAX_TITLE_WORDS",
    "Source",
    "load_article",
    "load_source",
    "looks_like_html",
    "read_source",
    "text_article",
]

#: Characters searched for tags when deciding whether a text is HTML.
SNIFF_CHARS = 4096

_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|p|br|span|section|h[1-6]"
    r"|table|ul|ol|li|a|script|style|link)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://", re.IGNORECASE)
#: A first line ending with one of these (after any closing quotes) is text, not a headline:
#: Latin, and the full-width marks of Chinese and Japanese ("…很多。”").
_SENTENCE_END = (".", "!", ",", ";", ":", "…", "。", "！", "，", "；", "：", "．", "｡", "、")
_CLOSERS = "\"'”’»」』）)] "


@dataclass(frozen=True)
class Source:
    """Raw input read from a URL, a file or standard input, not yet decoded."""

    data: bytes
    name: str
    url: str | None = None
    content_type: str | None = None


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` is HTML: a doctype or a common tag in its first characters."""
    return _HTML_TAG.search(text[:SNIFF_CHARS]) is not None


def _split_title(text: str) -> tuple[str | None, str]:
    first, _, rest = text.partition("\n")
    words = count_words(first)
    ends_like_text = first.rstrip(_CLOSERS).endswith(_SENTENCE_END)
    if rest.strip() and 0 < words <= MAX_TITLE_WORDS and not ends_like_text:
        return first.strip(), rest
    return None, text


def text_article(
    text: str, *, url: str | None = None, language: str | None = None, title: str | None = None
) -> Article:
    """Return an Article from plain text: paragraphs normalised, furniture and headline split off.

    Raises:
        EmptyInput: nothing but whitespace (or only furniture).
        InvalidOptions: ``text`` is not a str.
        InvalidText: ``text`` holds a lone surrogate (a code point that is not a character).
    """
    if not isinstance(text, str):
        raise wrong_type("text", "a str", text)
    check_text(text, "the text")
    if not text.strip():
        raise EmptyInput("the input is empty" if not text else "the input is only whitespace")
    lang = normalize_language(language) if language else detect_language(text)
    # Furniture is found on the lines as given (a widget label is a line of its own), then
    # again once hard-wrapped lines are joined into paragraphs.
    body = remove_furniture(normalize_text(remove_furniture(text, lang)), lang)
    if title is None:
        title, body = _split_title(body)
    if not body.strip():
        raise EmptyInput("the input has no text besides page furniture")
    return Article(text=body, title=title, url=url, language=lang)


def load_article(
    source: str | bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    language: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_chars: int = MIN_CHARS,
    name: str | None = None,
) -> Article:
    """Return the Article in ``source``, an HTML page or plain text (told apart by content).

    Args:
        source: the page or text; bytes are decompressed when they are gzip (by the magic
            number) and decoded (``content_type``'s charset, the page's ``<meta charset>``,
            UTF-8, then detection).
        url: where it came from, kept in the metadata.
        language: force the article's language (detected otherwise).
        max_bytes: largest input accepted.
        min_chars: fewest characters of main text accepted from an HTML page.
        name: what to call the input in error messages (a file name).

    Raises:
        EmptyInput, UndecodableInput, InputTooLarge, NoArticleText.
        InvalidOptions: ``source`` is neither a str nor bytes.
    """
    if not isinstance(source, (str, bytes)):
        raise wrong_type("source", "a str or bytes (a page or plain text)", source)
    size = len(source) if isinstance(source, bytes) else len(source.encode("utf-8", "replace"))
    check_size(size, max_bytes)
    if isinstance(source, bytes):
        source = gunzip(source, max_bytes=max_bytes, what=name or url or "the input")
    text = (
        decode_bytes(source, content_type=content_type)[0] if isinstance(source, bytes) else source
    )
    if not text.strip():
        raise EmptyInput("the input is empty" if not text else "the input is only whitespace")
    if looks_like_html(text):
        return extract(
            text, url=url, language=language, min_chars=min_chars, max_bytes=max_bytes, name=name
        )
    return text_article(text, url=url, language=language)


def read_source(
    arg: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float | None = None,
    allow_private_networks: bool = True,
    stdin: BinaryIO | None = None,
) -> Source:
    """Read what ``arg`` names: ``-`` for standard input, an http(s) URL, or a file path.

    URLs are fetched with ``newsbrief.fetch.fetch`` (private networks allowed by default: this
    is for a person's own command line; a server must pass False).

    Raises:
        InputError: the file does not exist, is a directory or cannot be read.
        InputTooLarge: more than ``max_bytes`` (a device or pipe that never ends included).
        FetchError and its subclasses: the URL could not be fetched.
    """
    if arg == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_large("standard input", max_bytes)
        return Source(data=data, name="<stdin>")
    if _URL.match(arg):
        from newsbrief.fetch import DEFAULT_TIMEOUT, fetch

        page = fetch(
            arg,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            max_bytes=max_bytes,
            allow_private_networks=allow_private_networks,
        )
        content_type = page.content_type
        if "charset" not in content_type.lower():
            content_type = f"{content_type or 'text/html'}; charset={page.encoding}"
        return Source(data=page.body, name=arg, url=page.final_url, content_type=content_type)
    path = Path(arg)
    if not path.exists():
        raise InputError(f"{arg}: no such file (give a file, a http(s):// URL, or - for stdin)")
    if path.is_dir():
        raise InputError(f"{arg}: is a directory, not a file")
    check_size(path.stat().st_size, max_bytes, what=arg)
    # A device or a pipe (/dev/zero, a FIFO) has no size to check first: read at most one byte
    # past the limit, so one that never ends is cut off there.
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{arg}: cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise too_large(arg, max_bytes)
    return Source(data=data, name=arg)


def load_source(
    arg: str,
    *,
    language: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_chars: int = MIN_CHARS,
    timeout: float | None = None,
    allow_private_networks: bool = True,
    stdin: BinaryIO | None = None,
) -> Article:
    """Read ``arg`` (``-``, a URL or a file) and return its Article: what the CLI calls."""
    source = read_source(
        arg,
        max_bytes=max_bytes,
        timeout=timeout,
        allow_private_networks=allow_private_networks,
        stdin=stdin,
    )
    return load_article(
        source.data,
        url=source.url,
        content_type=source.content_type,
        language=language,
        max_bytes=max_bytes,
        min_chars=min_chars,
        name=source.name,
    )
