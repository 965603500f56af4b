#!/usr/bin/env bash
# make bench --quick, as the last suite of make check: the no-op build, the cold time of
# every stage (from its cache entry), the sizes, and the QEMU figures this run's
# end-to-end suites recorded, each against the previous run on this machine. The
# figures are printed, not asserted (the machine is shared and noisy); what is checked is
# that the no-op build rebuilds nothing and that the results are written.
. "$(dirname "$0")/../lib/test.sh"
if ! out=$("$XH_TOP/ci/bench/run" --quick 2>&1); then
	fail "make bench (quick) runs" "$(printf '%s' "$out" | tail -n 10)"; exit 0
fi
pass "make bench (quick) runs and writes build/bench/results.json"
check "the no-op build (make iso pxe, nothing changed) rebuilds no stage" \
	python3 -c "import json,sys; f={x['name']: x['value'] for x in json.load(open('$XH_BUILD/bench/results.json'))['figures']}; sys.exit(0 if f.get('build.noop_misses', 1) == 0 else 'stages rebuilt: %s' % f.get('build.noop_misses'))"
printf '%s\n' "$out" | sed -n '/^Xenhost /,$p' | sed 's/^/    /'
exit 0
