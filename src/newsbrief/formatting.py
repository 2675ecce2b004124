"""Render a Summary (or an Article) as text, bullets, Markdown or JSON for the front ends."""

from __future__ import annotations

import json

from newsbrief.errors import InvalidOptions
from newsbrief.models import FORMATS, Article, Summary

__all__ = ["ARTICLE_FORMATS", "render", "render_article"]

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


def render(summary: Summary, fmt: str = "text") -> str:
    """Return ``summary`` as ``text``, ``bullets``, ``markdown`` or ``json``.

    ``headline`` (a one-line summary asked of abstractive methods) prints as ``text``.

    Raises:
        InvalidOptions: an unknown format.
    """
    if fmt in ("text", "headline"):
        return summary.text
    if fmt == "bullets":
        return "\n".join(f"• {s.text}" for s in summary.sentences)
    if fmt == "markdown":
        title = summary.article.title if summary.article else None
        lines = [f"# {title}", ""] if title else []
        lines += [f"- {s.text}" for s in summary.sentences]
        lines += ["", f"*{_source_line(summary)}*"]
        return "\n".join(lines)
    if fmt == "json":
        return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
    raise InvalidOptions(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


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
