#!/usr/bin/env bash
# The test command (README, .ci/run): installs the real clients when missing, then formatting,
# lints, and every test — unit, protocol, proton-local, and end to end with real Terraform.
#
#   scripts/test.sh                   everything
#   scripts/test.sh -- FILTER...      passes FILTER to the test runner (e.g. e2e_)
#
# Every phase runs even when an earlier check (fmt, clippy) failed, so one run reports
# everything; the exit status is non-zero if any phase failed.
#
# Environment: PROTON_TEST_RUNNER=cargo|nextest (default: nextest when installed, else cargo),
# plus the knobs in tests/support/src/lib.rs (PROTON_TF_ONLY, PROTON_TF_NO_PATH, ...).
set -euo pipefail
exec </dev/null # nothing reads stdin; CI may start us with it closed

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

FILTER=()
if [[ "${1:-}" == "--" ]]; then
    shift
    FILTER=("$@")
fi

SUMMARY=()
FAILED=0
TOTAL_START=$SECONDS

# run_phase NAME COMMAND...: runs and times one phase, records its result.
run_phase() {
    local name="$1" start=$SECONDS rc=0
    shift
    echo
    echo "==> $name"
    "$@" || rc=$?
    local result=ok
    if [[ $rc != 0 ]]; then
        result="FAILED (exit $rc)"
        FAILED=1
    fi
    SUMMARY+=("$(printf '%-30s %6ds  %s' "$name" $((SECONDS - start)) "$result")")
    return 0
}

print_summary() {
    echo
    echo "==> summary"
    local line
    for line in "${SUMMARY[@]}"; do
        echo "  $line"
    done
    printf '  %-30s %6ds\n' "total" $((SECONDS - TOTAL_START))
}

run_phase "install tools (.tools/)" bash scripts/install-tools.sh
if [[ $FAILED != 0 ]]; then
    print_summary
    echo "scripts/test.sh: could not install the tools the tests need"
    exit 1
fi
export PATH="$ROOT/.tools/bin:$PATH"

# Every CI build starts from scratch: incremental compilation would only cost time and disk.
if [[ "${CI:-}" == "true" ]]; then
    export CARGO_INCREMENTAL=0
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

run_phase "cargo fmt --check" cargo fmt --all -- --check
# proton-local's `s3` feature (bundles through the S3 API, tested against moto) is on for the whole
# workspace; its default build, without the AWS SDK, is linted on its own.
FEATURES=(--features proton-local/s3)
run_phase "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked "${FEATURES[@]}" \
    -- -D warnings
run_phase "clippy: proton-local alone" cargo clippy -p proton-local --bins --locked -- -D warnings

RUNNER="${PROTON_TEST_RUNNER:-}"
if [[ -z "$RUNNER" ]]; then
    if cargo nextest --version >/dev/null 2>&1; then RUNNER=nextest; else RUNNER=cargo; fi
fi

# Library, binaries and integration tests. Benches and examples are linted above but not run:
# a `harness = false` bench would run in full (cargo) or fail to list (nextest).
TARGETS=(--workspace --lib --bins --tests "${FEATURES[@]}")

# The runner's output is kept so the last line can count the tests (the doc tests run last and have
# none, and their "0 passed" should not be the closing word on the suite).
TEST_LOG="$(mktemp)"
trap 'rm -f "$TEST_LOG"' EXIT
run_logged() {
    "$@" 2>&1 | tee "$TEST_LOG"
    return "${PIPESTATUS[0]}"
}

if [[ "$RUNNER" == nextest ]]; then
    run_phase "build tests" cargo nextest run "${TARGETS[@]}" --locked --no-run
    # All test binaries at once, two tests in flight per core (e2e tests mostly wait on
    # Terraform and proton-local).
    run_phase "tests (cargo nextest)" run_logged cargo nextest run "${TARGETS[@]}" --locked \
        --no-fail-fast --test-threads "$(($(nproc) * 2))" ${FILTER[@]+"${FILTER[@]}"}
else
    run_phase "build tests" cargo test "${TARGETS[@]}" --locked --no-run
    run_phase "tests (cargo test)" run_logged cargo test "${TARGETS[@]}" --locked --no-fail-fast \
        ${FILTER[@]+"${FILTER[@]}"}
fi
run_phase "doc tests" cargo test --workspace --doc --locked "${FEATURES[@]}"

# The suite's count, from nextest's summary or the sum of cargo test's per-binary results.
count_tests() {
    local summary
    summary="$(grep -E '^ +Summary .* tests? run: ' "$TEST_LOG" | tail -1 || true)"
    if [[ -n "$summary" ]]; then
        local passed failed
        passed="$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")"
        failed="$(grep -Eo '[0-9]+ failed' <<<"$summary" | grep -Eo '[0-9]+' || echo 0)"
        echo "$passed $failed"
        return
    fi
    grep -E '^test result: ' "$TEST_LOG" |
        sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' |
        awk '{p += $1; f += $2} END {print p + 0, f + 0}'
}

print_summary
read -r PASSED FAILED_TESTS < <(count_tests)
echo
if [[ $FAILED != 0 ]]; then
    echo "scripts/test.sh: FAILED"
else
    echo "scripts/test.sh: all phases passed"
fi
echo "tests: ${PASSED} passed, ${FAILED_TESTS} failed"
exit "$FAILED"
