"""Preloaded by the forkserver of batch/evaluate workers, and imported nowhere else.

Importing it loads the language identifier and the English sentence model once, in the
forkserver, so every worker forked from it starts warm instead of spending ~0.6 CPU-seconds
loading them itself (measured on CNN/DM text: the first ``summarize`` call in a fresh process
takes 0.61 CPU-s, later ones 1-2 ms). This is deliberately work at import time; ``import
newsbrief`` never imports this module.
"""

from __future__ import annotations

from newsbrief.language import detect_language
from newsbrief.sentences import split_sentences

_SAMPLE = (
    "The council met on Monday to discuss the budget for next year. "
    "Members agreed to spend more on parks, schools and public transport."
)

detect_language(_SAMPLE)
split_sentences(_SAMPLE, "en")
