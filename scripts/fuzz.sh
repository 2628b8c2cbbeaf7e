#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer: builds the harness (Fuzz/) with -sanitize=fuzzer into
# .build-fuzz, runs each target for FUZZ_SECONDS (default 60), and prints the executions and
# findings per target. The corpus grows in .build-fuzz/corpus/TARGET between runs; libFuzzer
# starts from it, Tests/Fuzz/Seeds/TARGET and the regressions in Tests/Fuzz/Corpus/TARGET.
# A finding (an input that broke a property, crashed, hung over 10 s or used over 2 GB) is
# saved in .build-fuzz/findings/TARGET/; replay it with
#   FUZZ_REPLAY=TARGET:FILE swift test --filter ReplayOne
# and once fixed, copy it to Tests/Fuzz/Corpus/TARGET/ under a name that says what it was.
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-address csv page config mime}"
SWIFT="${SWIFT:-swift}"
BIN=.build-fuzz/release/newsletter-fuzz
# libFuzzer, not the Swift runtime, must handle a crash, so that it saves the input.
export SWIFT_BACKTRACE=enable=no

echo "make fuzz: building the libFuzzer harness (.build-fuzz)"
"$SWIFT" build --package-path Fuzz --scratch-path .build-fuzz -c release \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xcc -fsanitize=fuzzer-no-link || exit 1

declare -A MAX_LEN=([address]=512 [csv]=16384 [page]=16384 [config]=8192 [mime]=16384)
rows=()
total_findings=0
for target in $TARGETS; do
  corpus=.build-fuzz/corpus/$target
  findings=.build-fuzz/findings/$target
  log=.build-fuzz/logs/$target.log
  mkdir -p "$corpus" "$findings" .build-fuzz/logs
  before=$(ls "$findings" | wc -l)
  seeds=()
  for dir in Tests/Fuzz/Seeds/$target Tests/Fuzz/Corpus/$target; do [ -d "$dir" ] && seeds+=("$dir"); done
  dict=()
  [ -f Fuzz/dicts/$target.dict ] && dict=(-dict=Fuzz/dicts/$target.dict)
  echo "make fuzz: $target for ${SECONDS_PER_TARGET}s"
  FUZZ_TARGET=$target FUZZ_PYTHON_EVERY="${FUZZ_PYTHON_EVERY:-8}" "$BIN" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len="${MAX_LEN[$target]:-8192}" -artifact_prefix="$findings/" "${dict[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -z "$runs" ] && runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  new=$(( $(ls "$findings" | wc -l) - before ))
  total_findings=$((total_findings + new))
  rows+=("$(printf '%-8s %12s %9s %8s %8s' "$target" "${runs:-?}" "${rate:--}" "$(ls "$corpus" | wc -l)" "$new")")
  if [ "$new" -gt 0 ] || [ "$status" -ne 0 ]; then
    echo "make fuzz: $target stopped with a finding (exit $status); see $log"
    grep -E 'property broken|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
  fi
done

echo
echo "Fuzzing, ${SECONDS_PER_TARGET}s per target (libFuzzer; corpus and findings in .build-fuzz):"
printf '%-8s %12s %9s %8s %8s\n' target executions "exec/s" corpus findings
for row in "${rows[@]}"; do echo "$row"; done
[ "$total_findings" -eq 0 ]
