"""Example articles written for newsbrief, so a fresh reader site is not empty (``--demo``).

The texts live in ``newsbrief/data/demo/*.txt``: a few ``Key: value`` header lines, a blank
line, then paragraphs separated by blank lines. They are original writing, not copied news.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from newsbrief.errors import DataFormatError
from newsbrief.models import Article
from newsbrief.textutil import normalize_text

if TYPE_CHECKING:
    from newsbrief.storage import Store, StoredArticle

#: Header keys a demo file may set -> Article field.
_FIELDS = {
    "title": "title",
    "site": "site",
    "author": "author",
    "date": "date",
    "language": "language",
    "url": "url",
}


def parse_demo(text: str, *, name: str = "<demo>") -> Article:
    """Parse one demo file (headers, blank line, paragraphs) into an Article.

    Raises:
        DataFormatError: a header line has no ``Key: value`` form, an unknown key, or no body.
    """
    head, sep, body = text.partition("\n\n")
    if not sep or not body.strip():
        raise DataFormatError(f"{name}: no blank line between the headers and the text")
    fields: dict[str, str] = {}
    for number, line in enumerate(head.splitlines(), start=1):
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or key not in _FIELDS:
            raise DataFormatError(
                f"expected a header 'Key: value' with a key among {', '.join(_FIELDS)}, "
                f"got {line!r}",
                path=name,
                line=number,
            )
        fields[_FIELDS[key]] = value.strip()
    return Article(text=normalize_text(body), **fields)


def demo_articles() -> list[Article]:
    """Return the bundled demo articles, oldest first."""
    folder = resources.files("newsbrief") / "data" / "demo"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    return [parse_demo(f.read_text(encoding="utf-8"), name=f.name) for f in files]


def load_demo(store: Store) -> list[tuple[StoredArticle, bool]]:
    """Add the demo articles to ``store``; already-stored ones are found, not duplicated."""
    return [store.add_article(article, source="demo") for article in demo_articles()]
