"""A small hand-written gold set for sentence splitting, in nine languages.

Written for newsbrief (no news text copied). Each case is a list of paragraphs, each paragraph a
list of sentences; the text under test is the sentences joined by one space (by nothing in
Chinese and Japanese, which write no space between sentences) and the paragraphs by one
newline. Used by tests/test_sentences.py and benchmarks/sentences.py.
"""

from __future__ import annotations

from typing import NamedTuple

#: Languages written without spaces between sentences.
UNSPACED = frozenset({"zh", "ja"})


class Case(NamedTuple):
    language: str
    name: str
    paragraphs: list[list[str]]

    @property
    def text(self) -> str:
        space = "" if self.language in UNSPACED else " "
        return "\n".join(space.join(p) for p in self.paragraphs)

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
        "title-rev-det-mt",
        [
            [
                "The Rev. Ann Cole led the service, and Det. Sam Ortiz spoke after her.",
                "Both had climbed Mt. Kenya in their youth.",
            ]
        ],
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
    # Closing quotes and brackets stay with their sentence; a comma or lower-case word after
    # them continues it (review of 2026-11-29).
    Case(
        "en",
        "quote-exclaim-comma",
        [['"That is not affordable!", he said.', "The council disagreed."]],
    ),
    Case(
        "en",
        "curly-quote-exclaim-comma",
        [["“That is not affordable!”, he said.", "The council disagreed."]],
    ),
    Case("en", "curly-quote-period", [["She said: “It is over.”", "Then she left the room."]]),
    Case("en", "curly-single-quote-period", [["He said: ‘We are coming.’", "Then he left."]]),
    Case("en", "quote-question-dash", [['"Why now?" - he asked.', "Nobody answered."]]),
    Case("en", "quote-period-lower", [['He shouted "Stop." and ran to the door.', "It was shut."]]),
    Case(
        "en",
        "bracket-exclaim-comma",
        [["They sell old records (all on vinyl!), posters and books.", "The shop opens at nine."]],
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
    Case(
        "es",
        "univ",
        [["El acuerdo se firmó en la Univ. de Valencia el lunes.", "Entrará en vigor en marzo."]],
    ),
    Case(
        "es",
        "guillemets-exclaim-comma",
        [["«¡Es imposible!», dijo el ministro.", "Nadie respondió."]],
    ),
    Case("es", "guillemets-period", [["Dijo: «Nos vamos.»", "Luego se fue."]]),
    Case(
        "es", "guillemets-question-lower", [["«¿Por qué?» preguntó el juez.", "Nadie respondió."]]
    ),
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
    Case("fr", "guillemets-period", [["Il a dit : « Je viens. »", "Puis il est parti."]]),
    Case(
        "fr",
        "guillemets-period-nbsp",
        [["Il a dit\u00a0: «\u00a0Je viens.\u00a0»", "Puis il est parti."]],
    ),
    Case(
        "fr",
        "guillemets-period-narrow-nbsp",
        [["Il a dit\u202f: «\u202fJe viens.\u202f»", "Puis il est parti."]],
    ),
    Case(
        "fr",
        "guillemets-exclaim-comma",
        [["« C'est impossible ! », a dit le ministre.", "Personne n'a répondu."]],
    ),
    Case(
        "fr",
        "guillemets-question-lower",
        [["« Pourquoi maintenant ? » a-t-il demandé.", "Personne n'a répondu."]],
    ),
    Case(
        "fr",
        "guillemets-two-quotes",
        [["Il a dit : « Je viens. »", "« Et toi ? »", "Puis il est parti."]],
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
    Case(
        "de",
        "quote-exclaim-comma",
        [["„Das ist nicht bezahlbar!“, sagte der Fraktionschef der FDP.", "Die SPD widersprach."]],
    ),
    Case("de", "quote-period", [["Er sagte: „Wir kommen.“", "Dann ging er."]]),
    Case("de", "single-quote-period", [["Er sagte: ‚Wir kommen.‘", "Dann ging er."]]),
    Case("de", "quote-question-lower", [["„Warum?“ fragte er.", "Niemand antwortete."]]),
    Case("de", "quote-exclaim-dash", [["„Das ist zu teuer!“ – sagte er.", "Niemand antwortete."]]),
    Case("de", "guillemets-reversed", [["Er sagte: »Wir kommen.«", "Dann ging er."]]),
    Case(
        "de",
        "i-br",
        [["Die Stadt Freiburg i. Br. will bis 2030 klimaneutral werden.", "Der Rat stimmte zu."]],
    ),
    Case("de", "geb", [["Anna Berg, geb. Schmidt, leitet das Amt.", "Sie ist 52 Jahre alt."]]),
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
    Case(
        "ru",
        "guillemets-exclaim-dash",
        [["«Это невозможно!» — сказал он.", "Никто не возразил."]],
    ),
    Case(
        "ru",
        "guillemets-question-dash",
        [["«Почему?» — спросил он.", "Никто не ответил."]],
    ),
    Case(
        "ru",
        "dialogue-dash",
        [["— Мы не сдадимся, — заявил он.", "— Мы будем бороться."]],
    ),
    Case(
        "ru",
        "year-end",
        [["Бюджет утверждён на 2025 г.", "Расходы выросли на пять процентов."]],
    ),
    Case(
        "ru",
        "years-end",
        [["Программа рассчитана на 2024–2026 гг.", "Её стоимость выросла."]],
    ),
    Case(
        "ru",
        "year-date-lead",
        [["В августе 1999 г. Петров стал министром.", "Это было неожиданно."]],
    ),
    # Words the Russian model lists as abbreviations ('указ', 'стол') end a sentence before a
    # capital; abbreviations that precede names do not.
    Case("ru", "listed-word-end", [["Президент подписал указ.", "Он вступит в силу в мае."]]),
    Case("ru", "list-end", [["Продают хлеб, молоко и т. д.", "Цены растут."]]),
    Case("ru", "others-end", [["Там были Иванов, Петров и др.", "Все они молчали."]]),
    Case("ru", "street", [["Митинг прошёл на ул. Тверской.", "Полиция не вмешивалась."]]),
    Case("ru", "title", [["Об этом сообщил проф. Петров.", "Он добавил, что всё в порядке."]]),
    Case("ru", "language-name", [["Компания (англ. Apple) выросла.", "Акции подорожали."]]),
    Case("ru", "currency", [["Контракт стоит 5 млн долл. США в год.", "Его подписали в мае."]]),
    Case("ru", "head-of", [["Об этом сообщил нач. Генштаба Герасимов.", "Он был краток."]]),
    Case("ru", "listed-word-quote", [["Президент подписал указ.", "«Это важно», — сказал он."]]),
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
    Case(
        "it",
        "guillemets-exclaim-comma",
        [["«È impossibile!», ha detto il ministro.", "Nessuno ha risposto."]],
    ),
    Case("it", "guillemets-period", [["Ha detto: «Veniamo.»", "Poi è partito."]]),
    Case(
        "it",
        "guillemets-question-lower",
        [["«Perché?» ha chiesto il giudice.", "Nessuno ha risposto."]],
    ),
    Case(
        "it",
        "curly-quote-exclaim-comma",
        [["“Non è possibile!”, ha detto la sindaca.", "Il consiglio ha votato."]],
    ),
    Case("it", "univ", [["Ha studiato alla Univ. di Bologna.", "Poi si è trasferito a Roma."]]),
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
    Case(
        "pt",
        "guillemets-exclaim-comma",
        [["«Não é possível!», disse o ministro.", "Ninguém respondeu."]],
    ),
    Case("pt", "curly-quote-period", [["Ele disse: “Vamos embora.”", "Depois saiu."]]),
    # --- Chinese -------------------------------------------------------------------------------
    Case("zh", "quote-then-sentence", [["他说：“今年的游客很多。”", "不过，酒店的价格没有上涨。"]]),
    Case(
        "zh", "question-exclaim", [["你去过河边的新公园吗？", "那里的樱花真漂亮！", "周末人很多。"]]
    ),
    Case("zh", "book-title-marks", [["《晚报》报道了这件事。", "居民们都很关心。"]]),
    Case("zh", "decimal", [["去年的增长率是3.5%。", "今年预计会放缓。"]]),
    Case("zh", "paragraphs", [["本地新闻"], ["图书馆周一重新开放。", "开放时间延长到晚上九点。"]]),
    Case("zh", "bracket-close", [["新线路（连接东站和机场。）", "下个月通车。"]]),
    # --- Japanese ------------------------------------------------------------------------------
    Case(
        "ja", "quotative-to", [["市長は「来年も続ける。」と話した。", "住民の多くは賛成している。"]]
    ),
    Case("ja", "quote-then-sentence", [["「値段は高い。」", "それでも客は来た。"]]),
    Case("ja", "question", [["新しい駅はいつ開くのか？", "市は来年の春だと答えた。"]]),
    Case("ja", "decimal", [["気温は12.5度まで下がった。", "明日は晴れる見込みだ。"]]),
    Case("ja", "double-brackets", [["彼は『もう十分だ！』と叫んだ。", "会場は静かになった。"]]),
]

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "ru", "it", "pt", "zh", "ja")
