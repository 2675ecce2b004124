"""The furniture table: one case per pattern family and language, and lines it must keep."""

from __future__ import annotations

import time

import pytest

from newsbrief.furniture import (
    FURNITURE,
    MAX_FURNITURE_WORDS,
    MAX_PROMO_WORDS,
    find_furniture,
    remove_furniture,
)

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
    # a line that is only the publication date and time
    ("pt", "sexta-feira, 22 de outubro de 2010 às 20:13"),
    ("en", "Monday, November 18, 2019 3:45 PM"),
    ("en", "Nov. 18, 2019"),
    ("en", "18 November 2019, 15:45 GMT"),
    ("de", "18.11.2019 um 15:45 Uhr"),
    ("fr", "Mardi 19 novembre 2019 à 10h30"),
    ("es", "19 de noviembre de 2019"),
    ("it", "martedì 19 novembre 2019, 10:30"),
    ("ru", "19 ноября 2019 г."),
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


# (language, a line of widget items joined by separators); each must be removed.
WIDGET_ROWS = [
    ("en", "Previous article · Next article"),
    ("en", "Share on Twitter · Facebook · WhatsApp"),
    ("en", "Facebook | Twitter | LinkedIn | Email"),
    ("en", "Share • Tweet • Print"),
    ("en", "Previous story - Next story"),
    ("en", "Facebook / Twitter / Copy link"),
    ("es", "Noticia anterior · Noticia siguiente"),
    ("es", "Compartir en Facebook · Twitter · WhatsApp"),
    ("es", "Artículo anterior | Artículo siguiente"),
    ("de", "Vorheriger Artikel · Nächster Artikel"),
    ("de", "Teilen auf Facebook · Twitter · WhatsApp"),
    ("de", "Auf Facebook teilen | Drucken"),
    ("fr", "Article précédent · Article suivant"),
    ("fr", "Partager sur Facebook · Twitter"),
]


@pytest.mark.parametrize(
    ("language", "line"), WIDGET_ROWS, ids=[f"{lang}-{line[:30]}" for lang, line in WIDGET_ROWS]
)
def test_widget_items_sharing_a_line_are_removed(language: str, line: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, language) == f"{ARTICLE}\n{ARTICLE}"


# One widget item beside real text on a separated line: text.
WIDGET_ROW_NEAR_MISSES = [
    ("en", "Twitter / X lost advertisers after the takeover, analysts said."),
    ("en", "Facebook · The company said on Tuesday that profits rose by a fifth."),
    ("en", "Previous article - the first in the series - looked at schools."),
    ("en", "Share prices fell | Bond yields rose"),
    ("es", "Compartir en Facebook · una práctica que crece entre los jóvenes"),
    ("de", "Nächster Artikel · Die Bahn erhöht die Preise"),
]


@pytest.mark.parametrize(
    ("language", "line"),
    WIDGET_ROW_NEAR_MISSES,
    ids=[f"{lang}-{line[:30]}" for lang, line in WIDGET_ROW_NEAR_MISSES],
)
def test_a_widget_item_beside_text_is_kept(language: str, line: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, language) == text


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
    # dates inside a sentence or a headline, and numbers without a month, are text
    ("en", "The meeting is on 18 November 2019."),
    ("en", "March 3 rally draws thousands"),
    ("en", "May 2019 was the hottest month on record"),
    ("en", "2019"),
    ("en", "3 - 1"),
    ("pt", "Em 22 de outubro de 2010 a empresa abriu as portas."),
]


@pytest.mark.parametrize(("language", "line"), KEPT, ids=[line[:30] for _, line in KEPT])
def test_article_sentence_is_kept(language: str, line: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, language) == text


# Near misses of the date pattern that made a backtracking pattern try every way to cut their
# digits into tokens: 4 s, 16 s and 113 s a line before the tokens were made atomic.
DATE_NEAR_MISSES = [
    "1.1.1 " + "1" * 22 + "x",
    "1.1.1 " + "1" * 24 + "x",
    "12.05.2019 12.05.2019 12.05.2019 12.05.2019 12.05.2019 12.05.2019 x",
    "Monday, November 18, 2019 3:45 PM 2019112015453322 ID",
]


@pytest.mark.parametrize("line", DATE_NEAR_MISSES, ids=lambda line: line[:20])
def test_date_pattern_gives_up_at_once(line: str) -> None:
    start = time.perf_counter()
    assert find_furniture([line], "en") == set()
    # Milliseconds now; the margin is three orders of magnitude, so a busy machine cannot fail it.
    assert time.perf_counter() - start < 1.0


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


# Promotional lines, one per pattern: (language, the furniture line, a near miss that must be
# kept). The English lines are real, from pages of the article-extraction benchmark (the hash
# prefix of the page is in the comment); the others are the same prompts as sites in those
# languages write them.
PROMOTIONS = [
    # 08f79376
    ("en", "Pick Six Newsletter", "The newsletter, which has two million readers, was sold."),
    (
        "en",
        "Get the day's big stories + fun stuff you love like mock drafts, picks and power "
        "rankings.",
        "The day's big stories were the vote and the storm, the editor said.",
    ),
    # 3f65af7b
    (
        "en",
        "Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.",
        "Get the latest figures from the ministry before you decide, he advised.",
    ),
    # c13b9c0e
    (
        "en",
        "Get the day’s top headlines delivered to your inbox every morning by subscribing to our "
        "newsletter.",
        "Get the parcel delivered to the depot instead, the courier told customers.",
    ),
    # 30b771a4
    (
        "en",
        "Get Motor Cycle Monthly delivered through your letterbox every month. 12 issues for "
        "£11.99. Click here for more information.",
        "Get the parcel delivered to the depot instead, the courier told customers.",
    ),
    (
        "en",
        "Tell us what YOU think...",
        "Tell us what you think of the plan, the mayor urged residents at the meeting.",
    ),
    (
        "*",
        "[button link=”http://www.morebikes.co.uk/submit-kit-review/” type=”big” "
        "newwindow=”yes”] Send us YOUR kit review[/button]",
        "[Update: the council voted 7-2 on Tuesday to approve the plan.]",
    ),
    # 55bb6340
    (
        "en",
        "There's plenty more where that came from. Sign up for The Water Coolest today to get "
        "the free daily newsletter delivered to your inbox daily.",
        "There's plenty more where that came from, the coach warned after the win.",
    ),
    # 04a6711c, 70cb2d5b
    (
        "en",
        "Follow The New York Times Opinion section on Facebook, Twitter (@NYTopinion) and "
        "Instagram.",
        "Follow the money, investigators said.",
    ),
    (
        "en",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Follow the guidance on Facebook's website, the regulator told parents.",
    ),
    (
        "en",
        "Listen to Newsbeat live at 12:45 and 17:45 weekdays - or listen back here.",
        "Listen to the victims, the judge told the court.",
    ),
    # e7994d55
    (
        "en",
        "Follow AP's full coverage of Brexit and British politics at https://www.apnews.com/Brexit",
        "Follow the coverage of the trial closely, the judge told the jurors.",
    ),
    # ba4dfe2d (a headline promoted under "DON'T MISS"), 291a8bf3, 5fbc7ccb
    (
        "en",
        "Plague and zoonotic influenza warning: CDC names EIGHT deadly diseases\u00a0[WARNING]",
        "CDC names eight deadly diseases in its warning [PDF]",
    ),
    (
        "en",
        "[Related: Salesforce Dreamforce Keynote: AI, Integration, Alicia Keys And Protestors]",
        "[Related to the budget, the council also voted on parking fees.]",
    ),
    ("en", "Also:", "Also: the council voted to extend the library's opening hours."),
    ("en", "Click To Tweet", "Readers can now click to tweet from the app."),
    # other languages
    (
        "es",
        "Sigue a EL PAÍS en Facebook, Twitter e Instagram.",
        "Sigue la investigación sobre el fraude en Facebook, informó la policía.",
    ),
    (
        "es",
        "Recibe las noticias más importantes en tu correo cada mañana.",
        "Recibe una carta en tu correo? Ten cuidado, advierte la policía.",
    ),
    ("es", "Cuéntanos qué piensas", "Cuéntanos qué piensas hacer con el dinero, le pidió el juez."),
    (
        "fr",
        "Suivez Le Monde sur Facebook et Twitter.",
        "Suivez le guide sur Facebook, conseille la préfecture.",
    ),
    (
        "fr",
        "Recevez l'essentiel de l'actualité dans votre boîte mail chaque matin.",
        "Recevez-vous des courriels suspects dans votre boîte mail ? Signalez-les.",
    ),
    (
        "fr",
        "Dites-nous ce que vous en pensez",
        "Dites-nous ce que vous en pensez avant vendredi, a demandé le maire.",
    ),
    (
        "de",
        "Folgen Sie der Tagesschau auf Instagram und YouTube.",
        "Folgen Sie der Spur auf Facebook, rät die Polizei.",
    ),
    (
        "de",
        "Erhalten Sie jeden Morgen die wichtigsten Nachrichten direkt in Ihr Postfach.",
        "Erhalten Sie eine solche Mail, sollten Sie sie löschen, rät die Polizei.",
    ),
    (
        "de",
        "Sagen Sie uns Ihre Meinung",
        "Sagen Sie uns Ihre Meinung zum Haushalt bis Freitag, bat der Bürgermeister.",
    ),
    (
        "ru",
        "Следите за нами в Telegram и ВКонтакте",
        "Следите за новостями в Telegram, сказал мэр.",
    ),
    (
        "it",
        "Segui Il Post su Facebook e Instagram.",
        "Segui le indicazioni su Facebook, ha detto il sindaco.",
    ),
    (
        "it",
        "Ricevi ogni mattina le notizie più importanti nella tua casella di posta.",
        "Ricevi una mail sospetta nella tua casella? Segnalala alla polizia.",
    ),
    ("it", "Dicci cosa ne pensi", "Dicci cosa ne pensi del bilancio entro venerdì, ha chiesto."),
    (
        "pt",
        "Siga o Público no Facebook, Twitter e Instagram.",
        "Siga as orientações no Facebook, disse a polícia.",
    ),
    (
        "pt",
        "Receba as principais notícias do dia no seu e-mail.",
        "Receba o dinheiro no seu e-mail? Desconfie, alerta a polícia.",
    ),
    ("pt", "Diga-nos o que pensa", "Diga-nos o que pensa fazer com o dinheiro, pediu o juiz."),
]
_PROMOTION_IDS = [f"{lang}-{line[:30]}" for lang, line, _ in PROMOTIONS]


@pytest.mark.parametrize(("language", "line", "near_miss"), PROMOTIONS, ids=_PROMOTION_IDS)
def test_promotion_is_removed(language: str, line: str, near_miss: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, None if language == "*" else language) == f"{ARTICLE}\n{ARTICLE}"


@pytest.mark.parametrize(("language", "line", "near_miss"), PROMOTIONS, ids=_PROMOTION_IDS)
def test_promotion_near_miss_is_kept(language: str, line: str, near_miss: str) -> None:
    text = f"{ARTICLE}\n{near_miss}\n{ARTICLE}"
    assert remove_furniture(text, None if language == "*" else language) == text


# Labels whose headline list goes with them: (language, label, near miss).
PROMOTED_HEADLINES = [
    ("en", "DON'T MISS", "Don't miss the deadline on Friday, officials warned."),  # ba4dfe2d
    ("en", "Most read in world news", "Most read in the morning, the app struggles at night."),
    ("es", "No te lo pierdas", "No te lo pierdas, dijo el alcalde a los vecinos."),
    ("fr", "À ne pas manquer", "À ne pas manquer : le débat de jeudi entre les deux candidats."),
    ("de", "Nicht verpassen", "Nicht verpassen sollten Besucher die Ausstellung im Rathaus."),
    ("ru", "Не пропустите", "Не пропустите сроки подачи заявлений, предупредили в мэрии."),
    ("it", "Da non perdere", "Da non perdere la mostra al museo civico, dicono gli organizzatori."),
    ("pt", "Não perca", "Não perca a paciência, disse o treinador aos jogadores."),
]


@pytest.mark.parametrize(
    ("language", "label", "near_miss"),
    PROMOTED_HEADLINES,
    ids=[f"{lang}-{label}" for lang, label, _ in PROMOTED_HEADLINES],
)
def test_promoted_headlines_go_with_their_label(language: str, label: str, near_miss: str) -> None:
    headlines = [
        "Plague and zoonotic influenza warning: CDC names EIGHT deadly diseases [WARNING]",
        "BLACK DEATH PLAGUE fears: Holidaymakers die after eating marmot [INSIGHT]",
    ]
    assert remove_furniture("\n".join([ARTICLE, label, *headlines, ARTICLE]), language) == (
        f"{ARTICLE}\n{ARTICLE}"
    )
    kept = f"{ARTICLE}\n{near_miss}\n{ARTICLE}"
    assert remove_furniture(kept, language) == kept


# 55bb6340: 32 words, over MAX_FURNITURE_WORDS, so only a PROMO pattern can remove it.
WATER_COOLEST = (
    "Start your day with the Opening Bell powered by The Water Coolest. The Water Coolest is the "
    "preferred bathroom stall reading material of finance professionals. Sign up for the free "
    "daily newsletter."
)


def test_long_newsletter_promo_is_removed() -> None:
    assert MAX_FURNITURE_WORDS < len(WATER_COOLEST.split()) <= MAX_PROMO_WORDS
    text = f"{WATER_COOLEST}\nLOOK WHAT YOU MADE ME DO\n{ARTICLE}"
    assert remove_furniture(text, "en") == f"LOOK WHAT YOU MADE ME DO\n{ARTICLE}"


@pytest.mark.parametrize(
    "line",
    [
        "Start your day with a glass of water, the doctors advised readers of the study.",
        # a long paragraph that mentions newsletters but does not open as a promotion
        "The Water Coolest, a newsletter read by finance professionals, asked readers to sign up "
        "for its free daily edition, and within a year it had more subscribers than the trade "
        "papers it mocked.",
    ],
    ids=["start-your-day", "long-paragraph"],
)
def test_long_promo_near_miss_is_kept(line: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, "en") == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            # ec7fc408
            "Increasing your visibility gradually lets you grow into your online leadership "
            "role with much less stress.Click To Tweet",
            "Increasing your visibility gradually lets you grow into your online leadership "
            "role with much less stress.",
            id="glued-after-a-sentence",
        ),
        pytest.param(
            "Readers can now click to tweet",
            "Readers can now click to tweet",
            id="inside-a-sentence-kept",
        ),
    ],
)
def test_trailing_widget_text_is_cut(line: str, expected: str) -> None:
    assert remove_furniture(f"{ARTICLE}\n{line}", "en") == f"{ARTICLE}\n{expected}"


# Credit, source, tag and reading-time lines: (language, the furniture line, a near miss that
# must be kept). Real lines from benchmark pages carry the page's hash prefix.
CREDITS = [
    (
        "en",  # 57d46c9d
        "Reporting by Rodrigo Campos; additional reporting by Stephanie Kelly, Saqib Iqbal Ahmed "
        "and Gertrude Chavez-Dreyfuss; Editing by Nick Zieminski and Dan Grebler",
        "Reporting by the BBC showed that the council had known for years.",
    ),
    (
        "en",
        "Reporting by David Shepardson in Washington; Writing by Jane Doe; Editing by Chizu "
        "Nomiyama",
        "Reporting by BBC News showed the plan was shelved.",
    ),
    (
        "en",
        "Additional reporting by Michael J. de la Merced",
        "Additional reporting by the team found more cases.",
    ),
    ("en", "(Editing by Leslie Adler)", "Editing by hand took the team three weeks."),
    ("en", "SOURCE: Al Jazeera News", "The source said the deal was close."),  # 42aad16b
    ("en", "Source: Reuters", "Source: the ministry, which asked not to be named."),
    ("en", "SOURCE: AP", "The source, an AP reporter, confirmed it."),
    ("de", "Quelle: dpa", "Quelle: das Ministerium, das nicht genannt werden wollte."),
    (
        "en",  # 21486419
        "Filed under: Khawarij |",
        "Filed under the Freedom of Information Act, the request took a year.",
    ),
    (
        "en",
        "Tags: budget, schools, council",
        "Tags: the new system labels every parcel. Customers can track them.",
    ),
    (
        "pt",  # 23aaecd1
        "Tempo de leitura: 1 minuto",
        "O tempo de leitura: 1 minuto por página, disse o professor.",
    ),
    ("en", "5 min read", "A 5 min read on the train became a ritual."),
    (
        "en",
        "Reading time: 3 minutes",
        "Reading time: 3 minutes a day is enough, the study found.",
    ),
    ("fr", "Temps de lecture : 4 min", "Temps de lecture : 4 min par jour, selon l'étude."),
    ("de", "Lesezeit: 3 Minuten", "Lesezeit: 3 Minuten am Tag reichen, sagt die Studie."),
    (
        "es",
        "Tiempo de lectura: 2 minutos",
        "Tiempo de lectura: 2 minutos al día bastan, según el estudio.",
    ),
]
_CREDIT_IDS = [f"{lang}-{line[:30]}" for lang, line, _ in CREDITS]


@pytest.mark.parametrize(("language", "line", "near_miss"), CREDITS, ids=_CREDIT_IDS)
def test_credit_line_is_removed(language: str, line: str, near_miss: str) -> None:
    text = f"{ARTICLE}\n{line}\n{ARTICLE}"
    assert remove_furniture(text, language) == f"{ARTICLE}\n{ARTICLE}"


@pytest.mark.parametrize(("language", "line", "near_miss"), CREDITS, ids=_CREDIT_IDS)
def test_credit_near_miss_is_kept(language: str, line: str, near_miss: str) -> None:
    text = f"{ARTICLE}\n{near_miss}\n{ARTICLE}"
    assert remove_furniture(text, language) == text


# cc03ddb5: 35 words, over MAX_FURNITURE_WORDS, so only the "Tags" line above takes it.
TAG_LIST = (
    "calendario stock car 2018, stock car brasil, stock car cascavel, stock car corrida milhão, "
    "stock car interlagos, stock car santa cruz do sul, stock car taruma, stock car Velo Città, "
    "stock car velopark, stock-car londrina"
)


def test_tags_label_takes_its_tag_list() -> None:
    assert len(TAG_LIST.split()) > MAX_FURNITURE_WORDS
    assert remove_furniture(f"{ARTICLE}\nTags\n{TAG_LIST}", "pt") == ARTICLE


def test_tags_label_does_not_eat_a_paragraph() -> None:
    assert remove_furniture(f"Tags\n{ARTICLE}", "en") == ARTICLE
    assert remove_furniture(TAG_LIST, "pt") == TAG_LIST
