"""Normalising user text: paragraphs, line breaks and runs of spaces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsbrief.errors import InvalidOptions
from newsbrief.textutil import (
    _SPACES,
    _collapse_spaces,
    article_from_text,
    count_words,
    join_sentences,
    normalize_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("One  two\tthree", "One two three", id="double-space-and-tab"),
        pytest.param("Prix\u00a0: 12\u202f€", "Prix : 12\u202f€", id="no-break-space"),
        pytest.param("東京\u3000大阪", "東京 大阪", id="ideographic-space"),
        pytest.param("a\u2003\u2009b", "a b", id="typographic-widths"),
        pytest.param("zero\u200bwidth", "zero width", id="zero-width-space"),
        pytest.param("  padded  ", "padded", id="stripped"),
        pytest.param("Line one\r\nLine two\rLine three", "Line one\nLine two\nLine three", id="cr"),
        pytest.param(
            "Para one\nwrapped.\n\n  Para two.  ", "Para one wrapped.\nPara two.", id="wrap"
        ),
        pytest.param("e\u0301te\u0301", "\u00e9t\u00e9", id="nfc"),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@given(st.text(alphabet=" \t\u00a0\u2003\u200b\u3000\u202fab\u00e9", max_size=40))
def test_collapse_spaces_equals_the_plain_substitution(text: str) -> None:
    """The fast path (nothing to collapse: return the text) never changes the result."""
    assert _collapse_spaces(text) == _SPACES.sub(" ", text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(None, "text must be a str (got NoneType)", id="none"),
        pytest.param(b"bytes", "text must be a str (got bytes)", id="bytes"),
        pytest.param({"text": "x"}, "text must be a str (got dict)", id="dict"),
    ],
)
def test_article_from_text_refuses_a_non_str(text: object, message: str) -> None:
    with pytest.raises(InvalidOptions) as info:
        article_from_text(text)  # type: ignore[arg-type]
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("The council met on Tuesday.", 5, id="en"),
        pytest.param("Über 3 Millionen Menschen", 4, id="de"),
        pytest.param("图书馆周一重新开放。", 9, id="zh-characters"),
        pytest.param("館長は「要望が多い。」と話した。", 12, id="ja-characters"),
        pytest.param("苹果公司发布了 iPhone 17 手机。", 11, id="zh-with-latin"),
        pytest.param("他说：“很多。”", 4, id="zh-quotes-are-not-words"),
        pytest.param("도서관이 월요일에 다시 문을 열었다.", 5, id="ko-spaces"),
    ],
)
def test_count_words(text: str, expected: int) -> None:
    assert count_words(text) == expected


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        pytest.param(["It rained.", "We stayed in."], "It rained. We stayed in.", id="en"),
        pytest.param(["他说：“很多。”", "不过价格没变。"], "他说：“很多。”不过价格没变。", id="zh"),
        pytest.param(["雨が降った。", "家にいた。"], "雨が降った。家にいた。", id="ja"),
        pytest.param(["비가 왔다.", "집에 있었다."], "비가 왔다. 집에 있었다.", id="ko"),
        pytest.param(["价格上涨了。", "Prices rose."], "价格上涨了。Prices rose.", id="zh-then-en"),
        pytest.param([], "", id="none"),
    ],
)
def test_join_sentences(sentences: list[str], expected: str) -> None:
    assert join_sentences(sentences) == expected
