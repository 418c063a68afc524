#!/usr/bin/env bash
# A short pass of civic's libFuzzer targets (test/fuzz/README.md): each
# target runs CIVIC_FUZZ_SECONDS (default 8) from its seed corpus under
# AddressSanitizer and UndefinedBehaviorSanitizer; one TAP line per target,
# failing on any crash, sanitizer report or broken property.  Skipped only if
# clang cannot build a libFuzzer binary here (scripts/deps.sh installs it).
set -uo pipefail
CIVIC_TOP=${CIVIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
secs=${CIVIC_FUZZ_SECONDS:-8}
build=${CIVIC_RUN:-/tmp}/fuzz.$$
trap 'rm -rf "$build"' EXIT
mkdir -p "$build"

probe=$build/probe
if ! command -v clang >/dev/null; then
  echo "1..0 # SKIP clang is not installed (Debian: apt-get install clang)"
  exit 0
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
  echo "1..0 # SKIP clang cannot build libFuzzer binaries here: $(head -n 1 "$probe.log")"
  exit 0
fi

mapfile -t targets < <(bash "$CIVIC_TOP/test/fuzz/run.sh" --list)
echo "1..$((${#targets[@]} + 1))"
CIVIC_FUZZ_BUILD=$build bash "$CIVIC_TOP/test/fuzz/run.sh" "$secs" >"$build/run.out" 2>&1
rc=$?
n=1
if grep -q '^fuzz: building' "$build/run.out"; then
  echo "not ok 1 - the fuzz targets build"
  sed 's/^/#   /' "$build/run.out" | tail -n 30
else
  echo "ok 1 - the fuzz targets build"
fi
for t in "${targets[@]}"; do
  n=$((n + 1))
  line=$(grep -E "^fuzz: $t runs=" "$build/run.out")
  if [[ $line =~ crashes=0$ ]]; then
    echo "ok $n - $t: no crash, sanitizer report or broken property (${line#fuzz: $t })"
  else
    echo "not ok $n - $t: no crash, sanitizer report or broken property (${line:-did not run})"
    awk -v t="$t" '$0 ~ "^fuzz: " t " FAILED" {p = 1} p && /^fuzz: [a-z_]+ runs=/ {p = 0} p' \
      "$build/run.out" | head -n 40 | sed 's/^/#   /'
    # keep the input for the report
    mkdir -p /tmp/civic-fuzz-artifacts
    cp "$build"/artifacts/"$t"-* /tmp/civic-fuzz-artifacts/ 2>/dev/null \
      && echo "#   crashing input copied to /tmp/civic-fuzz-artifacts/"
  fi
done
exit $rc
