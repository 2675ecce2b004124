"""Remove page furniture that main-text extraction leaves in: whole lines that are not the article.

Extractors such as trafilatura keep a site's own widgets when they sit inside the article
container: "No time to read? Get a summary" buttons, "Previous Article" / "Next Article" with
the linked headline after each, "Read more: ..." and related-article lists, share and
newsletter prompts, photo credits, "Advertisement". A summarizer must never pick those.

Everything is driven by one table, ``FURNITURE``: language code -> kind of rule -> patterns.
Patterns are regular expressions that must match a *whole line* (case-insensitive, after
stripping bullets and arrows around it), so text inside a real sentence is never cut; and no
line longer than ``MAX_FURNITURE_WORDS`` words (``MAX_PROMO_WORDS`` for ``PROMO``) is ever
removed. Kinds:

- ``LINE``: drop the line.
- ``WITH_NEXT``: drop the line and the headline-like line after it ("Next Article" + its link).
- ``SECTION``: drop the line and the run of headline-like lines after it ("Related articles").
- ``TAGS``: drop the line and the tag list on the line after it ("Tags" + "stock car brasil,
  stock car interlagos, ..."): short comma-separated items, however many words in all.
- ``PROMO``: drop the line, like ``LINE``, but up to ``MAX_PROMO_WORDS`` words: newsletter blurbs
  run longer than other furniture, so these patterns are narrow (a promotional opening *and* a
  call to sign up).
- ``TRAILING``: cut the pattern from the end of a line, keeping the line ("... less
  stress.Click To Tweet"); it must follow the end of a sentence.

Widgets often share one line: "Previous article · Next article", "Share on Twitter · Facebook
· WhatsApp". A line made only of items joined by separators (``·``, ``|``, ``/``, ``•``, or a
spaced ``-``, ``–``, ``—``), each of which is a ``LINE``, ``WITH_NEXT`` or ``SECTION`` label on
its own, is a ``LINE``; one such item beside real text ("Twitter / X lost advertisers, analysts
said") is text.

To support a new site or language, add a pattern to the table; ``tests/test_extract_furniture.py``
holds one case per pattern family and language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from newsbrief.textutil import alternation

__all__ = [
    "FURNITURE",
    "LINE",
    "PROMO",
    "SECTION",
    "SECTION_LABELS",
    "TAGS",
    "TRAILING",
    "WITH_NEXT",
    "find_furniture",
    "remove_furniture",
]

LINE: Final = "line"
WITH_NEXT: Final = "with_next"
SECTION: Final = "section"
TAGS: Final = "tags"
PROMO: Final = "promo"
TRAILING: Final = "trailing"

#: A furniture line is short: the longest one in the 85 benchmark pages and our tests is a
#: 19-word newsletter prompt; real paragraphs are longer, so 25 words keeps them safe.
MAX_FURNITURE_WORDS = 25
#: A ``PROMO`` line may be longer: the Water Coolest blurb on a benchmark page is 32 words.
MAX_PROMO_WORDS = 40
#: The linked headline after "Next Article" or under "Related articles": short, and not a
#: sentence (it does not end with a full stop).
MAX_HEADLINE_WORDS = 25
#: At most this many headlines are dropped under one "Related articles" heading.
MAX_SECTION_LINES = 12
#: A tag list under "Tags": items of at most this many words (the longest on the benchmark
#: page cc03ddb5 is 4, "stock car corrida milhão"), at most ``MAX_TAGS`` of them.
MAX_TAG_WORDS = 6
MAX_TAGS = 40

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

# Social networks, for "Follow X on Facebook, Twitter (@handle) and Instagram." A line matches
# only when everything after "on" is such a list, so "Follow the money" never does.
_NETWORK = (
    r"(?:facebook|twitter|instagram|youtube|tiktok|linkedin|threads|bluesky|snapchat|telegram"
    r"|whatsapp|pinterest|flipboard|mastodon|x|vk|вконтакте|одноклассниках)"
    r"(?:\s*\([^()]{1,40}\))?"
)
_NETWORKS = (
    rf"{_NETWORK}(?:(?:\s*,\s*(?:and\s+|y\s+|e\s+|et\s+|und\s+|и\s+)?"
    rf"|\s+(?:and|or|&|y|o|e|ou|et|und|oder|и|или)\s+){_NETWORK}){{0,8}}"
)
# Tags that a tabloid appends to a promoted headline: "... CDC names EIGHT deadly diseases
# [WARNING]". Upper case only, as the sites write them.
_HEADLINE_TAGS = (
    r"(?-i:WARNING|INSIGHT|NEWS|LATEST|ANALYSIS|REVEALED|VIDEO|PICS|PICTURES|POLL|REPORT"
    r"|UPDATE|EXPLAINED|LIVE|MAP|QUIZ|COMMENT|REACTION)"
)

# A person's name in a credit line, capitalised as written ("Saqib Iqbal Ahmed", "Michael J.
# de la Merced"): a lower-case word other than a particle ends it, so "Reporting by the BBC
# showed ..." is not a credit.
_NAME = (
    r"(?-i:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*)"
    r"(?:\s+(?:(?-i:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*)|(?-i:de|da|do|dos|van|von|der|den|al|el|bin|le|la"
    r"|du|di)\b))*"
)
_NAMES = rf"{_NAME}(?:\s*(?:,\s*(?:and\s+)?|\s(?:and|&|in)\s)\s*{_NAME})*"
# Reuters' credit line: "Reporting by X; additional reporting by Y and Z; Editing by W".
_CREDIT_ROLE = r"(?:additional\s+)?(?:reporting|writing|editing)\s+by\s+"
_CREDIT_LINE = rf"\(?{_CREDIT_ROLE}{_NAMES}(?:\s*[;,]\s*(?:and\s+)?{_CREDIT_ROLE}{_NAMES})*\)?"
# A source line under the text: "SOURCE: Al Jazeera News", "Quelle: dpa". Names or an agency
# only, so "Source: the ministry, which asked not to be named." stays.
_AND = r"(?:\s*[,/]\s*|\s+(?:and|&|y|e|et|und|и)\s+)"
_SOURCE = (
    rf"\s*:\s*(?:{_AGENCIES}|{_NAMES})"
    rf"(?:{_AND}(?:news\s+)?agencies|{_AND}(?:{_AGENCIES}|{_NAMES}))*"
)
# Inline tags: "Filed under: Khawarij |", "Tags: budget, schools". No sentence punctuation.
_TAG_LIST = r"\s*:\s*[^.!?]{1,300}"

# A line that is only a date and time: "sexta-feira, 22 de outubro de 2010 às 20:13",
# "Monday, November 18, 2019 3:45 PM", "18.11.2019 15:45 Uhr". Sites print the publication
# time above the text, and trafilatura keeps it as the first paragraph; a summarizer must not
# pick it. Month and weekday names of the table's languages (and Dutch); a month name or a
# numeric date and a digit are required, so "May 2019 was hot" or a bare "2019" stays.
_MONTHS: tuple[str, ...] = (
    # en
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
    # fr
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre", "janv", "févr", "avr", "juil", "déc",
    # de
    "januar", "februar", "märz", "juni", "juli", "oktober", "dezember", "jän", "mär", "okt", "dez",
    # es
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "setiembre", "octubre", "noviembre", "diciembre", "ene", "abr", "ago", "dic",
    # it
    "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre",
    "dicembre", "gen", "mag", "giu", "lug", "ott",
    # pt
    "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro", "novembro",
    "dezembro", "fev",
    # ru (genitive)
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
    # nl
    "januari", "februari", "maart", "mei", "augustus",
)  # fmt: skip
_WEEKDAYS: tuple[str, ...] = (
    # en
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    # fr
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    # de
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    # es
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
    # it
    "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
    # pt
    "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
    # ru
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
    # nl
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
)  # fmt: skip
# Words between the parts of a date: "22 de outubro", "à 10h30", "um 15:45 Uhr", "2019 г.".
_DATE_WORDS: tuple[str, ...] = (
    # en, fr, de, es, it, pt, ru
    "de", "del", "at", "às", "à", "a", "um", "alle", "o", "of", "the", "on", "le", "el", "il",
    "am", "pm", "uhr", "h", "utc", "gmt", "est", "edt", "cet", "cest", "bst", "pst", "pdt", "et",
    "ist", "в", "г", "года",
)  # fmt: skip


_MONTH = rf"(?:{alternation(_MONTHS)})(?!\w)\.?"
_NUMERIC_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
# Each token is atomic and the repetition possessive: a line that almost matches ("1.1.1 111...x",
# a run of dates and long numbers) must fail at once instead of trying every way to cut its
# digits into tokens (that took minutes on a 60-character line). Whole words and whole numbers
# only: "mar" never starts "mardi", and "2019112015" is not five numbers.
_DATE_TOKEN = (
    rf"(?>{_NUMERIC_DATE}(?!\d)|\d{{1,2}}[:h.]\d{{2}}(?::\d{{2}})?(?!\d)(?:\s?[ap]\.?m\.?)?"
    rf"|\d{{1,4}}(?:st|nd|rd|th|er|º|ª|гг?)?(?![\d\w])"
    rf"|(?:{alternation(_MONTHS + _WEEKDAYS + _DATE_WORDS)})(?!\w)\.?)"
)
_DATE_LINE = (
    rf"(?=.*(?:\b{_MONTH}|{_NUMERIC_DATE}))(?=.*\d)"
    rf"{_DATE_TOKEN}(?:[\s,|/–—-]*+{_DATE_TOKEN})*+"
)

#: Labels that sit alone on the line above a repeated headline ("Review", "Opinion"); they are
#: dropped with the headline (``newsbrief.extract``), never on their own. Casefolded.
SECTION_LABELS: frozenset[str] = frozenset(
    {
        # en
        "review", "opinion", "analysis", "exclusive", "commentary", "editorial", "interview",
        "explainer", "feature", "features", "news", "breaking", "breaking news", "live",
        "fact check", "comment", "column", "perspective", "essay", "investigation", "explained",
        # es, pt
        "opinión", "análisis", "exclusiva", "entrevista", "reseña", "crítica",
        "opinião", "análise", "exclusivo", "resenha",
        # fr
        "tribune", "analyse", "exclusif", "entretien", "critique", "éditorial", "décryptage",
        # de
        "meinung", "kommentar", "exklusiv", "kritik", "rezension", "leitartikel",
        # it
        "opinione", "analisi", "esclusiva", "intervista", "recensione", "editoriale",
        # ru
        "мнение", "анализ", "эксклюзив", "интервью", "рецензия", "колонка", "комментарий",
    }
)  # fmt: skip

#: language -> kind -> whole-line patterns. ``"*"`` applies to every language.
FURNITURE: dict[str, dict[str, tuple[str, ...]]] = {
    "*": {
        LINE: (
            r"[©®].{0,120}",
            r"\(?" + _AGENCIES + r"(?:\s*/\s*[\w .'-]+)?\)?",
            _CREDIT_TAIL,
            # A WordPress shortcode the site failed to render: "[button link=...] Send us YOUR
            # kit review[/button]".
            r"\[\w+(?:\s[^\[\]]{0,300})?\].{0,200}\[/\w+\]",
            _DATE_LINE,
        ),
    },
    "en": {
        LINE: (
            r"no time to read\??(?:\s*get (?:a|the) summary)?",
            r"get (?:a|the) summary",
            r"(?:advertisement|advertising|sponsored(?: content)?|ad)(?: - scroll to continue)?",
            r"share(?: this)?(?: article| story| page| post)?(?: on \w+)?|tweet|email|print"
            r"|copy link|whatsapp|facebook|twitter|linkedin|telegram|pinterest|reddit|bluesky",
            r"(?:sign up|subscribe)\b.{0,160}",
            r"follow us\b.{0,120}",
            rf"follow\s.{{1,80}}?\bon {_NETWORKS}",
            r"follow\s.{0,60}\b(?:full|complete|live|latest|all)\s.{0,40}coverage\b.{0,160}",
            r"listen to\s.{1,120}\blisten (?:back|again|live)(?: here| now)?",
            r"(?:[\w'’&+-]+ ){1,4}newsletters?",
            r"get the day['’]s (?:big|biggest|top) (?:stories|headlines|news)\b.{0,160}",
            r"get (?:the|our) (?:latest|day['’]s|week['’]s)\b.{0,120}\b(?:inbox|newsletters?)\b"
            r".{0,120}",
            r"get\s.{1,80}\bdelivered (?:to|through|into) your (?:inbox|letterbox|mailbox)\b"
            r".{0,160}",
            r"there['’]s (?:plenty )?more where (?:that|this) came from[.!]\s*(?:sign up|subscribe)"
            r"\b.{0,160}",
            r"tell us what you think(?: (?:in the comments|below))?",
            r"also\s*:(?:\s*see\b.{0,200})?",
            r"\[(?:related|read more|see also|also read|more)\s*:.{1,200}\]",
            rf".{{10,200}}\s\[{_HEADLINE_TAGS}\]",
            r"(?:read more|also read|read also|see also|related|more|watch|listen|recommended)"
            r"\s*[:|»›>–—-].{0,200}",
            r"(?:read more|continue reading|read the full (?:story|article))",
            r"(?:photo|image|picture|photograph|illustration|video|credit)s?(?: credit)?"
            r"\s*(?::|by\b|/).{0,160}",
            r"(?:click|tap) here\b.{0,160}",
            r"click to tweet",
            r"(?:\d+ )?comments?|leave a comment|show comments|view comments",
            _CREDIT_LINE,
            r"sources?" + _SOURCE,
            r"(?:filed under|tags|tagged(?: with| in)?)" + _TAG_LIST,
            r"(?:estimated )?reading time\s*:?\s*(?:<\s*)?\d+\s*(?:min(?:ute)?s?)",
            r"(?:<\s*)?\d+\s*(?:-\s*)?min(?:ute)?s?\s+read",
        ),
        TAGS: (r"filed under|tags|tagged(?: with| in)?",),
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
            r"most (?:read|popular|viewed|shared)(?: (?:in|on|from) [\w .'&-]{1,40})?",
            r"trending(?: now| stories)?",
            r"(?:top|latest) (?:stories|news|headlines)",
            r"don['’]?t miss",
        ),
        PROMO: (r"start your day with\b(?=.*\bnewsletter)(?=.*\b(?:sign up|subscribe)\b).{0,300}",),
        TRAILING: (r"click to tweet",),
    },
    "es": {
        LINE: (
            r"¿?no tienes tiempo (?:para|de) leer\??(?:\s*obtén un resumen)?",
            r"obt[eé]n (?:un|el) resumen|ver resumen",
            r"publicidad|anuncio",
            r"compartir(?: en \w+)?|comparte(?: esta noticia)?",
            r"(?:suscr[ií]bete|reg[ií]strate)\b.{0,160}",
            r"s[ií]guenos\b.{0,120}",
            rf"sigue\s.{{1,80}}?\ben {_NETWORKS}",
            # The line ends at the mailbox: "Recibe una carta en tu correo? Ten cuidado" stays.
            r"recib[ea]\s.{1,120}\ben tu (?:correo(?: electrónico)?|e-?mail|bandeja de entrada)"
            r"(?: cada (?:día|mañana|semana))?",
            r"cu[eé]ntanos qu[eé] (?:piensas|opinas)|danos tu opini[oó]n",
            r"(?:leer más|lee también|lea también|te puede interesar|ver también|más información)"
            r"\s*[:|»›>–—-].{0,200}",
            r"leer más|seguir leyendo",
            r"(?:foto|imagen|fotograf[ií]a|v[ií]deo)\s*(?::|de\b).{0,160}",
            r"fuentes?" + _SOURCE,
            r"etiquetas" + _TAG_LIST,
            r"tiempo (?:estimado )?de lectura\s*:?\s*(?:<\s*)?\d+\s*min(?:uto)?s?",
        ),
        TAGS: (r"etiquetas",),
        WITH_NEXT: (
            r"(?:artículo|noticia) (?:anterior|siguiente)",
            r"siguiente (?:artículo|noticia)",
        ),
        SECTION: (
            r"(?:noticias|artículos) relacionad[oa]s",
            r"también te puede interesar",
            r"lo más (?:leído|visto)",
            r"más noticias",
            r"no te lo pierdas",
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
            rf"suivez\s.{{1,80}}?\bsur {_NETWORKS}",
            r"recevez\s.{1,120}\bdans votre boîte (?:mail|e-mail|de réception|aux lettres)"
            r"(?: chaque (?:jour|matin|semaine))?",
            r"dites-nous ce que vous en pensez",
            r"(?:lire aussi|à lire aussi|lire la suite|voir aussi|sur le même sujet|à voir aussi)"
            r"\s*[:|»›>–—-].{0,200}",
            r"lire (?:aussi|la suite|plus)|à lire aussi",
            r"(?:photo|image|crédit photo|crédits? photos?|vidéo)\s*(?::|de\b).{0,160}",
            r"sources?" + _SOURCE,
            r"mots-clés" + _TAG_LIST,
            r"temps de lecture\s*:?\s*(?:<\s*)?\d+\s*min(?:ute)?s?",
        ),
        TAGS: (r"mots-clés",),
        WITH_NEXT: (
            r"article (?:précédent|suivant)",
            r"(?:précédent|suivant)",
        ),
        SECTION: (
            r"(?:articles|sujets) (?:liés|associés|similaires)",
            r"sur le même sujet",
            r"les plus lus",
            r"à (?:lire|voir) aussi",
            r"à ne pas manquer",
        ),
    },
    "de": {
        LINE: (
            r"keine zeit zum lesen\??(?:\s*zusammenfassung (?:anzeigen|lesen))?",
            r"zusammenfassung (?:anzeigen|lesen)|zur zusammenfassung",
            r"anzeige|werbung",
            r"teilen(?: auf \w+)?|artikel teilen|auf \w+ teilen|drucken",
            r"(?:newsletter abonnieren|jetzt abonnieren|abonnieren sie)\b.{0,160}",
            r"folgen sie uns\b.{0,120}",
            rf"folgen sie\s.{{1,80}}?\bauf {_NETWORKS}",
            r"(?:erhalten|bekommen) sie\s.{1,120}\bin ihr (?:e-mail-)?postfach",
            r"sagen sie uns (?:ihre meinung|was sie denken)",
            r"(?:lesen sie auch|auch interessant|mehr zum thema|weiterlesen|lesen sie mehr)"
            r"\s*[:|»›>–—-].{0,200}",
            r"lesen sie auch|auch interessant|weiterlesen|mehr lesen",
            r"(?:foto|bild|fotos|video)\s*(?::|von\b).{0,160}",
            r"quellen?" + _SOURCE,
            r"(?:schlagw(?:ö|oe)rter|schlagworte)" + _TAG_LIST,
            r"lesezeit\s*:?\s*(?:ca\.\s*)?(?:<\s*)?\d+\s*min(?:ute|uten|\.)?",
        ),
        TAGS: (r"schlagw(?:ö|oe)rter|schlagworte",),
        WITH_NEXT: (r"(?:vorheriger|nächster) artikel",),
        SECTION: (
            r"mehr zum thema",
            r"(?:ähnliche|verwandte) artikel",
            r"meistgelesen(?:e artikel)?",
            r"das könnte sie auch interessieren",
            r"nicht verpassen",
        ),
    },
    "ru": {
        LINE: (
            r"нет времени (?:читать|на чтение)\??(?:\s*получить (?:краткое содержание|пересказ))?",
            r"получить (?:краткое содержание|пересказ|резюме)|краткий пересказ",
            r"реклама",
            r"поделиться(?: в \w+)?",
            r"(?:подпишитесь|подписывайтесь)\b.{0,160}",
            rf"(?:следите за нами|читайте нас)\s(?:в|на) {_NETWORKS}",
            r"(?:читайте также|читать также|читать далее|подробнее|смотрите также)"
            r"\s*[:|»›>–—-].{0,200}",
            r"читайте также|читать далее|подробнее",
            r"(?:фото|видео|иллюстрация)\s*(?::|—|-).{0,160}",
            r"источники?" + _SOURCE,
            r"теги" + _TAG_LIST,
            r"время (?:на )?чтени[ея]\s*:?\s*(?:<\s*)?\d+\s*мин(?:ут[аы]?|\.)?",
        ),
        TAGS: (r"теги",),
        WITH_NEXT: (r"(?:предыдущая|следующая) (?:статья|новость)",),
        SECTION: (
            r"(?:похожие|другие) (?:статьи|новости|материалы)",
            r"читайте также",
            r"самое (?:читаемое|популярное)",
            r"не пропустите",
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
            rf"segui\s.{{1,80}}?\bsu {_NETWORKS}",
            r"ricevi\s.{1,120}\bnella tua (?:casella(?: di posta| e-?mail)?|e-?mail|posta)"
            r"(?: ogni (?:giorno|mattina|settimana))?",
            r"dicci cosa ne pensi",
            r"(?:leggi anche|leggi di più|vedi anche|potrebbe interessarti)\s*[:|»›>–—-].{0,200}",
            r"leggi anche|leggi di più|continua a leggere",
            r"(?:foto|immagine|video)\s*(?::|di\b).{0,160}",
            r"fonti?" + _SOURCE,
            r"tag" + _TAG_LIST,
            r"tempo di lettura\s*:?\s*(?:<\s*)?\d+\s*min(?:ut[oi])?",
        ),
        TAGS: (r"tag",),
        WITH_NEXT: (r"articolo (?:precedente|successivo)",),
        SECTION: (
            r"articoli correlati|notizie correlate",
            r"(?:i )?più lett[ei]",
            r"potrebbe interessarti(?: anche)?",
            r"da non perdere",
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
            rf"siga\s.{{1,80}}?\bno {_NETWORKS}",
            r"receba\s.{1,120}\b(?:no seu e-?mail|na sua caixa de (?:entrada|correio))"
            r"(?: todos os dias| toda (?:manhã|semana))?",
            r"diga-nos o que (?:pensa|acha)",
            r"(?:leia também|leia mais|veja também|saiba mais)\s*[:|»›>–—-].{0,200}",
            r"leia (?:também|mais)|saiba mais|continue lendo",
            r"(?:foto|imagem|vídeo)\s*(?::|de\b).{0,160}",
            r"fontes?" + _SOURCE,
            r"(?:etiquetas|marcadores)" + _TAG_LIST,
            r"tempo (?:estimado )?de leitura\s*:?\s*(?:<\s*)?\d+\s*min(?:uto)?s?",
        ),
        TAGS: (r"etiquetas|marcadores",),
        WITH_NEXT: (
            r"(?:artigo|notícia) anterior",
            r"(?:próximo artigo|próxima notícia)",
        ),
        SECTION: (
            r"(?:artigos|notícias|matérias) relacionad[oa]s",
            r"mais lid[oa]s",
            r"você também pode gostar",
            r"não perca",
        ),
    },
}

# Bullets, arrows and separators that widgets put around their labels.
_DECORATION = " \t\r\n\u00a0•·»«›‹>|*#▶►→←<–—-"
#: Separators between widget items that share a line: "Previous article · Next article".
_ITEM_SEPARATOR = re.compile(r"\s*[·|•/]\s*|\s+[-–—]\s+")


@dataclass(frozen=True)
class _Rules:
    line: re.Pattern[str] | None
    with_next: re.Pattern[str] | None
    section: re.Pattern[str] | None
    tags: re.Pattern[str] | None
    promo: re.Pattern[str] | None
    trailing: re.Pattern[str] | None


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
    trailing = [p for t in tables for p in t.get(TRAILING, ())]
    return _Rules(
        line=_compile([p for t in tables for p in t.get(LINE, ())]),
        with_next=_compile([p for t in tables for p in t.get(WITH_NEXT, ())]),
        section=_compile([p for t in tables for p in t.get(SECTION, ())]),
        tags=_compile([p for t in tables for p in t.get(TAGS, ())]),
        promo=_compile([p for t in tables for p in t.get(PROMO, ())]),
        # Glued to the end of a sentence ("stress.Click To Tweet"), never inside one.
        trailing=re.compile(
            rf"(?<=[.!?…\"”’)])\s*(?:{'|'.join(f'(?:{p})' for p in trailing)})[\s.:!…]*$",
            re.IGNORECASE,
        )
        if trailing
        else None,
    )


def _label(line: str) -> str:
    return line.strip(_DECORATION)


def _matches(pattern: re.Pattern[str] | None, label: str) -> bool:
    return pattern is not None and pattern.fullmatch(label) is not None


def _is_widget_row(rules: _Rules, label: str) -> bool:
    """Return True when ``label`` is two or more furniture items joined by separators."""
    if not _ITEM_SEPARATOR.search(label):
        return False
    items = [_label(item) for item in _ITEM_SEPARATOR.split(label)]
    return len(items) > 1 and all(
        item
        and (
            _matches(rules.line, item)
            or _matches(rules.with_next, item)
            or _matches(rules.section, item)
        )
        for item in items
    )


def _is_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= MAX_HEADLINE_WORDS and not line.rstrip().endswith(".")


def _is_tag_list(line: str) -> bool:
    items = [item.strip() for item in re.split(r"[,|·;]", line.strip(_DECORATION))]
    return (
        0 < len(items) <= MAX_TAGS
        and all(0 < len(item.split()) <= MAX_TAG_WORDS for item in items)
        and not line.rstrip().endswith((".", "!", "?"))
    )


def find_furniture(lines: list[str], language: str | None = None) -> set[int]:
    """Return the indices of the lines that are furniture.

    ``language`` selects the table rows used (with the universal and English ones); None uses
    every language.
    """
    rules = _rules(language.lower() if language else None)
    labels = [_label(line) for line in lines]
    words = [len(line.split()) for line in lines]

    def kind(i: int) -> str | None:
        if not labels[i] or words[i] > MAX_PROMO_WORDS:
            return None
        if words[i] > MAX_FURNITURE_WORDS:
            return LINE if _matches(rules.promo, labels[i]) else None
        if _matches(rules.with_next, labels[i]):
            return WITH_NEXT
        if _matches(rules.section, labels[i]):
            return SECTION
        if _matches(rules.tags, labels[i]):
            return TAGS
        if _matches(rules.line, labels[i]) or _matches(rules.promo, labels[i]):
            return LINE
        if _is_widget_row(rules, labels[i]):
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
        # The headlines (or the tag list) after it; blank lines between them (plain text) are
        # skipped.
        budget = MAX_SECTION_LINES if k == SECTION else 1
        follows = _is_tag_list if k == TAGS else _is_headline
        j = i + 1
        while j < len(lines) and budget > 0:
            if not lines[j].strip():
                j += 1
                continue
            if kinds[j] is not None or not follows(lines[j]):
                break
            found.add(j)
            budget -= 1
            j += 1
    return found


def remove_furniture(text: str, language: str | None = None) -> str:
    """Return ``text`` (one paragraph per line) without its furniture lines and trailers."""
    lines = text.split("\n")
    drop = find_furniture(lines, language)
    trailing = _rules(language.lower() if language else None).trailing
    kept = [line for i, line in enumerate(lines) if i not in drop]
    if trailing is not None:
        kept = [trailing.sub("", line) for line in kept]
    return "\n".join(kept)
