"""A forced language must be an ISO 639-1 code, in every front end."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsbrief.cli import cli
from newsbrief.errors import InvalidOptions
from newsbrief.extract import extract
from newsbrief.iso639 import CODES, normalize_language
from newsbrief.models import Article, SummaryOptions
from newsbrief.pipeline import prepare, summarize

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "article.html"
TEXT = (
    "The ferry pier reopened on Monday after a two-year rebuild. Residents had waited for it. "
    "The first boat left at seven in the morning."
)
MESSAGE = "unknown language {!r}: give an ISO 639-1 code such as en, fr, de or es"


@pytest.mark.parametrize(
    ("given", "code"),
    [("en", "en"), ("EN", "en"), (" fr ", "fr"), ("pt-BR", "pt"), ("zh_Hant", "zh"), ("nb", "nb")],
)
def test_normalize_language(given: str, code: str) -> None:
    assert normalize_language(given) == code


@pytest.mark.parametrize("given", ["xx", "english", "e", "eng", "", "-en", "fr!"])
def test_unknown_codes_are_refused(given: str) -> None:
    with pytest.raises(InvalidOptions) as err:
        normalize_language(given)
    assert str(err.value) == MESSAGE.format(given)


def test_every_code_is_two_lower_case_letters() -> None:
    assert len(CODES) == 183
    assert all(len(c) == 2 and c.isalpha() and c.islower() for c in CODES)


def test_library_entry_points_check_the_language() -> None:
    with pytest.raises(InvalidOptions, match="unknown language 'xx'"):
        SummaryOptions(language="xx")
    with pytest.raises(InvalidOptions, match="unknown language 'xx'"):
        prepare(TEXT, language="xx")
    with pytest.raises(InvalidOptions, match="unknown language 'klingon'"):
        prepare(Article(text=TEXT, language="klingon"))
    with pytest.raises(InvalidOptions, match="unknown language 'xx'"):
        extract(EXAMPLE.read_bytes(), language="xx")
    assert SummaryOptions(language="DE").language == "de"
    assert summarize(TEXT, language="EN", sentences=1).language == "en"


@pytest.mark.parametrize("command", ["summarize", "extract"])
def test_cli_refuses_an_unknown_language(command: str) -> None:
    result = CliRunner().invoke(cli, [command, str(EXAMPLE), "-l", "english"])
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {MESSAGE.format('english')}\n"


def test_every_language_the_identifier_returns_is_accepted() -> None:
    from newsbrief import language

    model = language._model()
    assert model is not None
    returned = {language._NORMALISE.get(c, c) for c in model.classes} - {language._NO_LANGUAGE}
    assert {normalize_language(c) for c in returned} == returned
