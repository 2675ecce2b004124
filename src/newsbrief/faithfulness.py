"""Check that each sentence of an abstractive summary is supported by the article.

Each summary sentence is aligned to the article sentences that best cover its content words
(stop words removed, words compared by their first ``STEM_CHARS`` characters so "minister" and
"ministers" match in any language). Its ``support`` is the share of its content words found in
those evidence sentences (greedy cover, at most ``MAX_EVIDENCE`` sentences). Independently of
the score, three kinds of facts must appear in the article: numbers (digits, or English number
words, normalised so "1,500" = "1500", "forty-six" = "46" and "£18.6m" = "18.6 million"; see
``number_mentions``), capitalised names, and quoted spans of three or more words (which must
appear word for word). A sentence is ``supported`` when its support reaches
``SUPPORT_THRESHOLD`` and it introduces no new number, name or quote.

This is a lexical check: it catches invented numbers, names and quotes and sentences about
something else, not a negation or a wrong relation between facts the article does contain.
docs/faithfulness.md reports how often it flags real reference summaries and perturbed ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from newsbrief.models import Document, SummarySentence
from newsbrief.textutil import alternation

#: Words compared by this many leading characters: a cheap stemmer that works across languages.
STEM_CHARS = 6
#: Evidence sentences used to cover one summary sentence (summaries fuse two or three).
MAX_EVIDENCE = 3
#: Minimum support for a sentence to count as supported. 0.4 was chosen on the calibration half
#: of an 800-article CNN/DM dev sample (sha1(id)[1] < "8": 401 articles, 1,547 reference
#: sentences): thresholds 0.2-0.9 were swept to separate reference-summary sentences from
#: reference sentences of *other* articles, and 0.4 maximised balanced accuracy (0.980; 0.5 gave
#: 0.978). Run: python benchmarks/faithfulness.py --n 800 --calibrate (docs/faithfulness.md).
SUPPORT_THRESHOLD = 0.4

_WORD = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)
_QUOTE = re.compile(r"[\"“”„«»]\s*([^\"“”„«»]{3,}?)\s*[\"“”„«»]")

#: Function words per language (space-separated); words not listed count as content words.
_STOP_TEXT: dict[str, str] = {
    "en": (
        "a about above after again against all also am an and any are as at be because been "
        "before being below between both but by can could did do does doing down during each few "
        "for from further had has have having he her here hers herself him himself his how i if "
        "in into is it its itself just me more most my myself no nor not now of off on once only "
        "or other our ours ourselves out over own same she should so some such than that the "
        "their theirs them themselves then there these they this those through to too under until "
        "up very was we were what when where which while who whom why will with would you your "
        "yours yourself yourselves said says say told according new one its it's he's she's who's "
        "mr mrs ms dr last year years week day time per cent percent may might must shall us like "
        "get got make made many much well back even still"
    ),
    "es": (
        "a al algo ante antes como con contra cual cuando de del desde donde dos el ella ellas "
        "ellos en entre era es esa ese eso esta este esto están fue fueron ha han hasta hay la "
        "las le les lo los más me mi muy nada ni no nos o otra otro para pero por porque que qué "
        "se ser si sin sobre son su sus también te tiene todo todos tras un una uno unos y ya yo "
        "dijo según año años"
    ),
    "fr": (
        "a à au aux avec ce ces cette dans de des du elle elles en est et été être il ils je la "
        "le les leur leurs lui mais me même mon ne ni nous on ont ou où par pas pour qu que qui "
        "sa se ses son sont sur ta te tes toi ton tous tout très tu un une vous y a été selon ans "
        "an plus aussi comme dont fait"
    ),
    "de": (
        "aber als am an auch auf aus bei bin bis das dass dem den der des die ein eine einem "
        "einen einer eines er es für hat haben ich im in ist ja kein man mit nach nicht noch nur "
        "oder sein sich sie sind so über um und uns von vor war waren was wie wir wird zu zum zur "
        "sagte jahr jahre"
    ),
    "ru": (
        "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только "
        "ее мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть "
        "был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть "
        "надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда "
        "кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее "
        "сейчас были куда зачем всех никогда можно при об это также заявил году года лет"
    ),
}
_STOP_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _STOP_TEXT.items()
}
_NO_WORDS: frozenset[str] = frozenset()


def _fold(text: str) -> str:
    """Lowercase and strip accents so "Pérez" and "Perez" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_POSSESSIVE = re.compile(r"['’]s$")


def _word(word: str) -> str:
    """Fold a word and drop a possessive ending ("Clooney's" -> "clooney")."""
    return _POSSESSIVE.sub("", _fold(word))


def _stem(word: str) -> str:
    return word[:STEM_CHARS]


# Numbers ----------------------------------------------------------------------------------

#: Languages that write 18,6 for 18.6 and 1.200 for 1200; the others write 18.6 and 1,200.
_DECIMAL_COMMA_TEXT = (
    "fr de es it pt nl ru pl cs sk sl hr sr bs ro hu tr da sv nb nn no fi et lv lt el bg uk ca"
)
_DECIMAL_COMMA = frozenset(_DECIMAL_COMMA_TEXT.split())
#: Languages where "billion" means 10^12 (long scale); in English it is 10^9.
_LONG_SCALE = frozenset({"fr", "de"})
#: Words and abbreviations that scale the number before them, by power of ten ("£18.6m",
#: "18.6 million", "18,6 millions", "18,6 Mio.", "2,5 Mrd.", "3 млн", "50k"). "b" counts only
#: after a currency sign ("$2b"): alone it is too often something else.
_SCALE_TEXT: dict[int, str] = {
    3: "thousand k tausend tsd mille mil тыс тысяча тысячи тысяч",
    6: "million millions m mn mln mio millionen millón millones миллион миллиона миллионов млн",
    9: (
        "billion billions bn bln b milliard milliards md mds mrd milliarde milliarden "
        "миллиард миллиарда миллиардов млрд"
    ),
    12: "trillion trillions tn trn billionen billón billones триллион триллиона триллионов трлн",
}
_SCALES = {word: power for power, words in _SCALE_TEXT.items() for word in words.split()}
_SCALES["mil millones"] = 9  # Spanish for billion
_SCALE_WORDS = frozenset(_fold(w) for w in _SCALES)
#: Abbreviations that may be a unit instead ("14m" of rope, "5k" run, "5 mn" in French):
#: without a currency sign the bare number is a reading too.
_UNIT_LIKE = frozenset({"m", "k", "mn", "md", "mil", "tn"})
_CURRENCY = "£$€¥₹"
#: No-break, narrow no-break and thin spaces group digits ("1 200"); a plain space does not,
#: since "On May 12 500 people" is two numbers.
_GROUP_SPACES = "\u00a0\u202f\u2009"
_DIGITS = re.compile(
    rf"(?:(?P<currency>[{_CURRENCY}])[^\S\n]?)?"
    r"(?<!\d)(?<!\d[.,])"  # not the middle of a number
    rf"(?P<number>\d+(?:[.,]\d+|[{_GROUP_SPACES}]\d{{3}}(?!\d))*)"
    rf"(?:[ {_GROUP_SPACES}-]?"
    rf"(?P<scale>{alternation(_SCALES)})"
    r"\.?(?![^\W\d_]))?",  # a whole word: "5km" is not 5 thousand
    re.IGNORECASE,
)
_SEPARATOR = re.compile(rf"([.,{_GROUP_SPACES}])")
#: A time written with a dot ("10.30am") is two numbers, as "10:30am" is, not 10.3.
_DOTTED_TIME = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{2})(?=[^\S\n]?[ap]\.?m\b)", re.IGNORECASE)

#: English number words: (kind, value). "one" alone is left out (too often not a count), and
#: so are ordinals ("first", "twenty-first").
_EN_UNITS = "one two three four five six seven eight nine"
_EN_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_EN_WORDS: dict[str, tuple[str, int]] = {
    **{word: ("unit", n) for n, word in enumerate(_EN_UNITS.split(), 1)},
    **{word: ("teen", n) for n, word in enumerate(_EN_TEENS.split(), 10)},
    **{word: ("tens", 10 * n) for n, word in enumerate(_EN_TENS.split(), 2)},
    "hundred": ("hundred", 100),
    "thousand": ("big", 10**3),
    "million": ("big", 10**6),
    "billion": ("big", 10**9),
    "trillion": ("big", 10**12),
    "dozen": ("dozen", 12),
}
_EN_WORD = "|".join(sorted(_EN_WORDS, key=len, reverse=True))
#: Number words joined by spaces, hyphens or "and": "forty-six", "two hundred and fifty".
_EN_PHRASE = re.compile(
    rf"\b(?:{_EN_WORD})(?:(?:[^\S\n]*-[^\S\n]*|[^\S\n]+(?:and[^\S\n]+)?)(?:{_EN_WORD}))*\b",
    re.IGNORECASE,
)
_ORDINAL_TAIL = re.compile(
    r"-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class NumberMention:
    """A number stated in a text: its normalised form and the values it may stand for."""

    #: The text it was read from: "£18.6m", "1,200", "forty-six".
    text: str
    #: Normalised, scale word left out: "18.6" for "£18.6m", "1200", "46".
    key: str
    #: The values it may stand for: {"1200"}; {"18600000"} for "£18.6m" and "18.6 million";
    #: {"14000000", "14"} for "14m", which may be metres.
    readings: frozenset[str]


def _format(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _as_written(raw: str) -> str:
    """Normalise digits that are not one number ("12.03.2024", a date) as before: drop commas."""
    digits = re.sub(rf"[,{_GROUP_SPACES}]", "", raw)
    return digits.lstrip("0") or "0"


def _read_digits(number: str, language: str) -> Decimal | None:
    """Read "1,200", "18.6", "18,6", "1.234.567,8" or "1 200"; None when it is not one number.

    A single "," or "." followed by exactly three digits ("1,200", "1.200") is read as the
    language writes numbers: a thousands separator in it, else the decimal point. Any other
    single separator is the decimal point ("18,6", "3.50").
    """
    parts = _SEPARATOR.split(number)
    groups, seps = parts[::2], parts[1::2]
    if not seps:
        return Decimal(number)

    def thousands(gs: list[str]) -> bool:
        return 1 <= len(gs[0]) <= 3 and all(len(g) == 3 for g in gs[1:])

    last = seps[-1]
    if len(seps) == 1 and last in ".,":
        grouping = "." if language in _DECIMAL_COMMA else ","
        if last == grouping and thousands(groups) and groups[0] != "0":
            return Decimal("".join(groups))
        return Decimal(f"{groups[0]}.{groups[1]}")
    # Several separators: all group thousands, except a last "," or "." unlike the others.
    decimals = ""
    if last in ".," and last not in seps[:-1]:
        groups, seps, decimals = groups[:-1], seps[:-1], groups[-1]
    if len(set(seps)) != 1 or not thousands(groups):
        return None
    return Decimal("".join(groups) + (f".{decimals}" if decimals else ""))


def _read_words(tokens: list[str]) -> list[int]:
    """Return the numbers that a run of English number words (and "and") states, in order."""
    numbers: list[int] = []
    i = 0
    while i < len(tokens):
        start = i
        total = group = 0
        last = ""  # the kind of the previous word; "" at the start of a number
        big = 10**15  # each thousand/million/... must be smaller than the one before it
        while i < len(tokens):
            word = tokens[i]
            if word == "and":
                following = _EN_WORDS.get(tokens[i + 1], ("", 0))[0] if i + 1 < len(tokens) else ""
                if last in ("hundred", "big") and following in ("unit", "teen", "tens"):
                    last, i = "and", i + 1
                    continue
                break
            kind, value = _EN_WORDS[word]
            if kind == "unit":
                fits = last in ("", "tens", "hundred", "big", "and")
            elif kind in ("teen", "tens"):
                fits = last in ("", "hundred", "big", "and")
            elif kind in ("hundred", "dozen"):
                fits = last in ("", "unit", "teen", "tens") and group < 100
            else:  # big
                fits = last in ("", "unit", "teen", "tens", "hundred") and value < big
            if not fits:
                break
            if kind in ("unit", "teen", "tens"):
                group += value
            elif kind in ("hundred", "dozen"):
                group = (group or 1) * value
            else:
                total, group, big = total + (group or 1) * value, 0, value
            last, i = kind, i + 1
            if kind == "dozen":
                break
        if i == start:  # a leading "and"
            i += 1
            continue
        if tokens[start:i] != ["one"]:
            numbers.append(total + group)
    return numbers


def number_mentions(text: str, language: str = "en") -> list[NumberMention]:
    """Return the numbers stated in ``text``, in order: digits, and English number words.

    Digits are read as one number (thousands separators and the decimal separator as
    ``language`` writes them) times the scale word or abbreviation after them: "£18.6m",
    "18.6 million" and "18,6 Mio." all stand for 18600000. English number words, in English
    text only, make one number per phrase ("forty-six" = 46, "two hundred and fifty" = 250,
    "three thousand" = 3000).
    """
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    found: list[tuple[int, NumberMention]] = []
    for m in _DIGITS.finditer(text):
        value = _read_digits(m["number"], language)
        scale = (m["scale"] or "").lower()
        if value is None:  # "12.03.2024": a date or the like, compared as written
            key = _as_written(m["number"])
            readings = {key}
        elif scale and (scale != "b" or m["currency"]):
            key = _format(value)
            long_scale = scale in ("billion", "billions") and language in _LONG_SCALE
            readings = {_format(value.scaleb(12 if long_scale else _SCALES[scale]))}
            if scale in _UNIT_LIKE and not m["currency"]:
                readings.add(key)
        else:
            key = _format(value)
            readings = {key}
        written = m[0].strip().rstrip(".")
        found.append((m.start(), NumberMention(written, key, frozenset(readings))))
    if language == "en":
        # Number words inside a match above ("2 million") are not read again.
        rest = _DIGITS.sub(lambda m: " " * len(m[0]), text)
        for m in _EN_PHRASE.finditer(rest):
            if _ORDINAL_TAIL.match(rest, m.end()):
                continue
            for number in _read_words(re.findall(r"[a-z]+", m[0].lower())):
                key = str(number)
                found.append((m.start(), NumberMention(m[0], key, frozenset({key}))))
    return [mention for _, mention in sorted(found, key=lambda f: f[0])]


def numbers_in(text: str, language: str = "en") -> set[str]:
    """Return the numbers stated in ``text``: each mention's key and readings.

    "1,200" gives {"1200"}, "forty-six" {"46"}, and "£18.6m" and "18.6 million" both give
    {"18.6", "18600000"}: an article stating either supports a summary stating either, and a
    bare "18.6" in the summary.
    """
    return {
        r for mention in number_mentions(text, language) for r in (mention.key, *mention.readings)
    }


def names_in(text: str, language: str = "en") -> set[str]:
    """Return the capitalised words of ``text`` (folded), except sentence-initial and stop words."""
    stop = _STOP_WORDS.get(language, _NO_WORDS)
    names: set[str] = set()
    for sentence in re.split(r"(?<=[.!?:;])\s+|\n", text):
        words = _WORD.findall(sentence)
        for i, word in enumerate(words):
            if i == 0 or not word[0].isupper() or (word.isupper() and len(word) == 1):
                continue
            folded = _word(word)
            if folded in stop or folded.isdigit() or "'" in folded or "’" in folded:
                continue
            if folded in _SCALE_WORDS:  # part of a number: "18,6 Mio.", "2 Milliarden"
                continue
            names.add(folded)
    return names


def quotes_in(text: str) -> list[str]:
    """Return the quoted spans of three or more words in ``text``."""
    return [m.group(1) for m in _QUOTE.finditer(text) if len(m.group(1).split()) >= 3]


def _words_key(text: str) -> str:
    return " ".join(_fold(w) for w in _WORD.findall(text))


def content_stems(text: str, language: str) -> set[str]:
    """Return the stems of ``text``'s content words (stop words and 1-letter words removed)."""
    stop = _STOP_WORDS.get(language, _NO_WORDS)
    out: set[str] = set()
    for word in _WORD.findall(text):
        folded = _fold(word)
        if folded in stop or (len(folded) < 2 and not folded.isdigit()):
            continue
        out.add(_stem(folded))
    return out


@dataclass
class Check:
    """The faithfulness verdict on one summary sentence."""

    text: str
    support: float
    supported: bool
    evidence: tuple[int, ...]
    issues: list[str] = field(default_factory=list)

    def to_sentence(self) -> SummarySentence:
        """Return the sentence as it appears in a Summary."""
        return SummarySentence(
            text=self.text,
            support=round(self.support, 4),
            supported=self.supported,
            evidence=self.evidence,
        )


class ArticleIndex:
    """An article's sentences, prepared once for checking any number of summary sentences."""

    def __init__(self, sentences: Sequence[str], language: str) -> None:
        self.language = language
        self.sentences = list(sentences)
        self.stems = [content_stems(s, language) for s in sentences]
        text = "\n".join(sentences)
        self.all_stems: set[str] = set().union(*self.stems) if self.stems else set()
        self.words = {_word(w) for w in _WORD.findall(text)}
        self.numbers = numbers_in(text, language)
        self.key = " " + _words_key(text) + " "

    @classmethod
    def of(cls, doc: Document) -> ArticleIndex:
        """Index a prepared document (its title counts as article text too)."""
        sentences = [s.text for s in doc.sentences]
        index = cls(sentences, doc.language)
        if doc.title:
            index.words |= {_word(w) for w in _WORD.findall(doc.title)}
            index.numbers |= numbers_in(doc.title, doc.language)
        return index

    @cached_property
    def sentence_numbers(self) -> list[set[str]]:
        """The numbers of each article sentence (for facts-only evidence), read when first used."""
        return [numbers_in(s, self.language) for s in self.sentences]

    def check(
        self,
        sentence: str,
        *,
        threshold: float = SUPPORT_THRESHOLD,
        facts_only: bool = False,
        language: str | None = None,
    ) -> Check:
        """Align ``sentence`` to its best evidence and return the verdict.

        ``facts_only`` is for a summary in another language than the article: words cannot be
        compared, so support is the share of its numbers and names the article contains.
        ``language`` is the sentence's language (default: the article's); it decides how its
        numbers and names are read.
        """
        language = language or self.language
        mentions = number_mentions(sentence, language)
        if facts_only:
            # A number is covered by an article sentence stating any of its readings
            # ("18.6 million" by "£18.6m"); a name by the sentence's words.
            names = {_stem(n) for n in names_in(sentence, language)}
            readings = list(dict.fromkeys(m.readings for m in mentions))
            wanted = names | {f"#{i}" for i in range(len(readings))}
            covers = [
                (names & stems)
                | {f"#{i}" for i, r in enumerate(readings) if not r.isdisjoint(numbers)}
                for stems, numbers in zip(self.stems, self.sentence_numbers, strict=True)
            ]
            threshold = 1.0
        else:
            wanted = content_stems(sentence, self.language)
            covers = [wanted & stems for stems in self.stems]
        evidence: list[int] = []
        covered: set[str] = set()
        for _ in range(MAX_EVIDENCE):
            best, gain = -1, 0
            for i, cover in enumerate(covers):
                g = len(cover - covered)
                if g > gain:
                    best, gain = i, g
            if best < 0:
                break
            evidence.append(best)
            covered |= covers[best]
        support = len(covered) / len(wanted) if wanted else 1.0

        issues: list[str] = []
        # Named by its key ("number 60" for "60 million"), unless the article has that at
        # another scale ("£18.6bn" where it says "£18.6m").
        missing = {
            m.text if m.key in self.numbers else m.key
            for m in mentions
            if m.readings.isdisjoint(self.numbers)
        }
        for number in sorted(missing):
            issues.append(f"number {number} is not in the article")
        for name in sorted(names_in(sentence, language)):
            if name not in self.words:
                issues.append(f"name {name!r} is not in the article")
        for quote in quotes_in(sentence):
            if " " + _words_key(quote) + " " not in self.key:
                issues.append(f"quote {quote!r} is not in the article")
        supported = support >= threshold and not issues
        return Check(sentence, support, supported, tuple(sorted(evidence)), issues)


def check_summary(
    sentences: Sequence[str],
    doc: Document,
    *,
    threshold: float = SUPPORT_THRESHOLD,
    summary_language: str | None = None,
) -> list[Check]:
    """Check every summary sentence against ``doc``; one verdict per sentence, in order.

    A summary written in another language than the article is checked on facts only
    (numbers and names, see ``ArticleIndex.check``), its numbers read as that language writes
    them.
    """
    index = ArticleIndex.of(doc)
    facts_only = summary_language is not None and summary_language != doc.language
    language = summary_language if facts_only else None
    return [
        index.check(s, threshold=threshold, facts_only=facts_only, language=language)
        for s in sentences
    ]
