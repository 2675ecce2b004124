"""``lead``: the first sentences of the article — the baseline every method must beat.

Lines that do not read as prose (a heading, a widget label such as "Media playback is not
supported on this device", a table row) are skipped while prose sentences are left
(``select.is_prose``). The baseline stays the first sentences: no coherence rule
(``select``'s ``coherent``) moves it.
"""

from __future__ import annotations

from typing import Literal

from newsbrief.models import Document, SummaryOptions
from newsbrief.summarizers import Output
from newsbrief.summarizers.select import select


class LeadSummarizer:
    """Score sentences by position only: the first sentence scores highest."""

    name = "lead"
    kind: Literal["extractive"] = "extractive"

    def summarize(self, doc: Document, options: SummaryOptions) -> Output:
        n = len(doc.sentences)
        scores = [1.0 - i / max(n, 1) for i in range(n)]
        return Output(
            select(doc, scores, options.length, min_words=1, stop_when_full=True, coherent=False)
        )
