#!/usr/bin/env bash
# Fuzzes the session parser and media import for SECONDS: runs the proptest
# targets in tests/tests/fuzz.rs round after round, each with a fresh random
# seed and FUZZ_CASES cases per target (default 2000), until the time is up.
#
#   packaging/fuzz.sh 600            # ten minutes
#   FUZZ_CASES=500 packaging/fuzz.sh 60
#
# On a failure it stops and prints the seed; proptest prints the minimal
# failing input above it. Add that input as a `regression_*` test at the end
# of tests/tests/fuzz.rs, fix the cause, and run again.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: packaging/fuzz.sh SECONDS}
cases=${FUZZ_CASES:-2000}
run() { cargo test -j2 -q -p mixdesk-tests --test fuzz "$@"; }

run --no-run
end=$((SECONDS + seconds))
round=0
while ((SECONDS < end)); do
    seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
    echo "== fuzz round $round: $cases cases per target, PROPTEST_RNG_SEED=$seed"
    if ! PROPTEST_CASES=$cases PROPTEST_RNG_SEED=$seed run; then
        echo "fuzz: a case failed (PROPTEST_RNG_SEED=$seed PROPTEST_CASES=$cases reproduces it);" \
            "add the minimal input above as a regression_* test in tests/tests/fuzz.rs" >&2
        exit 1
    fi
    round=$((round + 1))
done
echo "fuzz: $round rounds of $cases cases per target in $seconds s, no failures"
