#!/usr/bin/env bash
# SegNets' test command (README; .ci/run calls exactly this). On a fresh Debian/Ubuntu machine it installs what the
# tests need when missing, restores, builds the whole solution, runs every test and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
config=${CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en

# Reference outputs come from the original frameworks: Debian's PyTorch 1.13 / torchvision 0.14 under /usr/bin/python3.
# PIL and dataset-fashion-mnist: tools/make_fashion_scenes.py regenerates samples/data/fashion-scenes in a test;
# scipy writes the MAT files of the SBD tests; onnx the ONNX fixtures.
if ! /usr/bin/python3 -c 'import torch, torchvision, numpy, onnx, scipy.io, PIL' >/dev/null 2>&1 \
    || [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "test.sh: installing python3-torch, python3-torchvision, python3-numpy, python3-onnx, python3-scipy, python3-pil, dataset-fashion-mnist (reference outputs) ..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      python3-torch python3-torchvision python3-numpy python3-onnx python3-scipy python3-pil dataset-fashion-mnist >/dev/null
  else
    echo "test.sh: no apt-get here; install PyTorch for /usr/bin/python3 yourself, or reference tests fail" >&2
  fi
fi
command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 2; }

dotnet restore SegNets.sln
dotnet build SegNets.sln -c "$config" --no-restore

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
set +e
dotnet test tests/SegNets.Tests/SegNets.Tests.csproj -c "$config" --no-build \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results"
rc=$?
set -e

trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -n "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  errors=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(( ${failed:-0} + ${errors:-0} ))
else
  passed=0; failed=1
  echo "test.sh: the test run produced no results (exit code $rc)" >&2
fi
[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "${passed:-0} passed, ${failed} failed"
[ "$failed" -eq 0 ]
