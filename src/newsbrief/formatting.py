"""Render a Summary (or an Article) as text, bullets, Markdown or JSON for the front ends."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from newsbrief.errors import InvalidOptions
from newsbrief.models import FORMATS, Article, Summary, SummarySentence
from newsbrief.textutil import MAX_TITLE_WORDS, cut_words, join_sentences

__all__ = [
    "ARTICLE_FORMATS",
    "UNSUPPORTED_LABEL",
    "flagged_note",
    "headline",
    "render",
    "render_article",
    "summary_dict",
]

#: What follows a sentence the faithfulness check could not support (the site says the same).
UNSUPPORTED_LABEL = "(not found in the article)"

#: Formats ``render_article`` knows.
ARTICLE_FORMATS: tuple[str, ...] = ("text", "json")


def _source_line(summary: Summary) -> str:
    article = summary.article
    parts: list[str] = []
    if article is not None:
        site = article.site or article.url
        if site and article.url:
            parts.append(f"[{site}]({article.url})")
        elif site:
            parts.append(site)
        if article.date:
            parts.append(article.date)
    parts.append(f"summarized by `{summary.method}`")
    return "Source: " + " · ".join(parts)


def _marked(sentence: SummarySentence, label: str = UNSUPPORTED_LABEL) -> str:
    """Return the sentence's text, followed by ``label`` when the faithfulness check could not
    support it."""
    return f"{sentence.text} {label}" if sentence.supported is False else sentence.text


def flagged_note(summary: Summary) -> str | None:
    """Return the line saying how many sentences the faithfulness check flagged, if any."""
    flagged = sum(1 for s in summary.sentences if s.supported is False)
    if not flagged:
        return None
    total = len(summary.sentences)
    return (
        f"{flagged} of {total} sentence{'s' if total != 1 else ''} could not be found in the "
        f"article by the faithfulness check: marked {UNSUPPORTED_LABEL}."
    )


def headline(summary: Summary, *, mark_unsupported: bool = True) -> str:
    """Return ``summary`` as one short line.

    An abstractive method was asked for a headline; an extractive one gives its one-sentence
    summary (``newsbrief.pipeline.summarize`` asks for one sentence with this format). Either
    is cut to ``MAX_TITLE_WORDS`` words, a long headline's length.
    """
    line = cut_words(" ".join(summary.text.split()), MAX_TITLE_WORDS)
    unsupported = mark_unsupported and any(s.supported is False for s in summary.sentences)
    return f"{line} {UNSUPPORTED_LABEL}" if unsupported and line else line


def render(summary: Summary, fmt: str = "text", *, mark_unsupported: bool = True) -> str:
    """Return ``summary`` as ``text``, ``bullets``, ``markdown``, ``json`` or ``headline``.

    In the formats people read, a sentence the faithfulness check could not support is
    followed by "(not found in the article)", as on the site, and a last line says how many
    were flagged. ``mark_unsupported=False`` leaves that out, for outputs whose sentences
    carry ``supported`` themselves (the API's and batch's JSON).

    Raises:
        InvalidOptions: an unknown format.
    """
    if not mark_unsupported:
        summary = dataclasses.replace(
            summary,
            sentences=[dataclasses.replace(s, supported=None) for s in summary.sentences],
        )
    note = flagged_note(summary)
    if fmt == "headline":
        return headline(summary)
    if fmt == "text":
        text = join_sentences(_marked(s) for s in summary.sentences)
        return f"{text}\n\n{note}" if note else text
    if fmt == "bullets":
        bullets = "\n".join(f"• {_marked(s)}" for s in summary.sentences)
        return f"{bullets}\n\n{note}" if note else bullets
    if fmt == "markdown":
        title = summary.article.title if summary.article else None
        lines = [f"# {title}", ""] if title else []
        lines += [f"- {_marked(s, f'*{UNSUPPORTED_LABEL}*')}" for s in summary.sentences]
        lines += ["", f"*{_source_line(summary)}*"]
        if note:
            lines += ["", f"*{note}*"]
        return "\n".join(lines)
    if fmt == "json":
        return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
    raise InvalidOptions(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def summary_dict(summary: Summary, fmt: str = "json") -> dict[str, Any]:
    """Return ``summary.to_dict()`` with ``summary`` in the format asked for.

    With ``json`` or ``text`` it is the plain text; with ``bullets``, ``markdown`` or
    ``headline`` it is that rendering, so every output that carries text follows the format.
    """
    out = summary.to_dict()
    if fmt not in ("json", "text"):
        # The sentences say which are unsupported; the text stays free of the marks.
        out["summary"] = render(summary, fmt, mark_unsupported=False)
    return out


def render_article(article: Article, fmt: str = "text") -> str:
    """Return ``article`` as ``text`` (title, blank line, paragraphs) or ``json``.

    Raises:
        InvalidOptions: an unknown format.
    """
    if fmt == "text":
        return f"{article.title}\n\n{article.text}" if article.title else article.text
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    raise InvalidOptions(f"unknown format {fmt!r}; choose one of: {', '.join(ARTICLE_FORMATS)}")
