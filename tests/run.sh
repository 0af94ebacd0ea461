#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need, then runs them all.
#   bash tests/run.sh            # everything
#   bash tests/run.sh -k data    # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install -q -r requirements-test.txt

# Browser tests drive Debian's Chromium (Playwright cannot download a browser offline).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed and cannot be installed here; browser tests will be skipped" >&2
  fi
fi

export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec python3 -m pytest -q "$@"
