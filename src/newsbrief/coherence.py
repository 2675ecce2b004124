"""Dangling openers: sentences that need the sentence before them to be understood.

A summary sentence that opens with a pronoun or a connective ("It connects the park's north
gate…", "But the council refused…", "Она соединяет…") reads as a story started in the middle
when the article sentence before it is left out: its antecedent is missing. ``dangles`` tells
such an opener by its first words, from one table per language (``OPENERS``), and
``dangling_count`` applies the rule to a summary. Extractive selection
(``summarizers.select``, ``summarizers.trained.choose``) uses it to keep summaries coherent,
and ``newsbrief.evaluate`` reports the rate beside ROUGE.

The rule is deliberately simple and lexical: no parsing, no coreference. It errs both ways
("It is raining" has no antecedent; a sentence that repeats a name can still need context),
but it catches the openers a reader notices first.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Sequence

from newsbrief.datelines import strip_dateline


def _phrases(text: str) -> frozenset[str]:
    """Return the space-separated phrases of ``text`` (words of a phrase joined by ``_``)."""
    return frozenset(text.split())


#: Words and phrases that, at the start of a sentence, point back to something said before:
#: personal pronouns, possessives, demonstratives, and connectives that continue an argument.
#: Ambiguous words that are more often an article or stand alone at a sentence start are left
#: out (German "Das"/"Der"/"Die", Dutch "Het", French "Le"/"La", Spanish subordinators such as
#: "Aunque", "There is"). A phrase is a space-separated sequence of lower-case words, as
#: ``_first_words`` cuts them (an apostrophe separates words: "c'est" is "c est").
OPENERS: dict[str, frozenset[str]] = {
    "en": _phrases(
        """he she it they him them his her its their this these those that such both
        but however yet still also and or so then thus hence therefore moreover furthermore
        meanwhile instead nevertheless nonetheless besides otherwise indeed likewise similarly
        consequently accordingly
        in_addition as_a_result on_the_other_hand in_contrast by_contrast even_so
        at_the_same_time the_latter the_former despite_this because_of_this after_that
        for_this_reason in_that_case"""
    ),
    "fr": _phrases(
        """il elle ils elles lui leur leurs son sa ses ce c ç cela ça ceci celui celle ceux
        celles cette ces mais cependant pourtant toutefois néanmoins donc ainsi aussi or puis
        ensuite enfin également d_ailleurs de_plus en_outre par_ailleurs en_revanche
        par_conséquent en_effet malgré_cela pour_autant"""
    ),
    "de": _phrases(
        """er sie es ihm ihn ihnen ihr ihre ihren ihrem ihrer sein seine seinen seinem seiner
        dies diese dieser dieses diesen diesem deren dessen damit dabei dafür dazu daher
        deshalb deswegen darum dadurch danach davor darauf daraufhin dort damals dennoch
        trotzdem jedoch aber allerdings außerdem zudem doch somit also ebenfalls auch
        stattdessen indes"""
    ),
    "es": _phrases(
        """él ella ellos ellas le les su sus este esta esto estos estas ese esa eso esos esas
        aquel aquella aquello pero sin_embargo no_obstante además también así entonces
        asimismo por_eso por_ello por_lo_tanto por_tanto en_cambio incluso"""
    ),
    "it": _phrases(
        """lui lei loro esso essa essi esse questo questa questi queste quello quella quelli
        quelle ciò quest ma però tuttavia inoltre quindi dunque anche invece perciò pertanto
        infatti eppure comunque"""
    ),
    "pt": _phrases(
        """ele ela eles elas seu sua seus suas este esta isto estes estas esse essa isso esses
        essas aquele aquela aquilo mas porém contudo todavia entretanto portanto assim também
        no_entanto além_disso por_isso"""
    ),
    "nl": _phrases(
        """hij zij ze hem hen hun haar zijn dit deze die dat daar daarom daardoor daarnaast
        daarbij bovendien maar echter toch dus ook desondanks"""
    ),
    "ru": _phrases(
        """он она оно они его её ее их ему ей им это этот эта эти этого этой этих этим тот та
        те того той но однако также тоже поэтому зато а и там тогда впрочем ведь причём
        причем при_этом кроме_того тем_не_менее к_тому_же"""
    ),
}

#: Phrases that begin with an opener of ``OPENERS`` but stand alone: "This year…", "Cette
#: semaine…" point at the time of writing, not at an earlier sentence.
STANDALONE: dict[str, frozenset[str]] = {
    "en": _phrases(
        """this_year this_week this_month this_morning this_afternoon this_evening
        this_weekend this_summer this_winter this_spring this_autumn this_season
        this_time_last_year it_is_not_clear it_was_not_clear it_is_unclear it_was_unclear"""
    ),
    "fr": _phrases("cette_semaine cette_année ce_matin ce_soir ce_week ce_mois"),
    "de": _phrases("dieses_jahr diese_woche diesen_monat"),
    "es": _phrases("este_año esta_semana este_mes esta_mañana esta_tarde"),
    "it": _phrases("quest_anno questa_settimana questo_mese questa_mattina"),
    "pt": _phrases("este_ano esta_semana este_mês esta_manhã"),
    "nl": _phrases("dit_jaar deze_week deze_maand"),
    "ru": _phrases("этот_год эта_неделя"),
}


#: Connectives that can be dropped from the start of a sentence whose predecessor is left out,
#: so that the sentence stands alone: "However, the council refused." -> "The council
#: refused." (sentence compression as extractive systems do it; the claim stays, only the
#: link to the sentence before goes). Two lists per language: ``comma`` phrases are dropped
#: only when a comma follows them ("Still, ..." but not "Still the best ..."; "So, ..." but
#: not "So far ..."), ``bare`` ones (coordinating conjunctions) also without it ("But the
#: council refused"). Words that change the claim when dropped ("otherwise", "instead of")
#: are not listed, nor pronouns and demonstratives ("This", "They"): they need their antecedent.
#: German and Dutch adverbs ("Jedoch", "Echter") are left out: they take the verb after them
#: (verb-second word order), so dropping one would leave a sentence starting with its verb.
CONNECTIVES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "en": (
        _phrases(
            """however moreover furthermore meanwhile nevertheless nonetheless besides indeed
            likewise similarly consequently accordingly still yet also so then thus hence
            therefore additionally in_addition as_a_result on_the_other_hand in_contrast
            by_contrast even_so at_the_same_time but and"""
        ),
        _phrases("but and"),
    ),
    "fr": (
        _phrases(
            """cependant pourtant toutefois néanmoins donc ainsi aussi puis ensuite enfin
            également d_ailleurs de_plus en_outre par_ailleurs en_revanche par_conséquent
            en_effet mais et"""
        ),
        _phrases("mais et"),
    ),
    "de": (_phrases("aber und"), _phrases("aber und")),
    "es": (
        _phrases(
            """sin_embargo no_obstante además también así entonces asimismo por_lo_tanto
            por_tanto en_cambio pero y"""
        ),
        _phrases("pero y"),
    ),
    "it": (
        _phrases("tuttavia inoltre quindi dunque perciò pertanto infatti eppure comunque ma"),
        _phrases("ma"),
    ),
    "pt": (
        _phrases(
            """porém contudo todavia entretanto portanto assim também no_entanto além_disso
            mas"""
        ),
        _phrases("mas"),
    ),
    "nl": (_phrases("maar en"), _phrases("maar en")),
    "ru": (
        _phrases("однако впрочем зато кроме_того тем_не_менее к_тому_же но а и"),
        _phrases("однако но а и"),
    ),
}


#: Phrases that open with a droppable connective but mean something else as a whole, so the
#: connective stays: "But for the rain, they would have won" is "except for the rain"; without
#: its "But" the sentence says the rain made them win.
IDIOMS: dict[str, frozenset[str]] = {"en": _phrases("but_for")}


def _pattern(phrases: frozenset[str]) -> re.Pattern[str]:
    """Compile a regex that matches a text opening with one of ``phrases``, whole words only.

    Marks before the first word (quotes, dashes, brackets) are skipped, and the words of a
    phrase may be separated by any marks ("c'est", "d'ailleurs", "However,"). One match per
    sentence, in C: looking words up in Python cost as much as the rest of the selection.
    """
    alternatives = sorted(
        (r"[\W_]+".join(re.escape(w) for w in p.split("_")) for p in phrases),
        key=len,
        reverse=True,
    )
    return re.compile(r"[\W_]*(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE)


_OPENER_RE = {lang: _pattern(table) for lang, table in OPENERS.items()}
_STANDALONE_RE = {lang: _pattern(table) for lang, table in STANDALONE.items()}
_IDIOM_RE = {lang: _pattern(table) for lang, table in IDIOMS.items()}


def _alternatives(phrases: frozenset[str]) -> str:
    return "|".join(
        sorted((r"\s+".join(re.escape(w) for w in p.split("_")) for p in phrases), key=len)[::-1]
    )


def _connective_pattern(comma: frozenset[str], bare: frozenset[str]) -> re.Pattern[str]:
    """Compile a regex for a sentence that opens with a droppable connective.

    Group ``lead`` holds the marks before it (an opening quote stays), group ``rest`` the
    sentence after it and its comma, from its first letter, digit or quote on.
    """
    return re.compile(
        r"(?P<lead>[^\w\s]*)(?:(?:"
        + _alternatives(comma)
        + r")\s*,|(?:"
        + _alternatives(bare)
        + r")(?=\s))\s*(?P<rest>[^\W_\s]|[\"“‘«„'])",
        re.IGNORECASE,
    )


_CONNECTIVE_RE = {lang: _connective_pattern(*pair) for lang, pair in CONNECTIVES.items()}


def dangles(text: str, language: str | None) -> bool:
    """Return True when sentence ``text`` opens with a word that needs an earlier sentence.

    ``language`` is an ISO 639-1 code; a language without a table (or None) never dangles.
    Leading quotes, dashes and brackets are skipped, so '"They will come," he said.' dangles.
    """
    opener = _OPENER_RE.get(language or "")
    if opener is None or opener.match(text) is None:
        return False
    standalone = _STANDALONE_RE.get(language or "")
    return standalone is None or standalone.match(text) is None


def drop_connective(text: str, language: str | None) -> str | None:
    """Return ``text`` without its leading connective (``CONNECTIVES``), re-capitalised.

    None when ``text`` does not open with a droppable connective of ``language``, when the
    connective begins an idiom (``IDIOMS``: "But for the rain…"), or when what is left still
    dangles ("But he said…" -> "He said…" needs its antecedent all the same).
    """
    pattern = _CONNECTIVE_RE.get(language or "")
    match = pattern.match(text) if pattern is not None else None
    if match is None:
        return None
    idiom = _IDIOM_RE.get(language or "")
    if idiom is not None and idiom.match(text) is not None:
        return None
    start = match.start("rest")
    rest = text[start:]
    shorter = match.group("lead") + rest[:1].upper() + rest[1:]
    return None if dangles(shorter, language) else shorter


def standalone_forms(texts: Sequence[str], language: str | None) -> list[str | None]:
    """Return, for every sentence of an article, the form it takes in a summary.

    For a sentence after the first, the form it takes without its predecessor:
    ``drop_connective``'s shorter sentence where it has one. For the first, the sentence
    without its dateline or wire credit ("WASHINGTON (CNN) --": ``datelines.strip_dateline``),
    whatever else is chosen. None where the sentence is taken as it is.
    """
    return [
        drop_connective(text, language) if i > 0 else strip_dateline(text)
        for i, text in enumerate(texts)
    ]


def summary_texts(
    chosen: Sequence[int], texts: Sequence[str], forms: Sequence[str | None]
) -> list[str]:
    """Return the text of each chosen sentence (article order) as the summary shows it.

    A sentence whose predecessor is not chosen takes its standalone form (``standalone_forms``);
    one that follows its predecessor keeps its connective, which then links the two.
    """
    picked = set(chosen)
    out = []
    for i in chosen:
        form = forms[i]
        out.append(form if form is not None and i - 1 not in picked else texts[i])
    return out


def dangling_count(picked: Iterable[tuple[int, str]], language: str | None) -> int:
    """Return how many of the ``(article index, text)`` summary sentences dangle.

    A sentence dangles when it opens with a dangling opener (``dangles``) and the article
    sentence right before it is not in the summary; the first sentence of an article never does.
    """
    items = list(picked)
    indices = {i for i, _ in items}
    return sum(1 for i, text in items if i > 0 and i - 1 not in indices and dangles(text, language))


#: How many sentences back selection goes to find one that stands alone: a dangling sentence
#: whose two predecessors dangle too is not taken (the chain is rarely worth three slots).
MAX_ANTECEDENTS = 2


def dangling_flags(
    texts: Sequence[str], language: str | None, forms: Sequence[str | None] | None = None
) -> list[bool]:
    """Return, for every sentence of an article, whether it opens with a dangling opener.

    The first sentence never dangles: nothing before it can be left out. With ``forms``
    (``standalone_forms``), a sentence that has a standalone form does not dangle either.
    """
    # ``dangles`` for every sentence, with the language's patterns looked up once: this runs
    # for every sentence of every summary.
    opener = _OPENER_RE.get(language or "")
    if opener is None:
        return [False] * len(texts)
    standalone = _STANDALONE_RE.get(language or "")
    return [
        i > 0
        and (forms is None or forms[i] is None)
        and opener.match(text) is not None
        and (standalone is None or standalone.match(text) is None)
        for i, text in enumerate(texts)
    ]


def antecedents(i: int, flags: Sequence[bool], chosen: Container[int]) -> list[int] | None:
    """Return the sentences to take with sentence ``i`` so that it does not dangle.

    ``[]`` when ``i`` stands alone or its predecessor is already ``chosen``; else its
    predecessors, nearest first, back to one that stands alone or is chosen; None when that
    takes more than ``MAX_ANTECEDENTS`` sentences.
    """
    need: list[int] = []
    j = i
    while flags[j] and j - 1 not in chosen:
        if len(need) == MAX_ANTECEDENTS:
            return None
        need.append(j - 1)
        j -= 1
    return need
