"""A small hand-written gold set for sentence splitting, in seven languages.

Written for newsbrief (no news text copied). Each case is a list of paragraphs, each paragraph a
list of sentences; the text under test is the sentences joined by one space and the paragraphs
by one newline. Used by tests/test_sentences.py and benchmarks/sentences.py.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    language: str
    name: str
    paragraphs: list[list[str]]

    @property
    def text(self) -> str:
        return "\n".join(" ".join(p) for p in self.paragraphs)

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]


CASES: list[Case] = [
    # --- English -------------------------------------------------------------------------------
    Case(
        "en",
        "abbrev-us-dr",
        [["The U.S. economy grew by 2.1% last year.", "Dr. Smith said growth would slow."]],
    ),
    Case(
        "en",
        "mr-mrs-am",
        [["Mr. and Mrs. Jones arrived at 10 a.m. on Monday.", "They left soon after."]],
    ),
    Case(
        "en",
        "title-names",
        [
            [
                "Sen. John Smith and Gen. Ann Lee met on Jan. 5 in Washington.",
                "Their talks lasted two hours.",
            ]
        ],
    ),
    Case("en", "quote-said", [['"We will not give up," he said.', "The crowd cheered."]]),
    Case("en", "quote-closing", [['She said, "It is over."', "Then she left the room."]]),
    Case(
        "en",
        "numbers",
        [["Shares rose $3.5 to $120.25 on Tuesday.", "The index closed 3.14 points higher."]],
    ),
    Case(
        "en", "ellipsis", [["He paused... and then he spoke.", "Nobody expected what came next."]]
    ),
    Case(
        "en",
        "initials",
        [
            [
                "The novel by J. R. R. Tolkien sold millions of copies.",
                "It was first published in 1954.",
            ]
        ],
    ),
    Case(
        "en",
        "url",
        [
            [
                "Read the report at https://example.org/report.pdf for details.",
                "The site www.example.com was down.",
            ]
        ],
    ),
    Case(
        "en",
        "paragraphs",
        [["Breaking news"], ["The storm hit the coast on Sunday.", "Thousands lost power."]],
    ),
    Case("en", "question-exclaim", [["Is this the end?", "No!", "It is only the beginning."]]),
    Case("en", "eg", [["Some fruits, e.g. apples and pears, grow here.", "Others do not."]]),
    Case("en", "number-abbrev", [["He was ranked No. 5 in the world.", "She was ranked higher."]]),
    Case(
        "en",
        "st-louis",
        [["The team moved from St. Louis to Los Angeles in 2016.", "Fans were angry."]],
    ),
    # --- Spanish -------------------------------------------------------------------------------
    Case(
        "es",
        "eeuu",
        [
            [
                "Los presidentes de EE. UU. y México se reunieron el martes.",
                "La cumbre duró tres horas.",
            ]
        ],
    ),
    Case(
        "es",
        "sr-sra",
        [["El Sr. García y la Sra. López llegaron a las diez.", "Nadie los esperaba."]],
    ),
    Case(
        "es",
        "guillemets",
        [["«No vamos a rendirnos», dijo el ministro.", "La oposición pidió su dimisión."]],
    ),
    Case(
        "es",
        "numbers",
        [["El precio subió a 1.000,50 euros por tonelada.", "Es un récord histórico."]],
    ),
    Case("es", "question-exclaim", [["¿Quién lo sabía?", "¡Nadie!", "Así empezó todo."]]),
    Case(
        "es",
        "dra-pag",
        [
            [
                "La Dra. Martínez presentó el estudio en la pág. 12 del informe.",
                "Los resultados fueron claros.",
            ]
        ],
    ),
    Case("es", "ellipsis", [["Esperamos... y esperamos.", "Al final llegó el tren."]]),
    Case(
        "es",
        "url",
        [["Más información en https://ejemplo.es/noticias.", "El plazo termina el viernes."]],
    ),
    Case(
        "es",
        "paragraphs",
        [["Última hora"], ["El Gobierno aprobó ayer la reforma.", "Entrará en vigor en enero."]],
    ),
    Case("es", "etc", [["Compraron pan, leche, etc. para la semana.", "Luego volvieron a casa."]]),
    # --- French --------------------------------------------------------------------------------
    Case(
        "fr",
        "monsieur",
        [["M. Dupont a rencontré Mme Martin à Paris.", "Ils ont parlé du budget."]],
    ),
    Case(
        "fr",
        "guillemets",
        [
            [
                "« Nous ne céderons pas », a déclaré le ministre.",
                "Les syndicats ont répondu aussitôt.",
            ]
        ],
    ),
    Case(
        "fr",
        "numbers",
        [
            [
                "Le chiffre d'affaires atteint 3,5 milliards d'euros.",
                "C'est 12 % de plus qu'en 2022.",
            ]
        ],
    ),
    Case("fr", "ellipsis", [["Il hésita… puis il partit.", "Personne ne le revit."]]),
    Case(
        "fr",
        "spaced-punct",
        [["Pourquoi maintenant ?", "Personne ne le sait !", "L'enquête continue."]],
    ),
    Case("fr", "url", [["Le rapport est disponible sur www.gouv.fr.", "Il compte 200 pages."]]),
    Case(
        "fr",
        "initials",
        [["Le roman de J. K. Rowling a été traduit en 80 langues.", "Il reste un succès."]],
    ),
    Case(
        "fr",
        "paragraphs",
        [["Dernière minute"], ["Le président s'exprimera ce soir.", "Son discours est attendu."]],
    ),
    Case(
        "fr",
        "article",
        [
            [
                "Selon l'art. 49 de la Constitution, le texte est adopté.",
                "L'opposition a déposé une motion.",
            ]
        ],
    ),
    Case(
        "fr",
        "date",
        [["Le 1er mai 2023, 2,3 millions de personnes ont manifesté.", "Le cortège était calme."]],
    ),
    # --- German --------------------------------------------------------------------------------
    Case(
        "de",
        "zb",
        [
            [
                "Viele Städte, z. B. Berlin und Hamburg, erhöhen die Mieten.",
                "Die Mieter protestieren.",
            ]
        ],
    ),
    Case(
        "de", "date-ordinal", [["Am 12. März beginnt die Messe in Köln.", "Sie dauert fünf Tage."]]
    ),
    Case(
        "de",
        "quotes",
        [["„Wir geben nicht auf“, sagte die Ministerin.", "Die Opposition widersprach."]],
    ),
    Case("de", "numbers", [["Der Preis stieg auf 1.000,50 Euro.", "Das ist ein Rekord."]]),
    Case("de", "dr", [["Dr. Müller leitet seit 2010 die Klinik.", "Sie hat 300 Mitarbeiter."]]),
    Case("de", "ordinal-floor", [["Das Treffen fand im 3. Stock statt.", "Alle waren pünktlich."]]),
    Case("de", "ua", [["Die Firma hat u. a. Büros in Wien.", "Der Umsatz wächst."]]),
    Case("de", "ellipsis", [["Er zögerte... und ging dann.", "Niemand sah ihn wieder."]]),
    Case(
        "de",
        "paragraphs",
        [
            ["Eilmeldung"],
            ["Der Bundestag hat das Gesetz beschlossen.", "Es tritt im Mai in Kraft."],
        ],
    ),
    Case(
        "de",
        "url",
        [["Mehr dazu unter https://beispiel.de/artikel?id=5.", "Die Debatte geht weiter."]],
    ),
    Case(
        "de",
        "dh-mio",
        [
            [
                "Die Holding, d. h. die Muttergesellschaft, zahlt 2,5 Mio. Euro Strafe.",
                "Die Aktie fiel.",
            ]
        ],
    ),
    # --- Russian -------------------------------------------------------------------------------
    Case("ru", "te", [["Цены выросли, т. е. инфляция ускорилась.", "Центробанк повысил ставку."]]),
    Case(
        "ru",
        "guillemets",
        [["«Мы не сдадимся», — сказал министр.", "Оппозиция потребовала отставки."]],
    ),
    Case(
        "ru",
        "year-abbrev",
        [["Встреча прошла 12 марта 2023 г. в Москве.", "На ней обсуждали бюджет."]],
    ),
    Case("ru", "numbers", [["Курс доллара достиг 95,5 рубля.", "Это максимум за год."]]),
    Case(
        "ru",
        "initials",
        [["Роман Л. Н. Толстого переведён на многие языки.", "Он остаётся популярным."]],
    ),
    Case("ru", "ellipsis", [["Он замолчал... и вышел.", "Никто его больше не видел."]]),
    Case(
        "ru",
        "url",
        [["Подробности на сайте https://example.ru/news.", "Приём заявок продлится до пятницы."]],
    ),
    Case(
        "ru",
        "paragraphs",
        [
            ["Срочная новость"],
            ["Правительство одобрило законопроект.", "Он вступит в силу в январе."],
        ],
    ),
    Case(
        "ru",
        "question-exclaim",
        [["Почему сейчас?", "Никто не знает!", "Расследование продолжается."]],
    ),
    Case(
        "ru", "approx", [["Население города — ок. 2 млн человек.", "Это третий по величине город."]]
    ),
    # --- Italian -------------------------------------------------------------------------------
    Case(
        "it",
        "sig-dott",
        [["Il sig. Rossi ha incontrato il dott. Bianchi a Roma.", "Hanno parlato del bilancio."]],
    ),
    Case(
        "it",
        "ecc",
        [["Hanno comprato pane, latte, ecc. per la settimana.", "Poi sono tornati a casa."]],
    ),
    Case(
        "it",
        "guillemets",
        [
            [
                "«Non ci arrenderemo», ha detto il ministro.",
                "L'opposizione ha chiesto le dimissioni.",
            ]
        ],
    ),
    Case("it", "numbers", [["Il prezzo è salito a 1.000,50 euro.", "È un record storico."]]),
    Case("it", "question-exclaim", [["Perché adesso?", "Nessuno lo sa!", "L'indagine continua."]]),
    Case("it", "ellipsis", [["Esitò... e poi partì.", "Nessuno lo rivide."]]),
    Case("it", "url", [["Il rapporto è su https://esempio.it/rapporto.", "Conta 200 pagine."]]),
    Case(
        "it",
        "paragraphs",
        [["Ultima ora"], ["Il governo ha approvato la riforma.", "Entrerà in vigore a gennaio."]],
    ),
    Case(
        "it",
        "initials",
        [["Il romanzo di G. R. R. Martin è stato tradotto.", "Resta un successo."]],
    ),
    Case("it", "numero", [["La sede è in via Roma n. 5 a Milano.", "L'ufficio apre alle nove."]]),
    # --- Portuguese ----------------------------------------------------------------------------
    Case("pt", "sr-sra", [["O Sr. Silva e a Sra. Costa chegaram às dez.", "Ninguém os esperava."]]),
    Case(
        "pt",
        "guillemets",
        [["«Não vamos desistir», disse o ministro.", "A oposição pediu a demissão."]],
    ),
    Case(
        "pt",
        "numbers",
        [["O preço subiu para R$ 1.000,50 por tonelada.", "É um recorde histórico."]],
    ),
    Case(
        "pt",
        "dra-pag",
        [
            [
                "A Dra. Souza apresentou o estudo na pág. 12 do relatório.",
                "Os resultados foram claros.",
            ]
        ],
    ),
    Case(
        "pt", "question-exclaim", [["Por que agora?", "Ninguém sabe!", "A investigação continua."]]
    ),
    Case("pt", "ellipsis", [["Ele hesitou... e depois partiu.", "Ninguém o viu de novo."]]),
    Case(
        "pt",
        "url",
        [["Mais informações em https://exemplo.pt/noticias.", "O prazo termina na sexta-feira."]],
    ),
    Case(
        "pt",
        "paragraphs",
        [["Última hora"], ["O governo aprovou a reforma ontem.", "Ela entra em vigor em janeiro."]],
    ),
    Case(
        "pt",
        "p-ex",
        [
            [
                "Várias cidades, p. ex. Lisboa e Porto, aumentaram as rendas.",
                "Os inquilinos protestam.",
            ]
        ],
    ),
    Case(
        "pt",
        "initials",
        [["O escritor J. R. R. Tolkien é muito lido no Brasil.", "Os seus livros vendem bem."]],
    ),
]

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "ru", "it", "pt")
