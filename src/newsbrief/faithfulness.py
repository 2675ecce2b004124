"""Check that each sentence of an abstractive summary is supported by the article.

Each summary sentence is aligned to the article sentences that best cover its content words
(stop words removed, words compared by their first ``STEM_CHARS`` characters so "minister" and
"ministers" match in any language). Its ``support`` is the share of its content words found in
those evidence sentences (greedy cover, at most ``MAX_EVIDENCE`` sentences). Independently of
the score, three kinds of facts must appear in the article: numbers (digits, or English number
words, normalised so "1,500" = "1500" and "three" = "3"), capitalised names, and quoted spans of
three or more words (which must appear word for word). A sentence is ``supported`` when its
support reaches ``SUPPORT_THRESHOLD`` and it introduces no new number, name or quote.

This is a lexical check: it catches invented numbers, names and quotes and sentences about
something else, not a negation or a wrong relation between facts the article does contain.
docs/faithfulness.md reports how often it flags real reference summaries and perturbed ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsbrief.models import Document, SummarySentence

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
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])|\d+(?=[a-zA-Z%£$€])")
_QUOTE = re.compile(r"[\"“”„«»]\s*([^\"“”„«»]{3,}?)\s*[\"“”„«»]")

#: English number words read as numbers ("one" and ordinals are left out: too often not a count).
_EN_NUMBERS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "dozen": "12",
}

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


def _number_key(raw: str) -> str:
    digits = raw.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".") if re.fullmatch(r"\d+\.\d+", digits) else digits
    return digits.lstrip("0") or "0"


def numbers_in(text: str, language: str = "en") -> set[str]:
    """Return the normalised numbers stated in ``text`` (digits, and English number words)."""
    found = {_number_key(m.group(0)) for m in _NUMBER.finditer(text)}
    if language == "en":
        found.update(_EN_NUMBERS[w] for w in _WORD.findall(text.lower()) if w in _EN_NUMBERS)
    return found


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

    def check(
        self, sentence: str, *, threshold: float = SUPPORT_THRESHOLD, facts_only: bool = False
    ) -> Check:
        """Align ``sentence`` to its best evidence and return the verdict.

        ``facts_only`` is for a summary in another language than the article: words cannot be
        compared, so support is the share of its numbers and names the article contains.
        """
        if facts_only:
            language = self.language
            wanted = {_stem(n) for n in numbers_in(sentence, language)}
            wanted |= {_stem(n) for n in names_in(sentence, language)}
            threshold = 1.0
        else:
            wanted = content_stems(sentence, self.language)
        evidence: list[int] = []
        covered: set[str] = set()
        for _ in range(MAX_EVIDENCE):
            best, gain = -1, 0
            for i, stems in enumerate(self.stems):
                g = len((wanted - covered) & stems)
                if g > gain:
                    best, gain = i, g
            if best < 0:
                break
            evidence.append(best)
            covered |= wanted & self.stems[best]
        support = len(covered) / len(wanted) if wanted else 1.0

        issues: list[str] = []
        for number in sorted(numbers_in(sentence, self.language) - self.numbers):
            issues.append(f"number {number} is not in the article")
        for name in sorted(names_in(sentence, self.language)):
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
    (numbers and names, see ``ArticleIndex.check``).
    """
    index = ArticleIndex.of(doc)
    facts_only = summary_language is not None and summary_language != doc.language
    return [index.check(s, threshold=threshold, facts_only=facts_only) for s in sentences]
