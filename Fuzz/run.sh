#!/usr/bin/env bash
# Builds the request-parser fuzz target with libFuzzer and AddressSanitizer, then fuzzes it.
#   Fuzz/run.sh [SECONDS]       (default 30)
# Seeds in Fuzz/corpus/ and past failures in Fuzz/reproducers/ stay as they are; the fuzzer grows a copy of them in
# Fuzz/corpus-work/. A crash, a failed check or a leak leaves its input in Fuzz/artifacts/ and makes this script exit
# non-zero.
# Replay one input:  Fuzz/.build/release/ParserFuzzer Fuzz/artifacts/crash-…
set -euo pipefail

seconds="${1:-30}"
fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$fuzz_dir/corpus-work"
artifacts="$fuzz_dir/artifacts"
log="$fuzz_dir/.build/fuzz.log"

echo "building ParserFuzzer (release, -sanitize=fuzzer,address)…"
build_start=$SECONDS
# -enable-testing lets the target `@testable import ConciergeHTTP` and reach the internal parser;
# -parse-as-library because the target has no top-level code (it exports ParserFuzzer_main itself).
swift build -c release --package-path "$fuzz_dir" --scratch-path "$fuzz_dir/.build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
echo "built in $((SECONDS - build_start)) s"
binary="$fuzz_dir/.build/release/ParserFuzzer"

mkdir -p "$work" "$artifacts"
# Seeds, and inputs that once failed (kept as regression tests), go first into the working corpus.
for input in "$fuzz_dir"/corpus/* "$fuzz_dir"/reproducers/*; do
    if [[ -f "$input" && ! -e "$work/$(basename "$input")" ]]; then cp "$input" "$work/"; fi
done

echo "fuzzing for $seconds s…"
status=0
SWIFT_BACKTRACE=enable=no "$binary" "$work" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -dict="$fuzz_dir/http.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?

# The last status line looks like: #123456 DONE cov: 1234 ft: 2345 corp: 200/9Kb lim: 4096 exec/s: 40000 rss: 80Mb
last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)"
rate="$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)"
cov="$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)"
ft="$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)"
corp="$(grep -oE 'corp: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)"

if [[ $status -ne 0 ]]; then
    echo "----- fuzzer output from the failure on (whole log: $log) -----"
    # From the first report line on, without ASan's shadow-byte legend.
    sed -n '/^ParserFuzzer: \|ERROR: \(AddressSanitizer\|LeakSanitizer\|libFuzzer\)\|Fatal error/,$p' "$log" |
        grep -vE '^ +(0x[0-9a-f]+:|[A-Z][A-Za-z -]+: +[0-9a-f ]+$)' | head -n 80 || true
    echo "-----"
    crash="$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/Test unit written to //' || true)"
    echo "fuzz: FAILED (exit $status) after ${runs:-?} executions; reproducer: ${crash:-none written}"
    exit "$status"
fi
echo "fuzz: OK ${runs:-?} executions in $seconds s, ${rate:-?} exec/s, coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?} inputs"
