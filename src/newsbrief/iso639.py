"""ISO 639-1 language codes: the only language names newsbrief takes from a user.

A wrong code is not harmless: it picks another sentence splitter and no stop words, and the
summary changes without a word of warning. So every front end checks a forced language here
first (``SummaryOptions``, ``prepare``, ``extract``, batch records), and the error says what to
pass instead.
"""

from __future__ import annotations

from newsbrief.errors import InvalidOptions

__all__ = ["CODES", "IDENTIFIED_639_3", "normalize_language"]

#: The 183 two-letter codes of ISO 639-1 (with "iw"/"in"/"ji", their withdrawn spellings that
#: some sites still declare, left out on purpose: give "he", "id", "yi").
_TABLE = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
"""
CODES: frozenset[str] = frozenset(_TABLE.split())
#: ISO 639-3 codes of languages and varieties that py3langid 0.4 identifies but ISO 639-1 has no
#: code for (Kabyle, Cantonese, Egyptian Arabic...): detection may return them, so they are
#: accepted too (tests/test_iso639.py checks the list against the model).
IDENTIFIED_639_3: frozenset[str] = frozenset(
    {
        "ace",
        "ary",
        "arz",
        "bcl",
        "crh",
        "ext",
        "fuv",
        "gcf",
        "gcr",
        "gom",
        "grc",
        "gug",
        "guw",
        "hbo",
        "kab",
        "kik",
        "lij",
        "ltg",
        "nso",
        "pcm",
        "sdh",
        "uzs",
        "vec",
        "wuu",
        "yue",
    }
)


def normalize_language(code: str) -> str:
    """Return ``code`` as a lower-case ISO 639-1 code ("EN" -> "en", "pt-BR" -> "pt").

    Raises:
        InvalidOptions: not an ISO 639-1 code (with or without a region).
    """
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    if base not in CODES and base not in IDENTIFIED_639_3:
        raise InvalidOptions(
            f"unknown language {code!r}: give an ISO 639-1 code such as en, fr, de or es"
        )
    return base
