#!/usr/bin/env bash
# Fuzzes the session parser, the media import, the media readers (the
# symphonia decoder and the bounce's WAV streamer, checked against each
# other), file names and special files for SECONDS: runs the proptest targets
# in tests/tests/fuzz.rs and tests/tests/fuzz_files.rs round after round,
# each with a fresh random seed and FUZZ_CASES cases per target (default
# 2000), until the time is up (the round running then finishes). ./test.sh
# runs a bounded round of this in CI.
#
#   packaging/fuzz.sh 600                    # ten minutes
#   FUZZ_CASES=500 packaging/fuzz.sh 60
#   FUZZ_SEED=1234 packaging/fuzz.sh         # one round with that seed: reproduces a failure
#
# On a failure it stops and prints the seed; proptest prints the minimal
# failing input above it. Add that input as a `regression_*` test at the end
# of the fuzz file it came from, fix the cause, and run again.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${FUZZ_CASES:-2000}
run() { cargo test -j2 -q -p mixdesk-tests --test fuzz --test fuzz_files "$@"; }

round() {
    local seed=$1
    echo "== fuzz round $2: $cases cases per target, PROPTEST_RNG_SEED=$seed"
    if ! PROPTEST_CASES=$cases PROPTEST_RNG_SEED=$seed run; then
        echo "fuzz: a case failed; FUZZ_SEED=$seed FUZZ_CASES=$cases packaging/fuzz.sh reproduces it;" \
            "add the minimal input above as a regression_* test" >&2
        exit 1
    fi
}

run --no-run
if [ -n "${FUZZ_SEED:-}" ]; then
    round "$FUZZ_SEED" 0
    echo "fuzz: seed $FUZZ_SEED, $cases cases per target, no failures"
    exit 0
fi
seconds=${1:?usage: packaging/fuzz.sh SECONDS (or FUZZ_SEED=N packaging/fuzz.sh)}
end=$((SECONDS + seconds))
rounds=0
while ((SECONDS < end)); do
    round "$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')" "$rounds"
    rounds=$((rounds + 1))
done
echo "fuzz: $cases cases per target in each of $rounds round(s), $SECONDS s, no failures"
