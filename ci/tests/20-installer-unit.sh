#!/usr/bin/env bash
# Installer unit tests: build xenhost-installer and its cmocka tests with
# AddressSanitizer and UndefinedBehaviorSanitizer, report one line per cmocka test,
# check that the program builds warning-free with gcc and clang, that --check accepts
# every worked example in answerfiles/ and refuses malformed files with the line and
# column, and that --dry-run plans on a fake sysfs tree and refuses a too-small disk.
# Needs no root, no VM and no build/ outputs of the other stages.
. "$(dirname "$0")/../lib/test.sh"
inst="$XH_TOP/installer"
afdir="$XH_TOP/answerfiles"
O="$XH_BUILD/installer"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
jobs=${XH_JOBS:-2}

# --- build (the sanitizer build is what everything below runs)
if out=$(make -C "$inst" -j"$jobs" O="$O" tests 2>&1); then
	pass "installer and unit tests build with ASan and UBSan (-Wall -Wextra -Werror)"
else
	fail "installer and unit tests build with ASan and UBSan (-Wall -Wextra -Werror)" "$(printf '%s' "$out" | tail -n 20)"
	exit 0
fi
check "installer builds warning-free with gcc" make -C "$inst" -j"$jobs" O="$O/gcc" CC=gcc
if command -v clang >/dev/null; then
	check "installer builds warning-free with clang" make -C "$inst" -j"$jobs" O="$O/clang" CC=clang
fi
if command -v clang-tidy > /dev/null; then   # about 5 minutes of CPU, a file at a time on each core
	check "clang-tidy (installer/.clang-tidy: the static analyzer, bugprone) finds nothing" \
		make -s -C "$inst" -j"$jobs" O="$O" -k tidy
else
	fail "clang-tidy finds nothing" "no clang-tidy: run 'make deps'"
fi
if command -v cppcheck > /dev/null; then
	check "cppcheck (warning, portability, performance) finds nothing" make -s -C "$inst" cppcheck
else
	fail "cppcheck finds nothing" "no cppcheck: run 'make deps'"
fi
bin="$O/san/xenhost-installer"

# --- the cmocka tests, one PASS/FAIL line each (TAP output)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in $(make -s --no-print-directory -C "$inst" print-tests); do   # every unit test program the Makefile has
	CMOCKA_MESSAGE_OUTPUT=TAP "$O/san/$t" > "$tmp/$t.tap" 2> "$tmp/$t.err"
	rc=$?
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/$t.tap" | head -n 1)
	seen=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*)
			seen=$((seen + 1)); pass "$t: ${line#ok * - }" ;;
		"not ok "*)
			seen=$((seen + 1)); name=${line#not ok * - }
			why=$(grep -F -A3 -- "$name" "$tmp/$t.err" "$tmp/$t.tap" | grep -v "^.*ok [0-9]" | head -n 4 | tr '\n' ' ')
			fail "$t: $name" "${why:-see $t output}" ;;
		esac
	done < "$tmp/$t.tap"
	if [ -z "$planned" ] || [ "$seen" -ne "$planned" ]; then
		fail "$t: ran to the end" "planned ${planned:-?} tests, saw $seen (exit $rc): $(tail -n 15 "$tmp/$t.err" | tr '\n' ' ')"
	elif grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$tmp/$t.err"; then
		fail "$t: no sanitizer reports" "$(grep -E -A8 'ERROR: |runtime error:' "$tmp/$t.err" | head -n 12 | tr '\n' ' ')"
	else
		pass "$t: ran to the end with no sanitizer reports ($seen tests, exit $rc)"
	fi
done

# --- the command line
check "--version prints the VERSION file's release" sh -c "'$bin' --version | grep -qx 'xenhost-installer $(xh_version)'"
check "--help documents --check, --dry-run and the exit codes" \
	sh -c "'$bin' --help | grep -q -- '--check FILE' && '$bin' --help | grep -q 'Exit codes'"
expect_fail "an unknown option is a usage error" "Try 'xenhost-installer --help'" "$bin" --frobnicate
exit_code() { local want=$1; shift; "$@" >/dev/null 2>&1; local rc=$?; [ "$rc" -eq "$want" ] || { echo "exit $rc, expected $want"; return 1; }; }
check "a usage error exits 2" exit_code 2 "$bin" --frobnicate
man_codes() { for c in 0 1 2 3 4 5; do grep -qx "\.B $c" "$inst/xenhost-installer.8" || { echo "exit code $c undocumented"; return 1; }; done; }
check "the man page documents every exit code" man_codes
if command -v groff >/dev/null; then
	check "the man page renders without warnings" sh -c "! groff -man -Tutf8 -ww '$inst/xenhost-installer.8' 2>&1 >/dev/null | grep -q ."
fi

# --- every worked example is accepted (by the installer and by the schema alone)
n=0
for f in "$afdir"/*.xml; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	check "--check accepts answerfiles/$(basename "$f")" "$bin" --check "$f"
	# (a partial answer file is checked element by element; the schema describes complete ones)
	if command -v xmllint >/dev/null && ! grep -q 'interactive="partial"' "$f"; then
		check "answerfile.rng accepts answerfiles/$(basename "$f") (xmllint)" \
			xmllint --noout --nonet --relaxng "$afdir/answerfile.rng" "$f"
	fi
done
check "answerfiles/ holds at least 8 worked examples" test "$n" -ge 8

# --- malformed files are refused with file:line:column and what to do
mk() { printf '%s\n' "$2" > "$tmp/$1"; }
base='<primary-disk>sda</primary-disk>
<root-password>secret</root-password>
<admin-interface name="eth0" proto="dhcp"/>'
mk unknown.xml "<installation>
$base
  <hostnme>h</hostnme>
</installation>"
expect_fail "--check refuses an unknown element (line 5, column 3)" \
	'unknown.xml:5:3: error: unknown element <hostnme> in <installation>: did you mean <hostname>' "$bin" --check "$tmp/unknown.xml"
check "an invalid answer file exits 3" exit_code 3 "$bin" --check "$tmp/unknown.xml"
mk syntax.xml "<installation>
$base
<hostname>h</hostnam>
</installation>"
expect_fail "--check refuses malformed XML with line and column" 'syntax.xml:5:[0-9]+: error: XML syntax' "$bin" --check "$tmp/syntax.xml"
mk lvm.xml "<installation srtype=\"lvm\">
$base
</installation>"
expect_fail "--check refuses sr-type lvm and says what to use" 'lvm.xml:1:15: error: .*"lvm" is not supported.*use sr-type="ext4"' \
	"$bin" --check "$tmp/lvm.xml"
mk several.xml "<installation>
<primary-disk guest-storage=\"maybe\">sda</primary-disk>
<root-password>secret</root-password>
<admin-interface name=\"eth0\" proto=\"static\" vlan=\"5000\"><ip>10.0.0.5/24</ip><gateway>10.9.0.1</gateway></admin-interface>
<hostname>a</hostname><hostname>b</hostname>
</installation>"
expect_fail "--check reports every problem, each with its line" \
	'several.xml:2:15: error: guest-storage="maybe".*several.xml:4:45: error: vlan="5000".*several.xml:4:[0-9]+: error: <gateway> 10.9.0.1 is not in.*several.xml:5:23: error: <hostname> appears twice' \
	"$bin" --check "$tmp/several.xml"
mk doctype.xml '<?xml version="1.0"?>
<!DOCTYPE installation [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<installation><hostname>&x;</hostname></installation>'
expect_fail "--check refuses a DOCTYPE (no entities, no external files)" 'doctype.xml:2:[0-9]+: error: a DOCTYPE declaration is not allowed' \
	"$bin" --check "$tmp/doctype.xml"
expect_fail "--check on a missing file says so" 'cannot open the answer file' "$bin" --check "$tmp/nonexistent.xml"

# --- --dry-run on a fake machine: plans, prints, and refuses a too-small disk
fake_machine() { # DIR SIZE_BYTES
	local r=$1 dev="devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0"
	mkdir -p "$r/sys/$dev/block/sda/queue" "$r/sys/block" "$r/dev/disk/by-id" "$r/proc" "$r/sys/devices/system/cpu"
	ln -s "../$dev/block/sda" "$r/sys/block/sda"
	ln -s ../.. "$r/sys/$dev/block/sda/device"
	echo $(( $2 / 512 )) > "$r/sys/$dev/block/sda/size"
	echo 512 > "$r/sys/$dev/block/sda/queue/logical_block_size"
	echo 0 > "$r/sys/$dev/block/sda/queue/rotational"
	echo "QEMU HARDDISK   " > "$r/sys/$dev/model"
	ln -s ../../sda "$r/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001"
	echo 0-3 > "$r/sys/devices/system/cpu/present"
	echo "MemTotal:       16777216 kB" > "$r/proc/meminfo"
	: > "$r/cmdline"
}
dry() { "$bin" --dry-run --answerfile "$2" --sysfs "$1/sys" --devdir "$1/dev" --procdir "$1/proc" --cmdline "$1/cmdline"; }
fake_machine "$tmp/big" $((100 * 1024 * 1024 * 1024))
plan_ok() {
	local out
	out=$(dry "$tmp/big" "$afdir/fresh-bios-ext4.xml" 2>&1) || { echo "$out"; return 1; }
	for want in 'DRY RUN: nothing is written' 'firmware:      BIOS \(forced by the answer file\)' 'xh-root-[0-9a-f]{8}' \
	            '/dev/sda3 .* local storage' 'dom0: +1843 MiB memory' '4 vCPUs'; do
		printf '%s' "$out" | grep -Eq -- "$want" || { echo "no /$want/ in: $out"; return 1; }
	done
}
check "--dry-run plans the BIOS example on a fake 100 GiB disk" plan_ok
fake_machine "$tmp/small" $((20 * 1024 * 1024 * 1024))
expect_fail "--dry-run refuses a 20 GiB disk, giving both sizes" \
	'disk /dev/sda \(QEMU HARDDISK\) is 20 GiB \(21474836480 bytes\), but the primary disk layout needs at least 42.5 GiB \(45636141568 bytes\)' \
	dry "$tmp/small" "$afdir/fresh-bios-ext4.xml"
check "a configuration that does not fit exits 4" exit_code 4 dry "$tmp/small" "$afdir/fresh-bios-ext4.xml"
expect_fail "--dry-run refuses a <match> that selects no disk" 'disk-by-filter.xml:8:5: error: no disk matches the <match bus=sata .*rotational=false> of <primary-disk>; the disks are: sda: 100 GiB, QEMU HARDDISK' \
	dry "$tmp/big" "$afdir/disk-by-filter.xml"
# (Installs themselves are tested on loop devices by 25-installer-integration.)
exit 0
