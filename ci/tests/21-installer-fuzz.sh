#!/usr/bin/env bash
# Fuzzing (libFuzzer, clang, with ASan and UBSan): the answer-file parser, validator and
# planner; the kernel command line; network_config=; the inventory and backup marker of
# an existing installation and the upgrade decisions made from them. Each target replays
# its regression inputs (installer/fuzz/regressions/) and then fuzzes for
# XH_FUZZ_SECONDS (default 60; 'make fuzz' runs longer), two at a time. A crash fails
# the target, with its input kept in build/installer/fuzz/.
. "$(dirname "$0")/../lib/test.sh"
O="$XH_BUILD/installer"
secs=${XH_FUZZ_SECONDS:-60}
if ! command -v "${FUZZ_CC:-clang}" > /dev/null; then
	fail "the fuzz targets build" "no clang: run 'make deps'"; exit 0
fi
if ! out=$(make -C "$XH_TOP/installer" -j"${XH_JOBS:-2}" O="$O" fuzz-build 2>&1); then
	fail "the fuzz targets build" "$(printf '%s' "$out" | tail -n 15)"; exit 0
fi
pass "the fuzz targets build (clang, -fsanitize=fuzzer,address,undefined)"
"$XH_TOP/installer/fuzz/run" --seconds "$secs" --out "$O/fuzz" --jobs 2 > "$O/fuzz/run.out" 2>&1
for t in answerfile cmdline netconfig inventory; do
	r=$(cat "$O/fuzz/result-$t" 2>/dev/null)
	if printf '%s' "$r" | grep -q ', 0 crash(es)'; then
		pass "fuzz-$t: no crash in $secs s ($(printf '%s' "$r" | sed -E 's/^fuzz-[a-z]+ +//; s/ \(of [0-9]+ instrumented[^)]*\)//'))"
	else
		fail "fuzz-$t" "${r:-no result}; $(grep -A12 -m1 'ERROR:\|runtime error\|crash input' "$O/fuzz/run.out" | head -n 14)"
	fi
done
echo "    fuzzing, $secs s per target:"
sed 's/^/      /' "$O/fuzz/results.txt" 2>/dev/null
exit 0
