"""Datelines and wire credits at the start of an article: "WASHINGTON (CNN) --", "(Reuters) -".

News agencies and many papers open a story with where it was filed and who filed it:
"LONDON, England (Reuters) --", "NEW YORK (AP) —", "PARIS, 3 mars (AFP) -", "Berlin (dpa) -",
"(ANSA) - ROMA, 3 MAR -", "МОСКВА, 3 марта. /ТАСС/.", or a Daily Mail byline block
("By . Jane Doe . PUBLISHED: 12:00 EST, 1 May 2014 . | . UPDATED: ..."). That is page
furniture, not part of what the story says, and no summary should start with it.
``strip_dateline`` returns the first sentence without it; ``coherence.standalone_forms`` gives
that form to the article's first sentence, so every extractive summary shows the lede
without its dateline (its ``index`` still points at the article sentence) and the trained
summarizer's features read the lede as what it is.

The rule is conservative: a parenthesis is taken as a credit only when it names a known
agency or publisher (``CREDITS``) or looks like a web address ("(EW.com)"), or when a dash
follows it; a place without a credit only when it is written in capitals and a dash follows
("WASHINGTON — The..."). "Washington (D.C.) is..." and a parenthesis inside a sentence are
left alone, and nothing is cut when what is left would not start like a sentence.
"""

from __future__ import annotations

import re

#: Agencies and publishers whose name, in brackets, credits a story at its start: English-
#: language wires and broadcasters, the partner credits CNN's stories carry, then French,
#: German, Spanish, Italian, Portuguese, Dutch and Russian agencies. Matched as written; a
#: credit that looks like a web address ("(EW.com)") needs no entry.
CREDITS: tuple[str, ...] = tuple(
    re.split(
        r"\s*;\s*",
        """
    CNN; CNNMoney; CNN Money; CNN Student News; HLN; HLNtv; Reuters; AP; Associated Press;
    AFP; Agence France-Presse; UPI; Bloomberg; PA; Press Association; Xinhua; Kyodo; Yonhap;
    Sputnik; TASS; Interfax; RIA Novosti; CBS News; NBC News; ABC News; BBC;
    The Hollywood Reporter; Billboard; Variety; Rolling Stone; People; Mashable; WIRED; Wired;
    TIME; Time; Fortune; Entertainment Weekly; Mental Floss; Travel + Leisure; Budget Travel;
    Real Simple; Health; Parenting; Cosmopolitan; The Conversation; Kaiser Health News;
    dpa; DPA; dpa-AFX; AFP/dpa; KNA; epd; APA; SDA; sid; SID; EFE; Europa Press; EUROPA PRESS;
    ANSA; AGI; Adnkronos; LaPresse; Lusa; Agência Brasil; ANP; Belga; Belga/ANP;
    ТАСС; ИТАР-ТАСС; РИА Новости; Интерфакс; РБК""".strip(),
    )
)

_CREDIT = (
    r"(?:"
    + "|".join(sorted((re.escape(c) for c in CREDITS), key=len, reverse=True))
    + r"|[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk))"
)
#: A dash between a dateline and the story: "--", an en or em dash, a hyphen, or ".-" (EFE).
_DASH = r"(?:\.?\s*(?:--|[-—–])|:)"
#: A place or a date: up to four words ("Marseille", "NEW YORK", "3 mars", "3. März").
_SEGMENT = r"[^\W_][\w.'’&-]*(?:\s+[\w.'’&-]+){0,3}"
#: A place, optionally with a region or a date after commas: "LONDON, England", "PARIS, 3 mars".
_PLACE = rf"[^\W\d_][\w.'’&-]*(?:\s+[\w.'’&-]+){{0,3}}(?:,\s*{_SEGMENT}){{0,2}}"
#: A place in capitals: "WASHINGTON", "NEW YORK", "RIO DE JANEIRO", "МОСКВА".
_CAPS_WORD = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][A-ZÀ-ÖØ-ÞА-ЯЁ.'’&-]*[A-ZÀ-ÖØ-ÞА-ЯЁ.]"
_CAPS_PLACE = rf"{_CAPS_WORD}(?:\s+(?:{_CAPS_WORD}|de|del|da|do|am|an|la|le|sur)){{0,3}}"
#: What the story must start with once the dateline is gone: a capital, a digit or a quote.
_STORY = r"(?=[\"“‘«„']?[^\W_a-zà-öø-ÿа-яё])"

_PATTERNS = (
    # "(CNN) ...", "Marseille, France (CNN) ...", "NEW YORK (AP) — ...", "Berlin (dpa) - ...",
    # "MADRID, 3 mar (EFE).- ...": a known credit, with or without a place and a dash.
    re.compile(rf"(?:{_PLACE}\s*)?\(\s*{_CREDIT}\s*\)(?:\s*{_DASH})?\s*{_STORY}"),
    # "WASHINGTON (Some Paper) -- ...": any short credit in brackets when a dash follows it.
    re.compile(
        rf"{_CAPS_PLACE}(?:,\s*{_SEGMENT}){{0,2}}\s*\([^()]{{1,40}}\)\s*(?:--|[-—–])\s*{_STORY}"
    ),
    # "WASHINGTON -- ...", "PARIS, 3 mars — ...", "ROMA, 3 MAR - ...": a place in capitals and
    # a dash (not a lone hyphen after a single word: "ABC - The..." may be a name).
    re.compile(rf"{_CAPS_PLACE}(?:,\s*{_SEGMENT}){{1,2}}\s*[-—–]{{1,2}}\s*{_STORY}"),
    re.compile(rf"{_CAPS_PLACE}\s*(?:--|[—–])\s*{_STORY}"),
    # "МОСКВА, 3 марта. /ТАСС/. ...": TASS writes its credit between slashes.
    re.compile(rf"(?:{_PLACE}\.?\s*)?/\s*{_CREDIT}\s*/\.?\s*{_STORY}"),
    # "By . Jane Doe . PUBLISHED: 12:00 EST, 1 May 2014 . | . UPDATED: 13:00 EST, 1 May 2014 ."
    # and "By . Daily Mail Reporter . ": the Daily Mail's byline block.
    re.compile(
        r"By\s*\.\s*[^.|]{1,80}?\s*\.\s*"
        r"(?:\|?\s*\.?\s*(?:PUBLISHED|UPDATED|Last updated at)\s*:?\s*[^|]{1,60}?\d{4}\s*\.?\s*)*"
        r"(?:\|\s*\.?\s*)?" + _STORY
    ),
)


def strip_dateline(text: str) -> str | None:
    """Return ``text`` without the dateline or wire credit it opens with, else None.

    None when ``text`` does not open with one, or when nothing of a sentence would be left.
    Two may follow each other ("(ANSA) - ROMA, 3 MAR - ..."); both go.
    """
    out = text
    for _ in range(2):
        for pattern in _PATTERNS:
            match = pattern.match(out)
            if match is not None and len(out) - match.end() >= 2:
                out = out[match.end() :]
                break
        else:
            break
    return out if out != text and re.search(r"[^\W\d_]{2}", out) else None
