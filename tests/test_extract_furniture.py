"""The furniture table: one case per pattern family and language, and lines it must keep."""

from __future__ import annotations

import pytest

from newsbrief.furniture import FURNITURE, find_furniture, remove_furniture

ARTICLE = "The council approved the budget on Tuesday after a long debate about schools."

# (language, furniture line); each must be removed when it stands on a line of its own.
REMOVED = [
    ("en", "No time to read?"),
    ("en", "Get a summary"),
    ("en", "No time to read? Get a summary"),
    ("en", "Advertisement"),
    ("en", "ADVERTISEMENT - SCROLL TO CONTINUE"),
    ("en", "Read more: Alibaba poised to launch record-breaking listing"),
    ("en", "READ MORE: China plague outbreak confirmed"),
    ("en", "Also read: Five things to know about the vote"),
    ("en", "Related: Possible Water Plumes on Europa"),
    ("en", "Share this article"),
    ("en", "Share on Facebook"),
    ("en", "Subscribe to the Morning Review newsletter"),
    ("en", "Sign up for our daily briefing"),
    ("en", "Follow us on Twitter"),
    ("en", "Photo: Jane Doe/Reuters"),
    ("en", "Photograph by John Smith"),
    ("en", "The mayor speaks at City Hall. (Getty Images)"),
    ("en", "Firefighters at the scene (AFP via Getty Images)"),
    ("en", "© 2025 The Example Ledger. All rights reserved."),
    ("en", "You may also like..."),
    ("en", "Comments"),
    ("es", "¿No tienes tiempo para leer?"),
    ("es", "Leer más: El Gobierno aprueba los presupuestos"),
    ("es", "Lee también: Qué cambia en la factura de la luz"),
    ("es", "Publicidad"),
    ("es", "Foto: EFE"),
    ("es", "Suscríbete a nuestra newsletter"),
    ("fr", "Pas le temps de lire ?"),
    ("fr", "Lire aussi : La réforme des retraites adoptée"),
    ("fr", "À lire aussi"),
    ("fr", "Publicité"),
    ("fr", "Crédit photo : AFP"),
    ("fr", "Abonnez-vous à notre newsletter"),
    ("de", "Keine Zeit zum Lesen?"),
    ("de", "Auch interessant: Die Bahn erhöht die Preise"),
    ("de", "Lesen Sie auch"),
    ("de", "Anzeige"),
    ("de", "Foto: dpa"),
    ("de", "Newsletter abonnieren"),
    ("ru", "Нет времени читать?"),
    ("ru", "Читайте также: Центробанк сохранил ставку"),
    ("ru", "Реклама"),
    ("ru", "Фото: ТАСС"),
    ("ru", "Подпишитесь на наш канал"),
    ("it", "Non hai tempo di leggere?"),
    ("it", "Leggi anche: Il governo approva la manovra"),
    ("it", "Pubblicità"),
    ("it", "Foto: Ansa"),
    ("pt", "Sem tempo para ler?"),
    ("pt", "Leia também: Governo anuncia novo pacote"),
    ("pt", "Publicidade"),
    ("pt", "Foto: Reuters"),
]


@pytest.mark.parametrize(
    ("language", "line"), REMOVED, ids=[f"{lang}-{line[:30]}" for lang, line in REMOVED]
)
def test_furniture_line_is_removed(language: str, line: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, language) == f"{ARTICLE}\n{ARTICLE}"


NAVIGATION = [
    ("en", "Previous Article", "Why the county's bus timetable changes in April"),
    ("en", "Next Article", "Thirty years behind the counter: a baker looks back"),
    ("es", "Artículo anterior", "Cómo funciona la regularización de los autónomos"),
    ("fr", "Article suivant", "Les dessous de la réforme des retraites"),
    ("de", "Nächster Artikel", "So funktioniert die neue Grundsteuer"),
    ("ru", "Следующая статья", "Как изменятся тарифы ЖКХ в новом году"),
    ("it", "Articolo precedente", "Come funziona il nuovo bonus casa"),
    ("pt", "Próximo artigo", "O que muda no IRS este ano"),
]


@pytest.mark.parametrize(
    ("language", "label", "headline"), NAVIGATION, ids=[f"{n[0]}-{n[1]}" for n in NAVIGATION]
)
def test_navigation_label_takes_its_headline(language: str, label: str, headline: str) -> None:
    text = f"{ARTICLE}\n{label}\n{headline}"
    assert remove_furniture(text, language) == ARTICLE


def test_related_section_takes_its_headline_list() -> None:
    text = "\n".join(
        [ARTICLE, "Related articles", "Budget passes", "Schools get new funds", "Why it matters"]
    )
    assert remove_furniture(text, "en") == ARTICLE


KEPT = [
    ("en", "Read more about the plan, officials said, in the report published on Monday."),
    ("en", "Next, the council will vote on the housing plan that was delayed for months."),
    ("en", "Share prices fell 3% on Tuesday."),
    ("en", "The photo shows the mayor at City Hall with residents who opposed the plan."),
    ("en", "Advertisement revenue fell by a third, the company said."),
    ("de", "Die elektronische Patientenakte (ePA) wird seit Jahren intensiv diskutiert."),
    ("en", "(We never did settle on one, unlike our 565 municipalities, which are packed.)"),
    ("fr", "Lire aussi les conclusions du rapport, a conseillé le ministre aux députés."),
]


@pytest.mark.parametrize(("language", "line"), KEPT, ids=[line[:30] for _, line in KEPT])
def test_article_sentence_is_kept(language: str, line: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, language) == text


def test_long_line_is_never_furniture() -> None:
    line = "Read more: " + " ".join(["word"] * 40)
    assert find_furniture([line], "en") == set()


def test_navigation_does_not_eat_a_paragraph() -> None:
    text = f"Next Article\n{ARTICLE}"
    assert remove_furniture(text, "en") == ARTICLE


def test_other_language_rules_apply_only_without_a_language() -> None:
    text = f"{ARTICLE}\nLesen Sie auch"
    assert remove_furniture(text, "en") == text
    assert remove_furniture(text, None) == ARTICLE


def test_table_covers_the_required_languages() -> None:
    assert {"en", "es", "fr", "de", "ru", "it", "pt"} <= set(FURNITURE)
