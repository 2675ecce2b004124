"""The one pipeline every front end calls: text/article -> document -> summary."""

from __future__ import annotations

import time

from newsbrief import summarizers
from newsbrief.errors import EmptyInput, NoArticleText
from newsbrief.iso639 import normalize_language
from newsbrief.language import detect_language
from newsbrief.models import Article, Document, Length, Summary, SummaryOptions
from newsbrief.sentences import split_sentences
from newsbrief.textutil import article_from_text


def prepare(source: Article | str, *, language: str | None = None) -> Document:
    """Split an article (or plain text) into sentences in its detected or given language.

    Raises:
        EmptyInput: the text is empty or whitespace only.
        NoArticleText: no sentence could be found.
        InvalidOptions: the given (or the article's) language is not an ISO 639-1 code.
    """
    article = source if isinstance(source, Article) else article_from_text(source)
    if not article.text.strip():
        raise EmptyInput("the article text is empty")
    forced = language or article.language
    lang = normalize_language(forced) if forced else detect_language(article.text)
    sentences = split_sentences(article.text, lang)
    if not sentences:
        raise NoArticleText("no sentences found in the article text")
    return Document(article=article, sentences=tuple(sentences), language=lang)


def summarize(
    source: Article | Document | str,
    *,
    method: str = "default",
    sentences: int | None = None,
    words: int | None = None,
    ratio: float | None = None,
    language: str | None = None,
    options: SummaryOptions | None = None,
) -> Summary:
    """Summarize an article, a prepared document or plain text.

    Either pass ``options`` (as the front ends do) or the keyword shortcuts; not both.

    Raises:
        UnknownSummarizer: ``method`` is not registered (the message lists what is).
        InvalidOptions: more than one of sentences/words/ratio, or out of range.
        EmptyInput, NoArticleText: nothing to summarize.
    """
    if options is None:
        options = SummaryOptions(
            method=method,
            length=Length.of(sentences=sentences, words=words, ratio=ratio),
            language=language,
        )
    summarizer = summarizers.get(options.method, **dict(options.config))
    t0 = time.perf_counter()
    doc = source if isinstance(source, Document) else prepare(source, language=options.language)
    t1 = time.perf_counter()
    output = summarizer.summarize(doc, options)
    t2 = time.perf_counter()
    return Summary(
        sentences=output.sentences,
        method=summarizers.resolve(options.method),
        language=doc.language,
        kind=summarizer.kind,
        article=doc.article,
        length=options.length,
        timings={"prepare_s": t1 - t0, "summarize_s": t2 - t1},
        info=output.info,
    )
