"""The interface in the reader's language: one string table for the site and the embed element.

``newsbrief/data/strings.json`` maps a language code to its labels (the same keys in every
language; ``{name}`` placeholders are filled in by the caller). The reader site's pages show
the summary button, panel and neighbour links in the article's language; ``embed.js`` asks
``/embed/strings/{lang}.json`` for the labels of the page it sits on. A language the table
lacks falls back to English, a regional tag (``pt-BR``, ``zh-Hant``) to its language.
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Mapping
from importlib import resources

__all__ = [
    "DEFAULT_LANGUAGE",
    "RTL_LANGUAGES",
    "Labels",
    "labels",
    "languages",
    "match_language",
    "placeholders",
    "strings",
]

#: The language whose labels stand in for one the table lacks.
DEFAULT_LANGUAGE = "en"
#: Languages written right to left (their labels carry ``"dir": "rtl"``).
RTL_LANGUAGES = frozenset({"ar", "fa", "he"})

#: The labels ``static/app.js`` sets itself (the page's templates render the others).
SCRIPT_KEYS = (
    "get",
    "hide",
    "loading",
    "unsupported",
    "failed",
    "failed_status",
    "unreachable",
    "timeout",
    "still_showing",
    "fallback",
    "extractive",
    "abstractive",
)

_PRIMARY = re.compile(r"^([A-Za-z]{2,3})(?:[-_]|$)")


@functools.cache
def strings() -> Mapping[str, Mapping[str, str]]:
    """Return the whole string table: language code -> key -> label (read once)."""
    text = (resources.files("newsbrief") / "data" / "strings.json").read_text("utf-8")
    table: dict[str, dict[str, str]] = json.loads(text)
    return table


def languages() -> list[str]:
    """Return the languages the table has labels for, in its order (English first)."""
    return list(strings())


def match_language(tag: str | None) -> str:
    """Return the table's language for a BCP 47 tag (``es-MX`` -> ``es``); English if none.

    ``iw`` (Hebrew's withdrawn code, still declared by some sites) is read as ``he``.
    """
    match = _PRIMARY.match((tag or "").strip())
    if not match:
        return DEFAULT_LANGUAGE
    code = match[1].lower()
    code = {"iw": "he", "in": "id"}.get(code, code)
    return code if code in strings() else DEFAULT_LANGUAGE


def placeholders(label: str) -> set[str]:
    """Return the ``{name}`` placeholders of a label."""
    return {name for _, name, _, _ in string.Formatter().parse(label) if name}


class Labels:
    """The labels of one language, as templates use them: ``t("get")``, ``t("method", ...)``."""

    def __init__(self, language: str) -> None:
        self.language = match_language(language)
        self._table = strings()[self.language]
        self.dir = self._table["dir"]

    def __call__(self, key: str, /, **values: object) -> str:
        """Return the label ``key``, its placeholders filled from ``values``.

        Raises:
            KeyError: no such key (a template typo fails its test, not silently).
        """
        label = self._table[key]
        return label.format(**values) if values else label

    def around(self, key: str, name: str, /, **values: object) -> tuple[str, str]:
        """Return label ``key`` cut at its ``{name}`` placeholder, the others filled in.

        Templates put markup (``<strong>``) between the two halves, so the label needs no
        markup of its own and stays autoescaped.
        """
        before, _, after = self._table[key].partition("{" + name + "}")
        if values:
            before, after = before.format(**values), after.format(**values)
        return before, after

    def as_json(self) -> str:
        """Return the labels the reader site's script shows (``SCRIPT_KEYS``) as JSON."""
        chosen = {key: self._table[key] for key in SCRIPT_KEYS}
        return json.dumps({"lang": self.language, **chosen}, ensure_ascii=False)

    def as_dict(self) -> dict[str, str]:
        """Return every label of this language (what ``/embed/strings/{lang}.json`` serves)."""
        return dict(self._table)


def labels(language: str | None) -> Labels:
    """Return the labels for a page in ``language`` (a BCP 47 tag or None)."""
    return _labels(match_language(language))


@functools.cache
def _labels(code: str) -> Labels:
    # Keyed by the table's codes only, so the cache holds at most one entry per language.
    return Labels(code)
