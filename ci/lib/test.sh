# ci/lib/test.sh: helpers for the test suites in ci/tests/ (sourced).
# A suite prints one line per test: "PASS: suite: name" or "FAIL: suite: name: why";
# ci/check counts them. A suite's exit code only says whether it could run at all.

. "$(dirname "${BASH_SOURCE[0]}")/stage.sh"
T_SUITE=${T_SUITE:-$(basename "$0" .sh)}
T_FAILS=0

pass() { echo "PASS: $T_SUITE: $1"; }
fail() { echo "FAIL: $T_SUITE: $1: ${2:-}"; T_FAILS=$((T_FAILS + 1)); }

# check NAME CMD...: pass when CMD succeeds; on failure show its output.
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tail -n 15)"; fi
}

# expect_fail NAME PATTERN CMD...: pass when CMD fails AND its output matches PATTERN
# (an extended regex, matched against the output joined into one line): a refusal
# must say why, not just exit non-zero.
expect_fail() {
	local name=$1 pat=$2 out; shift 2
	if out=$("$@" 2>&1); then
		fail "$name" "succeeded but should have failed: $(printf '%s' "$out" | tail -n 5)"
	elif printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "failed without the expected message /$pat/: $(printf '%s' "$out" | tail -n 8)"
	fi
}

# rpm_of NAME: the path of the RPM named NAME in build/repo (exact package name).
rpm_of() {
	local f
	for f in "$XH_BUILD"/repo/*.rpm; do
		[ "$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)" = "$1" ] && { echo "$f"; return 0; }
	done
	return 1
}

# rpm_extract RPM DIR: unpack the payload of RPM into DIR.
rpm_extract() { mkdir -p "$2" && (cd "$2" && rpm2cpio "$1" | cpio -idm --quiet); }

# figure NAME VALUE UNIT: a measured figure of this run, for make bench (one JSON line
# in $XH_BUILD/figures.jsonl, the newest of a NAME wins); ignored when VALUE is empty.
figure() {
	[ -n "${2:-}" ] || return 0
	mkdir -p "$XH_BUILD"
	printf '{"name":"%s","value":%s,"unit":"%s","suite":"%s","at":"%s"}\n' "$1" "$2" "$3" "$T_SUITE" \
		"$(date -u +%FT%TZ)" >> "$XH_BUILD/figures.jsonl"
}

# budget_allows SECONDS WHAT: whether WHAT (about SECONDS long) still fits in the time
# budget of `make check`: XH_CHECK_BUDGET seconds (default 4500, CI's 90 minutes less a
# margin) from XH_CHECK_T0, when make started. Prints a SKIP line when it does not fit
# (a cold build leaves less time for the QEMU scenarios than a warm one). Without
# XH_CHECK_T0 (make e2e, a suite run by hand) everything fits.
budget_allows() {
	[ -n "${XH_CHECK_T0:-}" ] || return 0
	local left=$(( XH_CHECK_T0 + ${XH_CHECK_BUDGET:-4500} - $(date +%s) ))
	[ "$1" -le "$left" ] && return 0
	echo "SKIP: $T_SUITE: $2: needs about $1 s, only $left s of the check budget (XH_CHECK_BUDGET=${XH_CHECK_BUDGET:-4500} s) are left; 'make e2e' runs it"
	return 1
}

# What on a serial console means a boot has failed, for ci/qemu wait --fail: panics of
# dom0 and Xen, systemd's emergency mode, dracut's shell, a loader that found no Xen.
XH_BOOT_FAILS='Kernel panic|Panic on CPU|\(XEN\) \*\*\*\*|Entering emergency mode|Dropping to debug shell|no multiboot header'
