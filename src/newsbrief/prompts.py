"""Every prompt the abstractive summarizers send, in one place.

A prompt is chosen by *style* (``prose``, ``bullets`` or ``headline``, derived from the output
format), the number of key points, and the language the summary must be written in (the
article's own language unless ``summary_language`` asks for another). Map-reduce over long
articles uses two more prompts: ``map`` condenses one part of an article into notes, ``reduce``
writes the final summary from the notes of all parts.

The replies are parsed back into sentences by :func:`parse_reply`, which strips bullet markers
and numbering that small models add even when asked not to, and held to the shape that was
asked for by :func:`fit_to_spec` (small models often write on past it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from newsbrief.models import Length, SummaryOptions

Style = Literal["prose", "bullets", "headline"]
Stage = Literal["single", "map", "reduce"]

#: Output format -> prompt style. ``json`` and ``markdown`` render key points, like ``bullets``.
STYLE_OF_FORMAT: dict[str, Style] = {
    "text": "prose",
    "bullets": "bullets",
    "markdown": "bullets",
    "json": "bullets",
    "headline": "headline",
}

#: Key points asked for when the length gives no sentence count (the issue's default).
DEFAULT_POINTS = 3

#: ISO 639-1 code -> language name used in prompts (models follow names better than codes).
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovene",
    "sr": "Serbian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

SYSTEM = (
    "You are a careful news editor. You summarize news articles faithfully: use only facts "
    "stated in the article, keep names, numbers and quotes exactly as the article gives them, "
    "and never add opinions or outside knowledge."
)


@dataclass(frozen=True)
class PromptSpec:
    """What the summary should look like: style, number of points, and language."""

    style: Style
    points: int
    language: str
    words: int | None = None

    @property
    def language_name(self) -> str:
        return language_name(self.language)


def language_name(code: str) -> str:
    """Return the English name of an ISO 639-1 language code (the code itself if unknown)."""
    return LANGUAGE_NAMES.get(code.lower(), code)


def spec_for(options: SummaryOptions, article_language: str) -> PromptSpec:
    """Return the prompt spec for ``options`` and an article written in ``article_language``."""
    style = STYLE_OF_FORMAT.get(options.format, "prose")
    return PromptSpec(
        style=style,
        points=1 if style == "headline" else points_for(options.length),
        language=options.summary_language or article_language,
        words=options.length.words,
    )


def points_for(length: Length) -> int:
    """Return how many sentences/key points to ask for under ``length``."""
    if length.sentences is not None:
        return length.sentences
    if length.words is not None:
        # About 20 words per news summary sentence (CNN/DM highlights average 13-20).
        return max(1, min(10, round(length.words / 20)))
    return DEFAULT_POINTS


def _shape(spec: PromptSpec) -> str:
    if spec.style == "headline":
        return "Write a single one-line headline (at most 15 words) that says what happened."
    budget = f" Use at most {spec.words} words in total." if spec.words else ""
    if spec.style == "bullets":
        noun = "key point" if spec.points == 1 else "key points"
        return (
            f"Write exactly {spec.points} {noun}, one per line, each starting with '- '. "
            f"Each key point is one complete sentence.{budget}"
        )
    noun = "sentence" if spec.points == 1 else "sentences"
    return f"Write one paragraph of {spec.points} {noun}.{budget}"


def _language_line(spec: PromptSpec, article_language: str) -> str:
    name = spec.language_name
    if spec.language.lower() != article_language.lower():
        return (
            f"The article is in {language_name(article_language)}; write the summary in {name}, "
            "translating faithfully."
        )
    return f"Write in {name}, the language of the article."


def messages(
    text: str,
    spec: PromptSpec,
    *,
    article_language: str,
    stage: Stage = "single",
    title: str | None = None,
    part: tuple[int, int] | None = None,
) -> list[dict[str, str]]:
    """Return the chat messages asking for ``spec`` from ``text`` at ``stage``.

    ``single`` summarizes a whole article, ``map`` writes notes on one part (``part`` is
    ``(i, n)``, 1-based), ``reduce`` writes the summary from the concatenated notes.
    """
    heading = f"Title: {title}\n\n" if title else ""
    if stage == "map":
        where = f" (part {part[0]} of {part[1]})" if part else ""
        user = (
            f"Below is one part{where} of a longer news article. List its most important facts "
            f"as short sentences, one per line, keeping names, numbers and quotes exactly. "
            f"Write in {language_name(article_language)}. Reply with the facts only.\n\n"
            f"{heading}{text}"
        )
    elif stage == "reduce":
        user = (
            "Below are notes taken from the parts of one news article, in order. Summarize the "
            f"article from these notes. {_shape(spec)} {_language_line(spec, article_language)} "
            f"Reply with the summary only.\n\n{heading}Notes:\n{text}"
        )
    else:
        user = (
            f"Summarize the news article below. {_shape(spec)} "
            f"{_language_line(spec, article_language)} Reply with the summary only.\n\n"
            f"{heading}Article:\n{text}"
        )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def overhead_text(spec: PromptSpec, *, article_language: str, title: str | None) -> str:
    """Return the prompt text that surrounds the article, for counting its tokens."""
    longest = max(
        (
            messages("", spec, article_language=article_language, stage=s, title=title)
            for s in ("single", "map", "reduce")
        ),
        key=lambda m: sum(len(x["content"]) for x in m),
    )
    return "\n".join(m["content"] for m in longest)


_MARKER = re.compile(r"^\s*(?:[-*•·–—]+|\d{1,2}[.)]|\(\d{1,2}\))\s*")
_PREAMBLE = re.compile(
    r"^(?:here(?: is|'s| are)|sure[,!.]|summary:|key points:|headline:|notes:)", re.IGNORECASE
)
_WRAP_QUOTES = re.compile(r'^["“”\'](.+)["“”\']$')
_EMPHASIS = re.compile(r"\*\*|__")


def clean_lines(reply: str) -> list[str]:
    """Return the reply's non-empty lines without bullet markers, emphasis or a preamble."""
    lines: list[str] = []
    for raw in reply.splitlines():
        line = _EMPHASIS.sub("", _MARKER.sub("", raw)).strip()
        if not line:
            continue
        if not lines and _PREAMBLE.match(line) and line.endswith(":"):
            continue  # "Here is a summary of the article:" is not part of the summary
        if line.startswith("#"):
            line = line.lstrip("#").strip()
        lines.append(line)
    return lines


def parse_reply(reply: str, spec: PromptSpec) -> list[str]:
    """Split a model's reply into summary sentences for ``spec``'s style.

    Bullets keep one entry per line; prose is split into sentences; a headline keeps its first
    line with wrapping quotes removed.
    """
    from newsbrief.sentences import split_sentences

    lines = clean_lines(reply)
    if not lines:
        return []
    if spec.style == "headline":
        head = lines[0]
        match = _WRAP_QUOTES.match(head)
        return [match.group(1).strip() if match else head]
    if spec.style == "bullets":
        return lines
    return [s.text for s in split_sentences("\n".join(lines), spec.language)]


#: A headline longer than this is cut here and ends with "…" (the prompt asks for at most 15
#: words; a small model may run on for a paragraph).
HEADLINE_MAX_WORDS = 20


def fit_to_spec(texts: list[str], spec: PromptSpec) -> tuple[list[str], list[str]]:
    """Hold parsed summary sentences to what ``spec`` asked for; return (kept, cut off).

    A headline is one sentence of at most ``HEADLINE_MAX_WORDS`` words; a key point is one
    sentence (the prompt says so); there are at most ``spec.points`` of them, and with a word
    budget sentences are kept while they fit (the first always is, so a summary is never empty).
    """
    from newsbrief.sentences import split_sentences

    if not texts:
        return [], []

    def first_sentence(text: str) -> tuple[str, list[str]]:
        parts = [s.text for s in split_sentences(text, spec.language)] or [text]
        return parts[0], parts[1:]

    if spec.style == "headline":
        head, rest = first_sentence(texts[0])
        words = head.split()
        if len(words) > HEADLINE_MAX_WORDS:
            rest.insert(0, " ".join(words[HEADLINE_MAX_WORDS:]))
            head = " ".join(words[:HEADLINE_MAX_WORDS]).rstrip(",;:–—-") + "…"
        return [head], rest + texts[1:]
    kept: list[str] = []
    cut: list[str] = []
    used = 0  # words in ``kept``
    for text in texts:
        if spec.style == "bullets":
            text, rest = first_sentence(text)
            cut += rest
        n = len(text.split())
        if len(kept) >= max(spec.points, 1) or (
            kept and spec.words is not None and used + n > spec.words
        ):
            cut.append(text)
            continue
        kept.append(text)
        used += n
    return kept, cut
