"""Extract an article's main text and metadata from an HTML page.

trafilatura finds the main text and the metadata; then the page's own furniture ("No time to
read? Get a summary", "Next Article", share prompts, photo credits...) is removed line by line
(``newsbrief.furniture``), and a headline repeated in the first lines (with a section label
such as "Review" just above it) is dropped so a summarizer never picks it as a sentence. The
title loses a site-name suffix ("... - VG247").

trafilatura runs with ``favor_precision=True`` and without comments: on the 85 pages of the
article-extraction benchmark that scored F1 0.973 against 0.960 for its defaults (precision
0.970 vs 0.941, recall 0.976 vs 0.980); see docs/benchmarks/extraction.md. Precision mode
also deletes words from inside sentences (see ``_keep_inline_text``), which is undone first,
and a body split into several containers by advertising rows is joined (``_join_split_body``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from newsbrief.charset import decode_bytes, gunzip
from newsbrief.errors import EmptyInput, InputTooLarge, NoArticleText
from newsbrief.furniture import SECTION_LABELS, find_furniture, remove_furniture
from newsbrief.iso639 import normalize_language
from newsbrief.models import Article, wrong_type
from newsbrief.textutil import check_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MIN_CHARS",
    "NON_TEXT_TAGS",
    "check_size",
    "extract",
    "html_language",
    "too_large",
]

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

# Why the page tree is edited before trafilatura sees it. In precision mode trafilatura 2.3.1
# deletes, besides boilerplate blocks:
# 1. every span (div, p, section...) whose class or id is the token "link", or starts or ends a
#    token with "bottom", or whose style mentions "border" (PRECISION_DISCARD_XPATH in
#    trafilatura/xpaths.py). Aimed at link boxes and page-bottom bars, it also deletes
#    ``reported that <span class="link"><a>the NFL will fine Rudolph</a></span> for his role``
#    from the middle of a sentence, leaving "reported that for his role".
# 2. empty elements (span, i, b, strong, div...) *with the text that follows them*
#    (prune_html in trafilatura/htmlprocessing.py keeps no tail in precision mode): an icon's
#    label ("<i class=fa-print></i>Print") goes, but so does a paragraph or the rest of a
#    sentence written after an empty span.
# So spans inside a paragraph that match (1) are unwrapped, and empty elements sitting in
# running text are removed with their tail kept; precision mode still prunes the rest.
_RE_NS = {"re": "http://exslt.org/regular-expressions"}
_LINK_TOKEN = r"'(^|\s)link(\s|$)'"
_BOTTOM_TOKEN = r"'(^|\s)bottom|bottom(\s|$)'"
_PRECISION_SPANS_IN_TEXT = (
    f".//p//span[re:test(@class, {_LINK_TOKEN}) or re:test(@id, {_LINK_TOKEN})"
    f" or re:test(@class, {_BOTTOM_TOKEN}) or re:test(@id, {_BOTTOM_TOKEN})"
    " or contains(@style, 'border')]"
    # hidden text stays out: trafilatura deletes it in every mode
    "[not(contains(@style, 'display:none') or contains(@style, 'display: none')"
    " or @aria-hidden='true' or contains(@class, 'hidden'))]"
)
# The elements trafilatura deletes when empty (CUT_EMPTY_ELEMS in trafilatura/settings.py).
_CUT_WHEN_EMPTY = (
    "article", "b", "blockquote", "dd", "div", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "i", "li", "main", "p", "pre", "q", "section", "span", "strong",
)  # fmt: skip
#: Text after an empty element is running text (kept) when words precede the element in its
#: parent, or when the text itself has this many words. Icon labels are mostly shorter ("Print
#: This Article", "Share it With Friends", "by India Post News Weekly"); on the 85 benchmark
#: pages the lost text that the ground truth holds starts at 7 words, and the longer tails that
#: are not article text (a membership pitch, "You can change the location at any time.") sit
#: in blocks that trafilatura prunes anyway.
MIN_RUNNING_WORDS = 6
# Some sites split an article's body into several containers of the same class with rows of
# advertising between them (Wired and the other Condé Nast titles: "body__container
# article__body"; The New York Times: "StoryBodyCompanionColumn"). trafilatura keeps the first
# container only: on the benchmark's Wired page it returned 45 % of the article. Such parts are
# moved into the first one before extraction (``_join_split_body``).
#: A class token naming an article body container.
_BODY_CLASS = re.compile(
    r"^(?:(?:article|story|post|entry)[-_]*(?:body|content|text)|body__container"
    r"|storybodycompanioncolumn)$",
    re.I,
)
#: A container is a part of the body only when it has a paragraph this long: lists of teasers
#: ("Popular posts", each a "post-content" box) have short ones.
MIN_BODY_PARAGRAPH = 150
#: Elements whose content is not page text (feeds' HTML stripping skips them too).
NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})
# A title ends (or starts) with the site's name after one of these: "... – TechCrunch".
_TITLE_SEPARATOR = r"\s+[-–—|]\s+"
_DOMAIN_SUFFIX = re.compile(r"\.(?:com|net|org|co\.uk|co|ca|de|fr|es|it|ru|in|info|news)$", re.I)
#: A repeated headline is looked for in this many first lines of the text.
HEADLINE_LINES = 2


def too_large(what: str, max_bytes: int, size: int | None = None) -> InputTooLarge:
    """Return the InputTooLarge error for ``what``, saying how to raise the limit."""
    amount = f"is {size:,} bytes, over" if size is not None else "is over"
    return InputTooLarge(
        f"{what} {amount} the limit of {max_bytes:,} bytes",
        hint="raise it with --max-bytes (max_bytes= in Python)",
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


def _in_running_text(elem: Any) -> bool:
    """Tell whether the text after the empty element ``elem`` is part of the article."""
    if next(elem.iterancestors("a"), None) is not None:
        return False  # an icon inside a link: the link is judged as a whole
    previous = elem.getprevious()
    if previous is not None:
        # a comment's tag is not a str, and its text is not the page's
        words = previous.text_content() if isinstance(previous.tag, str) else ""
        before = words + (previous.tail or "")
    else:
        before = elem.getparent().text or ""
    return bool(before.strip()) or len(elem.tail.split()) >= MIN_RUNNING_WORDS


def _keep_inline_text(tree: Any) -> None:
    """Unwrap the elements whose words trafilatura's precision mode would delete with them."""
    for span in tree.xpath(_PRECISION_SPANS_IN_TEXT, namespaces=_RE_NS):
        span.drop_tag()
    for elem in list(tree.iter(*_CUT_WHEN_EMPTY)):
        empty = elem.text is None and len(elem) == 0
        if empty and elem.tail and elem.tail.strip() and _in_running_text(elem):
            elem.drop_tag()


def _join_split_body(tree: Any) -> None:
    """Move the later parts of an article body split by advertising rows into the first part.

    Parts are div/section/article elements with the same tag and class list, a body class
    token (``_BODY_CLASS``) and a paragraph of ``MIN_BODY_PARAGRAPH`` characters, under the
    same grandparent and inside the same ``<article>`` (if any): the next story of an
    endless-scroll page sits further away or in an ``<article>`` of its own. Only page
    furniture may lie between one part and the next (an "Advertisement" label: every line
    matched by ``newsbrief.furniture``); any other text there is the article's, and joining
    would move it behind the second part, so a new run of parts starts. Each later part is
    appended whole to the first, so nothing of it is lost and the article's text keeps its
    order.
    """
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for elem in tree.iter("div", "section", "article"):
        classes = (elem.get("class") or "").split()
        if not any(_BODY_CLASS.match(token) for token in classes):
            continue
        parent = elem.getparent()
        grandparent = parent.getparent() if parent is not None else None
        if grandparent is None:
            continue
        if not any(len(p.text_content()) >= MIN_BODY_PARAGRAPH for p in elem.iter("p")):
            continue
        story = elem if elem.tag == "article" else next(elem.iterancestors("article"), None)
        groups.setdefault((elem.tag, " ".join(classes), grandparent, story), []).append(elem)
    elements: list[Any] = []
    order: dict[Any, int] = {}
    moves: list[tuple[Any, Any]] = []  # (part, the first part of its run), decided on the page
    for parts in groups.values():
        members = set(parts)
        outermost = [e for e in parts if not any(a in members for a in e.iterancestors())]
        if len(outermost) < 2:
            continue
        if not order:
            elements = list(tree.iter())
            order = {elem: i for i, elem in enumerate(elements)}
        first = outermost[0]
        for previous, part in itertools.pairwise(outermost):
            between = _text_between(previous, part, elements, order)
            if len(find_furniture(between)) < len(between):
                first = part  # article text in between: a new run of parts starts here
            else:
                moves.append((part, first))
    for part, first in moves:
        if part in first.iterancestors():
            continue  # parts of two classes nested the other way round: leave them be
        _keep_tail_in_place(part)
        first.append(part)


def _text_between(a: Any, b: Any, elements: list[Any], order: dict[Any, int]) -> list[str]:
    """Return the page's text pieces after element ``a`` (and all of its content), before ``b``.

    ``elements`` are the page's elements in document order (``tree.iter()``), ``order`` maps
    each to its index there. Each piece is one text node, stripped; blank ones are left out.
    """
    above_b = set(b.iterancestors())
    pieces = [a.tail]
    for ancestor in a.iterancestors():  # closing tags between a and b: their tails come next
        if ancestor in above_b:
            break
        pieces.append(ancestor.tail)
    end_of_a = max(order[e] for e in a.iter())
    for elem in elements[end_of_a + 1 : order[b]]:
        if isinstance(elem.tag, str) and elem.tag not in NON_TEXT_TAGS:
            pieces.append(elem.text)
        if elem not in above_b:  # an ancestor of b: its tail comes after b
            pieces.append(elem.tail)
    return [p.strip() for p in pieces if p and p.strip()]


def _keep_tail_in_place(elem: Any) -> None:
    """Detach ``elem``'s tail (lxml moves it with the element) and leave it where it was.

    It goes after the text already there, on a line of its own, so two labels such as
    "Advertisement" do not run into one word.
    """
    tail, elem.tail = elem.tail, None
    if not tail:
        return
    previous = elem.getprevious()
    if previous is not None:
        previous.tail = "\n".join(t for t in (previous.tail, tail) if t)
    else:
        parent = elem.getparent()
        parent.text = "\n".join(t for t in (parent.text, tail) if t)


def _site_names(doc: Any, tree: Any) -> list[str]:
    """Return the names a page gives its site (trafilatura's sitename, og:site_name)."""
    names = [_clean(doc.sitename)]
    if tree is not None:
        og = tree.xpath("//meta[@property='og:site_name' or @name='og:site_name']/@content")
        names.extend(_clean(value) for value in og[:1])
    found: list[str] = []
    for name in names:
        if name:
            found.extend([name, _DOMAIN_SUFFIX.sub("", name)])
    return list(dict.fromkeys(n for n in found if n))


def _strip_site_name(title: str | None, names: list[str]) -> str | None:
    """Return ``title`` without the site name after (or before) a separator: "... | Site"."""
    if not title:
        return title
    for name in names:
        escaped = re.escape(name)
        for pattern in (
            rf"{_TITLE_SEPARATOR}{escaped}$",
            rf"^{escaped}(?:{_TITLE_SEPARATOR}|:\s+)",
        ):
            rest = re.sub(pattern, "", title, count=1, flags=re.IGNORECASE).strip()
            if rest != title and re.search(r"\w", rest):
                return rest
    return title


def _home_headings(tree: Any, url: str | None) -> list[str]:
    """Return the texts of the h1 headings that link to the site's home page.

    A heading inside a link to "/" (or holding one) is the site's name in the page header
    ("<a href="/"><h1>엔터 미디어</h1></a>"), never the article's headline.
    """
    homes = ["/", "./"]
    if url:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.netloc and "'" not in origin:
            homes += [origin, origin + "/"]
    home = " or ".join(f"@href='{h}'" for h in homes)
    headings = tree.xpath(f"//a[{home}]//h1 | //h1[.//a[{home}]]")
    texts = (_clean(" ".join(h.itertext())) for h in headings)
    return list(dict.fromkeys(t for t in texts if t))


def _headline_from_title_element(tree: Any, names: list[str]) -> str | None:
    """Return the page's <title> without the site's name: its longest part between separators."""
    title = _clean(" ".join(tree.xpath("//head/title//text() | /html/title//text()")))
    title = _strip_site_name(title, names)
    if not title:
        return None
    parts = [p for p in re.split(_TITLE_SEPARATOR, title) if re.search(r"\w", p)]
    return max(parts, key=len) if parts else None


def _normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).strip(" .:")


def _drop_repeated_title(text: str, titles: list[str | None]) -> str:
    """Drop the headline repeated in the first lines, with a section label just above it."""
    wanted = {_normalize(title) for title in titles if title}
    if not wanted:
        return text
    lines = text.split("\n")
    i = 0
    while i < min(HEADLINE_LINES, len(lines)):
        if _normalize(lines[i]) not in wanted:
            i += 1
            continue
        start = i - 1 if i > 0 and _normalize(lines[i - 1]) in SECTION_LABELS else i
        del lines[start : i + 1]
        i = start  # the next line may repeat it again
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
        InvalidText: a str page holding a lone surrogate (a code point that is not a character).
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
    if isinstance(html, bytes):
        html = gunzip(html, max_bytes=max_bytes, what=url or name or "the page")
    if isinstance(html, str):
        check_text(html, name or "the page")
    declared = html_language(html)
    if isinstance(html, bytes):
        html = decode_bytes(html, content_type=content_type)[0]
    if not html.strip():
        raise EmptyInput("the input is empty" if not html else "the input is only whitespace")

    import trafilatura

    # Imported here: it loads numpy, which `import newsbrief` should not pay for.
    from newsbrief.language import detect_language

    # Parsed as trafilatura would, so the tree can be fixed before it is pruned.
    tree: Any = trafilatura.load_html(html)
    if tree is not None:
        _join_split_body(tree)
        _keep_inline_text(tree)
    # Typed as Document | dict; with the default as_dict=False it is a Document or None.
    doc: Any = trafilatura.bare_extraction(
        tree if tree is not None else html,
        url=url,
        favor_precision=True,
        include_comments=False,
        with_metadata=True,
    )
    raw = (doc.text or "") if doc is not None else ""
    page_title = _clean(doc.title) if doc is not None else None
    names = _site_names(doc, tree) if doc is not None else []
    title = _strip_site_name(page_title, names) if doc is not None else None
    home_names = _home_headings(tree, url) if tree is not None and title else []
    if title and _normalize(title) in {_normalize(n) for n in home_names}:
        # trafilatura took the header's site name for the headline: the <title> has it.
        title = _headline_from_title_element(tree, [*names, *home_names]) or title
    hint = (language or declared or "").lower() or None
    text = remove_furniture(raw, hint)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    text = _drop_repeated_title(text, [title, page_title])
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
        site=_clean(doc.sitename) or (home_names[0] if home_names else _clean(doc.hostname)),
        url=_clean(doc.url) or url,
        language=lang,
        description=_clean(doc.description),
    )
