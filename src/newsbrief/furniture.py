"""Remove page furniture that main-text extraction leaves in: whole lines that are not the article.

Extractors such as trafilatura keep a site's own widgets when they sit inside the article
container: "No time to read? Get a summary" buttons, "Previous Article" / "Next Article" with
the linked headline after each, "Read more: ..." and related-article lists, share and
newsletter prompts, photo credits, "Advertisement". A summarizer must never pick those.

Everything is driven by one table, ``FURNITURE``: language code -> kind of rule -> patterns.
Patterns are regular expressions that must match a *whole line* (case-insensitive, after
stripping bullets and arrows around it), so text inside a real sentence is never cut; and no
line longer than ``MAX_FURNITURE_WORDS`` words is ever removed. Kinds:

- ``LINE``: drop the line.
- ``WITH_NEXT``: drop the line and the headline-like line after it ("Next Article" + its link).
- ``SECTION``: drop the line and the run of headline-like lines after it ("Related articles").

To support a new site or language, add a pattern to the table; ``tests/test_extract_furniture.py``
holds one case per pattern family and language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

__all__ = ["FURNITURE", "LINE", "SECTION", "WITH_NEXT", "find_furniture", "remove_furniture"]

LINE: Final = "line"
WITH_NEXT: Final = "with_next"
SECTION: Final = "section"

#: A furniture line is short: the longest one in the 85 benchmark pages and our tests is a
#: 19-word newsletter prompt; real paragraphs are longer, so 25 words keeps them safe.
MAX_FURNITURE_WORDS = 25
#: The linked headline after "Next Article" or under "Related articles": short, and not a
#: sentence (it does not end with a full stop).
MAX_HEADLINE_WORDS = 25
#: At most this many headlines are dropped under one "Related articles" heading.
MAX_SECTION_LINES = 12

# Photo agencies and stock libraries, for credits such as "(Getty Images)" at a caption's end.
_AGENCIES = (
    r"\b(?:getty(?: images)?|afp(?: via getty images)?|ap(?: photo)?|reuters|epa(?:-efe)?|dpa"
    r"|shutterstock|istock(?:photo)?|alamy|pa(?: wire| media)?|efe|ansa|tass|ria novosti"
    r"|xinhua|bloomberg|imago|picture alliance|keystone|belga|anp|abaca|sipa)\b"
)
# A caption ending in a credit: "(Photo: Jane Doe)", "(AFP via Getty Images)", "(John Doe/AP)".
# Bare acronyms in parentheses are not enough: "(ePA)" or "(EFE)" can be the text's own.
_CREDIT_TAIL = (
    r".*\((?:(?:photo|foto|фото|image|bild|imagen|credit)s?\s*:[^()]{1,60}"
    r"|[^()]{0,60}\b(?:getty images|shutterstock|istock(?:photo)?|alamy|picture alliance)\b"
    r"[^()]{0,40}"
    rf"|[^()]{{1,60}}/\s*{_AGENCIES}(?:\s+photo)?)\)"
)

#: language -> kind -> whole-line patterns. ``"*"`` applies to every language.
FURNITURE: dict[str, dict[str, tuple[str, ...]]] = {
    "*": {
        LINE: (
            r"[©®].{0,120}",
            r"\(?" + _AGENCIES + r"(?:\s*/\s*[\w .'-]+)?\)?",
            _CREDIT_TAIL,
        ),
    },
    "en": {
        LINE: (
            r"no time to read\??(?:\s*get (?:a|the) summary)?",
            r"get (?:a|the) summary",
            r"(?:advertisement|advertising|sponsored(?: content)?|ad)(?: - scroll to continue)?",
            r"share(?: this)?(?: article| story| page| post)?(?: on \w+)?|tweet|email|print"
            r"|copy link|whatsapp|facebook|twitter|linkedin",
            r"(?:sign up|subscribe)\b.{0,160}",
            r"follow us\b.{0,120}",
            r"(?:read more|also read|read also|see also|related|more|watch|listen|recommended)"
            r"\s*[:|»›>–—-].{0,200}",
            r"(?:read more|continue reading|read the full (?:story|article))",
            r"(?:photo|image|picture|photograph|illustration|video|credit)s?(?: credit)?"
            r"\s*(?::|by\b|/).{0,160}",
            r"(?:click|tap) here\b.{0,160}",
            r"(?:\d+ )?comments?|leave a comment|show comments|view comments",
        ),
        WITH_NEXT: (
            r"previous (?:article|story|post)",
            r"next (?:article|story|post)",
            r"(?:read|up) next",
        ),
        SECTION: (
            r"related (?:articles|stories|news|content|coverage|posts|reading)",
            r"more (?:stories|news|on this story|from [\w .'-]{1,40})",
            r"you (?:may|might) also (?:like|be interested in|enjoy)",
            r"recommended(?: for you| stories)?",
            r"most (?:read|popular|viewed|shared)",
            r"trending(?: now| stories)?",
            r"(?:top|latest) (?:stories|news|headlines)",
        ),
    },
    "es": {
        LINE: (
            r"¿?no tienes tiempo (?:para|de) leer\??(?:\s*obtén un resumen)?",
            r"obt[eé]n (?:un|el) resumen|ver resumen",
            r"publicidad|anuncio",
            r"compartir(?: en \w+)?|comparte(?: esta noticia)?",
            r"(?:suscr[ií]bete|reg[ií]strate)\b.{0,160}",
            r"s[ií]guenos\b.{0,120}",
            r"(?:leer más|lee también|lea también|te puede interesar|ver también|más información)"
            r"\s*[:|»›>–—-].{0,200}",
            r"leer más|seguir leyendo",
            r"(?:foto|imagen|fotograf[ií]a|v[ií]deo)\s*(?::|de\b).{0,160}",
        ),
        WITH_NEXT: (
            r"(?:artículo|noticia) (?:anterior|siguiente)",
            r"siguiente (?:artículo|noticia)",
        ),
        SECTION: (
            r"(?:noticias|artículos) relacionad[oa]s",
            r"también te puede interesar",
            r"lo más (?:leído|visto)",
            r"más noticias",
        ),
    },
    "fr": {
        LINE: (
            r"pas le temps de lire\s*\??(?:\s*obtenez un résumé)?",
            r"obten(?:ir|ez) (?:un|le) résumé",
            r"publicité|annonce",
            r"partager(?: sur \w+)?|partagez(?: cet article)?",
            r"(?:abonnez-vous|inscrivez-vous|s'abonner)\b.{0,160}",
            r"suivez-nous\b.{0,120}",
            r"(?:lire aussi|à lire aussi|lire la suite|voir aussi|sur le même sujet|à voir aussi)"
            r"\s*[:|»›>–—-].{0,200}",
            r"lire (?:aussi|la suite|plus)|à lire aussi",
            r"(?:photo|image|crédit photo|crédits? photos?|vidéo)\s*(?::|de\b).{0,160}",
        ),
        WITH_NEXT: (
            r"article (?:précédent|suivant)",
            r"(?:précédent|suivant)",
        ),
        SECTION: (
            r"(?:articles|sujets) (?:liés|associés|similaires)",
            r"sur le même sujet",
            r"les plus lus",
            r"à (?:lire|voir) aussi",
        ),
    },
    "de": {
        LINE: (
            r"keine zeit zum lesen\??(?:\s*zusammenfassung (?:anzeigen|lesen))?",
            r"zusammenfassung (?:anzeigen|lesen)|zur zusammenfassung",
            r"anzeige|werbung",
            r"teilen(?: auf \w+)?|artikel teilen",
            r"(?:newsletter abonnieren|jetzt abonnieren|abonnieren sie)\b.{0,160}",
            r"folgen sie uns\b.{0,120}",
            r"(?:lesen sie auch|auch interessant|mehr zum thema|weiterlesen|lesen sie mehr)"
            r"\s*[:|»›>–—-].{0,200}",
            r"lesen sie auch|auch interessant|weiterlesen|mehr lesen",
            r"(?:foto|bild|fotos|video)\s*(?::|von\b).{0,160}",
        ),
        WITH_NEXT: (r"(?:vorheriger|nächster) artikel",),
        SECTION: (
            r"mehr zum thema",
            r"(?:ähnliche|verwandte) artikel",
            r"meistgelesen(?:e artikel)?",
            r"das könnte sie auch interessieren",
        ),
    },
    "ru": {
        LINE: (
            r"нет времени (?:читать|на чтение)\??(?:\s*получить (?:краткое содержание|пересказ))?",
            r"получить (?:краткое содержание|пересказ|резюме)|краткий пересказ",
            r"реклама",
            r"поделиться(?: в \w+)?",
            r"(?:подпишитесь|подписывайтесь)\b.{0,160}",
            r"(?:читайте также|читать также|читать далее|подробнее|смотрите также)"
            r"\s*[:|»›>–—-].{0,200}",
            r"читайте также|читать далее|подробнее",
            r"(?:фото|видео|иллюстрация)\s*(?::|—|-).{0,160}",
        ),
        WITH_NEXT: (r"(?:предыдущая|следующая) (?:статья|новость)",),
        SECTION: (
            r"(?:похожие|другие) (?:статьи|новости|материалы)",
            r"читайте также",
            r"самое (?:читаемое|популярное)",
        ),
    },
    "it": {
        LINE: (
            r"non hai tempo di leggere\??(?:\s*ottieni un riassunto)?",
            r"ottieni (?:un|il) riassunto",
            r"pubblicità",
            r"condividi(?: su \w+)?",
            r"(?:iscriviti|abbonati)\b.{0,160}",
            r"seguici\b.{0,120}",
            r"(?:leggi anche|leggi di più|vedi anche|potrebbe interessarti)\s*[:|»›>–—-].{0,200}",
            r"leggi anche|leggi di più|continua a leggere",
            r"(?:foto|immagine|video)\s*(?::|di\b).{0,160}",
        ),
        WITH_NEXT: (r"articolo (?:precedente|successivo)",),
        SECTION: (
            r"articoli correlati|notizie correlate",
            r"(?:i )?più lett[ei]",
            r"potrebbe interessarti(?: anche)?",
        ),
    },
    "pt": {
        LINE: (
            r"sem tempo (?:para|de) ler\??(?:\s*obtenha um resumo)?",
            r"obtenha (?:um|o) resumo|ver resumo",
            r"publicidade|anúncio",
            r"compartilh(?:e|ar)(?: no \w+)?|partilh(?:e|ar)",
            r"(?:assine|inscreva-se|subscreva)\b.{0,160}",
            r"siga-nos\b.{0,120}",
            r"(?:leia também|leia mais|veja também|saiba mais)\s*[:|»›>–—-].{0,200}",
            r"leia (?:também|mais)|saiba mais|continue lendo",
            r"(?:foto|imagem|vídeo)\s*(?::|de\b).{0,160}",
        ),
        WITH_NEXT: (
            r"(?:artigo|notícia) anterior",
            r"(?:próximo artigo|próxima notícia)",
        ),
        SECTION: (
            r"(?:artigos|notícias|matérias) relacionad[oa]s",
            r"mais lid[oa]s",
            r"você também pode gostar",
        ),
    },
}

# Bullets, arrows and separators that widgets put around their labels.
_DECORATION = " \t\r\n\u00a0•·»«›‹>|*#▶►→←<–—-"


@dataclass(frozen=True)
class _Rules:
    line: re.Pattern[str] | None
    with_next: re.Pattern[str] | None
    section: re.Pattern[str] | None


def _compile(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    # Labels often end in a colon, full stop or ellipsis ("Read more…", "Photo:").
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?:{body})\s*[.:!…]*", re.IGNORECASE)


@lru_cache(maxsize=64)
def _rules(language: str | None) -> _Rules:
    if language is None:
        tables = list(FURNITURE.values())
    else:
        # Universal rules, English (sites in every language use English widget labels), and
        # the article's own language.
        keys = ["*", "en"] + ([language] if language not in ("*", "en") else [])
        tables = [FURNITURE[k] for k in keys if k in FURNITURE]
    return _Rules(
        line=_compile([p for t in tables for p in t.get(LINE, ())]),
        with_next=_compile([p for t in tables for p in t.get(WITH_NEXT, ())]),
        section=_compile([p for t in tables for p in t.get(SECTION, ())]),
    )


def _label(line: str) -> str:
    return line.strip(_DECORATION)


def _matches(pattern: re.Pattern[str] | None, label: str) -> bool:
    return pattern is not None and pattern.fullmatch(label) is not None


def _is_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= MAX_HEADLINE_WORDS and not line.rstrip().endswith(".")


def find_furniture(lines: list[str], language: str | None = None) -> set[int]:
    """Return the indices of the lines that are furniture.

    ``language`` selects the table rows used (with the universal and English ones); None uses
    every language.
    """
    rules = _rules(language.lower() if language else None)
    labels = [_label(line) for line in lines]
    short = [len(line.split()) <= MAX_FURNITURE_WORDS for line in lines]

    def kind(i: int) -> str | None:
        if not short[i] or not labels[i]:
            return None
        if _matches(rules.with_next, labels[i]):
            return WITH_NEXT
        if _matches(rules.section, labels[i]):
            return SECTION
        if _matches(rules.line, labels[i]):
            return LINE
        return None

    kinds = [kind(i) for i in range(len(lines))]
    found: set[int] = set()
    for i, k in enumerate(kinds):
        if k is None:
            continue
        found.add(i)
        if k == LINE:
            continue
        # The headlines after it; blank lines between them (plain text) are skipped.
        budget = 1 if k == WITH_NEXT else MAX_SECTION_LINES
        j = i + 1
        while j < len(lines) and budget > 0:
            if not lines[j].strip():
                j += 1
                continue
            if kinds[j] is not None or not _is_headline(lines[j]):
                break
            found.add(j)
            budget -= 1
            j += 1
    return found


def remove_furniture(text: str, language: str | None = None) -> str:
    """Return ``text`` (one paragraph per line) without its furniture lines."""
    lines = text.split("\n")
    drop = find_furniture(lines, language)
    if not drop:
        return text
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)
