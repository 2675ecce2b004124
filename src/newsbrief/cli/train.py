"""``newsbrief train``: rebuild the shipped summarizer weights from the training data."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("train")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The shared data folder (holds cnn_dailymail/dev.jsonl.gz).",
)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the weights file (.npz).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the learner.")
@click.option("--limit", "-n", type=int, help="Train on the first N TRAIN articles only (tests).")
def train_cmd(data_dir: Path, out: Path, seed: int, limit: int | None) -> None:
    """Train the `trained` summarizer's scorer on the TRAIN part of CNN/DM dev and write it.

    The split, labels, features and learner are recorded in the file. The shipped file was
    made with:

        newsbrief train --data ../shared/data --out src/newsbrief/data/scorer-v2.npz
    """
    from newsbrief.train import train_scorer, write_weights

    result = train_scorer(data_dir, seed=seed, limit=limit)
    path = write_weights(result, out)
    meta = result.metadata
    click.echo(
        f"wrote {path}: {meta['kind']} on {meta['documents']} articles, "
        f"{meta['sentences']} sentences ({meta['split']})"
    )
