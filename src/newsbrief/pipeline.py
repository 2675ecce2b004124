"""The one pipeline every front end calls: text/page/article -> document -> summary."""

from __future__ import annotations

import dataclasses
import time

from newsbrief import limits, summarizers
from newsbrief.charset import decode_bytes
from newsbrief.errors import BadBackendResponse, EmptyInput, InvalidOptions, NoArticleText
from newsbrief.extract import extract
from newsbrief.ingest import looks_like_html
from newsbrief.iso639 import normalize_language
from newsbrief.language import detect_language
from newsbrief.limits import check_deadline, check_time_limit, deadline
from newsbrief.models import Article, Cut, Document, Length, Summary, SummaryOptions, wrong_type
from newsbrief.sentences import split_sentences
from newsbrief.textutil import article_from_text, check_text


def _article(source: Article | str | bytes, *, language: str | None, expected: str) -> Article:
    """Return the Article in ``source``: as given, extracted from a page, or from plain text."""
    if isinstance(source, Article):
        if not isinstance(source.text, str):
            raise wrong_type("the Article's text", "a str", source.text)
        for name, value in source.to_dict().items():
            if isinstance(value, str):
                check_text(value, f"the article's {name}")
        return source
    if isinstance(source, bytes):
        # As the CLI reads a file: BOM, <meta charset>, UTF-8, then detection.
        source = decode_bytes(source)[0]
    if not isinstance(source, str):
        raise wrong_type("source", expected, source)
    check_text(source, "the text")
    if looks_like_html(source):
        return extract(source, language=language)
    return article_from_text(source)


def prepare(source: Article | str | bytes, *, language: str | None = None) -> Document:
    """Split an article, a page or plain text into sentences in its detected or given language.

    Args:
        source: an Article; a ``str`` holding an HTML page (told apart from plain text by its
            content, as the CLI does: a doctype or a common tag near the start), whose article
            is extracted with ``newsbrief.extract``; a ``str`` of plain text, taken as given
            (paragraphs normalised, nothing removed); or ``bytes`` of either, decoded as the
            CLI decodes a file (byte-order mark, ``<meta charset>``, UTF-8, then detection).
        language: force the article's language (an ISO 639-1 code); detected otherwise.

    Raises:
        InvalidOptions: ``source`` or ``language`` of the wrong type, or a language that is not
            an ISO 639-1 code.
        EmptyInput: the text is empty or whitespace only.
        UndecodableInput: bytes that are binary or in no known encoding.
        NoArticleText: no sentence could be found, or a page with no article text.
        InputTooLarge: a page over ``newsbrief.extract``'s size limit.
        InvalidText: text holding a lone surrogate (a code point that is not a character).
    """
    if language is not None and not isinstance(language, str):
        raise wrong_type("language", "a str (an ISO 639-1 code such as en) or None", language)
    article = _article(source, language=language, expected="an Article, a str or bytes")
    return _split(article, language)


def _split(article: Article, language: str | None) -> Document:
    if not article.text.strip():
        raise EmptyInput("the article text is empty")
    forced = language or article.language
    lang = normalize_language(forced) if forced else detect_language(article.text)
    text, cut = _head(article.text)
    sentences = split_sentences(text, lang)
    if not sentences:
        raise NoArticleText("no sentences found in the article text")
    if cut is not None:
        cut = dataclasses.replace(cut, kept_chars=sentences[-1].end, kept_sentences=len(sentences))
    return _bounded(Document(article=article, sentences=tuple(sentences), language=lang, cut=cut))


def _head(text: str) -> tuple[str, Cut | None]:
    """Return the first ``MAX_ARTICLE_CHARS`` characters of ``text``, cut at a paragraph break.

    Cut at the last paragraph break in the second half of the allowance, else at the last
    space, else in the middle of a word (a text without spaces).
    """
    if len(text) <= limits.MAX_ARTICLE_CHARS:
        return text, None
    head = text[: limits.MAX_ARTICLE_CHARS]
    for mark in ("\n", " "):
        at = head.rfind(mark)
        if at >= limits.MAX_ARTICLE_CHARS // 2:
            head = head[:at]
            break
    # kept_chars and kept_sentences are filled in once the head is split.
    return head, Cut("max_article_chars", len(head), len(text), 0)


def _bounded(doc: Document) -> Document:
    """Return ``doc`` with at most ``MAX_ARTICLE_SENTENCES`` sentences (its first ones)."""
    n = len(doc.sentences)
    if n <= limits.MAX_ARTICLE_SENTENCES:
        return doc
    kept = doc.sentences[: limits.MAX_ARTICLE_SENTENCES]
    cut = Cut(
        "max_article_sentences",
        kept_chars=kept[-1].end,
        total_chars=len(doc.article.text),
        kept_sentences=len(kept),
        # Sentences after the character limit were never counted.
        total_sentences=None if doc.cut is not None else n,
    )
    return dataclasses.replace(doc, sentences=kept, cut=cut)


def summarize(
    source: Article | Document | str | bytes,
    *,
    method: str = "default",
    sentences: int | None = None,
    words: int | None = None,
    ratio: float | None = None,
    language: str | None = None,
    options: SummaryOptions | None = None,
    time_limit: float | None = None,
) -> Summary:
    """Summarize an article, a prepared document, an HTML page or plain text.

    A ``str`` is an HTML page when it starts like one (a doctype or a common tag near the
    start, as the CLI decides): its article is extracted first, as ``newsbrief.extract``
    does. Any other ``str`` is plain text, summarized as given. ``bytes`` are decoded as the
    CLI decodes a file (byte-order mark, ``<meta charset>``, UTF-8, then detection) and then
    treated as a ``str``. See ``prepare``.

    Either pass ``options`` (as the front ends do) or the keyword shortcuts; not both.

    An article longer than the limits of ``newsbrief.limits`` is summarized from its beginning
    (``MAX_ARTICLE_CHARS`` characters, ``MAX_ARTICLE_SENTENCES`` sentences) and the summary's
    ``info["cut"]`` says how much was read. ``time_limit`` is the most seconds the call may
    take (default ``SUMMARY_TIME_LIMIT``, or ``ABSTRACTIVE_TIME_LIMIT`` for an abstractive
    method).

    Raises:
        UnknownSummarizer: ``method`` is not registered (the message lists what is).
        InvalidOptions: an argument of the wrong type (``source``, ``sentences="3"``,
            ``sentences=2.5``...), more than one of sentences/words/ratio, a length out of
            range, an unknown language, or both ``options`` and a shortcut.
        EmptyInput, NoArticleText: nothing to summarize.
        UndecodableInput: bytes that are binary or in no known encoding.
        InputTooLarge: a page over ``newsbrief.extract``'s size limit.
        InvalidText: text holding a lone surrogate (a code point that is not a character).
        SummaryTimeout: the call ran past ``time_limit``.
    """
    limit = check_time_limit(time_limit)
    if options is None:
        options = SummaryOptions(
            method=method,
            length=Length.of(sentences=sentences, words=words, ratio=ratio),
            language=language,
        )
    else:
        if not isinstance(options, SummaryOptions):
            raise wrong_type("options", "a newsbrief.SummaryOptions or None", options)
        shortcuts = {"sentences": sentences, "words": words, "ratio": ratio, "language": language}
        given = [name for name, value in shortcuts.items() if value is not None]
        if method != "default":
            given.insert(0, "method")
        if given:
            raise InvalidOptions(
                f"give either options or the keyword shortcuts, not both (got options and "
                f"{', '.join(given)})"
            )
    summarizer = summarizers.get(options.method, **dict(options.config))
    if options.format == "headline" and summarizer.kind == "extractive":
        # A headline is one short line: an extractive method's is its one-sentence summary
        # (``newsbrief.formatting.headline`` cuts it to a headline's length).
        options = dataclasses.replace(options, length=Length.of(sentences=1))
    if limit is None:
        abstractive = summarizer.kind == "abstractive"
        limit = limits.ABSTRACTIVE_TIME_LIMIT if abstractive else limits.SUMMARY_TIME_LIMIT
    with deadline(limit):
        t0 = time.perf_counter()
        if isinstance(source, Document):
            doc = _bounded(source)
        else:
            article = _article(
                source,
                language=options.language,
                expected="an Article, a Document, a str or bytes",
            )
            check_deadline("extraction")
            doc = _split(article, options.language)
        t1 = time.perf_counter()
        check_deadline("sentence splitting")
        output = summarizer.summarize(doc, options)
        t2 = time.perf_counter()
    if not output.sentences:
        # The built-ins never do (extractive ones always take a sentence; abstractive ones
        # raise on an empty answer); a plug-in must not pass an empty summary off as one.
        raise BadBackendResponse(
            f"the {summarizers.resolve(options.method)!r} summarizer returned an empty summary "
            f"for an article of {len(doc.sentences)} sentences"
        )
    info = {**output.info, "cut": doc.cut.to_dict()} if doc.cut is not None else output.info
    return Summary(
        sentences=output.sentences,
        method=summarizers.resolve(options.method),
        language=doc.language,
        kind=summarizer.kind,
        article=doc.article,
        length=options.length,
        timings={"prepare_s": t1 - t0, "summarize_s": t2 - t1},
        info=info,
    )
