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
    help=(
        "The shared data folder; it holds cnn_dailymail/dev.jsonl.gz and "
        "bbc_news_summary/bbc_news_summary.dev.jsonl."
    ),
)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the weights file (.npz); its folder must exist.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the learner.")
@click.option(
    "--limit",
    "-n",
    type=int,
    help="Train on the first N TRAIN articles of CNN/DM and the first N BBC articles only "
    "(N at least 1; for tests).",
)
def train_cmd(data_dir: Path, out: Path, seed: int, limit: int | None) -> None:
    """Train the `trained` summarizer's scorer and write it.

    Both heads learn on the TRAIN part of CNN/DM dev (cnn_dailymail/dev.jsonl.gz); the
    one-sentence head also learns on intro examples made from the BBC News Summary articles
    (bbc_news_summary/bbc_news_summary.dev.jsonl). The split, labels, features, learner and
    data files are recorded in the weights file. The output is checked before training. The
    shipped file was made with:

    \b
        newsbrief train --data ../shared/data --out src/newsbrief/data/scorer-v4.npz
    """
    from newsbrief.train import train_to_file

    path, result = train_to_file(data_dir, out, seed=seed, limit=limit)
    meta = result.metadata
    click.echo(
        f"wrote {path}: {meta['kind']} on {meta['documents']} articles, "
        f"{meta['sentences']} sentences ({meta['split']})"
    )
