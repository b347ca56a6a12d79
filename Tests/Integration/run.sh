#!/usr/bin/env bash
# Runs every integration test (`*.test.sh` beside this file), or those named, one after another.
# Usage: Tests/Integration/run.sh [NAME ...]     (NAME: a test file's name without .test.sh)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
    tests=(); for name in "$@"; do tests+=("$HERE/$name.test.sh"); done
else
    tests=("$HERE"/*.test.sh)
fi
[ -e "${tests[0]}" ] || { echo "no integration tests in $HERE"; exit 0; }
failed=()
for test in "${tests[@]}"; do
    started=$SECONDS
    echo "=== $(basename "$test" .test.sh)"
    bash "$test" || failed+=("$(basename "$test" .test.sh)")
    echo "=== $(basename "$test" .test.sh): $((SECONDS - started)) s"
done
echo "integration tests: ${#tests[@]} run, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
