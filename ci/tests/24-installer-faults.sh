#!/usr/bin/env bash
# Fault injection, on loop devices: the installer's test build (ASan, UBSan, and the
# switch XH_TEST_FAIL_STEP=N, compiled into the sanitizer build only; the product binary
# does not have it) fails each step of a fresh install of the real image in turn, after
# the step did its work. After each failure: the exit code says whether the disks were
# changed (5) or not (4 or 6, and the disk is byte-identical), the failed step is named on
# standard error and in the log, nothing stays mounted under the target, no partition of
# the disk is held (the kernel can re-read its table), and the next install on the same
# disk, with no manual step in between, succeeds. The last install is checked like an
# operator would: the filesystems are clean (fsck) and the inventory is there.
# XH_FAULT_STEPS="3 9" limits the steps (default: all).
. "$(dirname "$0")/../lib/test.sh"
. "$(dirname "$0")/../lib/loopdisk.sh"
O="$XH_BUILD/installer"
image=${XH_IMAGE:-$XH_BUILD/rootfs/rootfs.squashfs}

if [ "$(id -u)" -ne 0 ] || ! command -v losetup > /dev/null; then
	echo "SKIP: $T_SUITE: needs root and losetup"; exit 0
fi
if [ ! -f "$image" ] || [ ! -f "$image.sha256" ]; then
	echo "SKIP: $T_SUITE: $image (and .sha256) does not exist; build it with 'make rootfs'"; exit 0
fi
loop_workdir xh-fault
san_installer || exit 0
check "the test build has the fault switch, the product build does not" sh -c \
	"strings '$bin' | grep -q XH_TEST_FAIL_STEP && make -s -C '$XH_TOP/installer' O='$O' '$O/xenhost-installer' > /dev/null && ! strings '$O/xenhost-installer' | grep -q XH_TEST_FAIL_STEP"

truncate -s 64G "$tmp/disk.img" && attach "$tmp/disk.img" loop || { fail "a loop disk" "truncate or losetup failed"; exit 0; }
L=${loop#/dev/}
: > "$tmp/cmdline"
cat > "$tmp/af.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<installation mode="fresh" sr-type="ext4">
  <primary-disk>$L</primary-disk>
  <root-password type="plaintext">Xh-fault-Secret-42</root-password>
  <admin-interface name="eth0" proto="dhcp"/>
  <hostname>xh-fault</hostname>
  <firmware-mode>bios</firmware-mode>
</installation>
EOF
settle() { local d; for d in "$loop" "$loop"p*; do [ -b "$d" ] && { blkid -p "$d" > /dev/null 2>&1; blockdev --flushbufs "$d"; }; done; sync; }
run() { # LOG [ENV...]: one install on the loop disk
	local log=$1; shift
	env "$@" "$bin" --disk-allow-loop --cmdline "$tmp/cmdline" --host-ram 16GiB --host-cpus 4 \
		--target-root "$tmp/target" --run-dir "$tmp/run" --answerfile "$tmp/af.xml" --image "$image" --log "$log"
}
mounted() { grep -q " $tmp/target" /proc/self/mounts; }
held() { # a partition of the loop disk still held (mounted, swap, open exclusively)
	blockdev --rereadpt "$loop" 2> /dev/null && return 1
	grep -q "^$loop" /proc/self/mounts /proc/swaps && return 0
	sleep 1; ! blockdev --rereadpt "$loop" 2> /dev/null
}

# The process list while it runs: every 20 ms, the command line and environment of
# every process; the plaintext password must never be in one.
watch_procs() {
	local f
	while [ ! -e "$tmp/stop-watch" ]; do
		for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do
			grep -qa 'Xh-fault-Secret-4[2]' "$f" 2> /dev/null && echo "$f: $(tr '\0' ' ' < "$f" | cut -c1-200)"
		done
		sleep 0.02
	done > "$tmp/procs-seen" 2>&1
}

# The steps of this install: a clean run first (also the baseline time).
t0=$(date +%s.%N)
watch_procs & watcher=$!
if ! run "$tmp/base.log" > "$tmp/base.out" 2>&1; then
	touch "$tmp/stop-watch"; wait "$watcher"
	fail "a fresh install without a fault completes" "$(tail -n 15 "$tmp/base.out")"; exit 0
fi
t_base=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
touch "$tmp/stop-watch"; wait "$watcher"
n=$(sed -n 's/^\[ *1\/\([0-9]*\)\] .*/\1/p' "$tmp/base.out" | head -n 1)
pass "a fresh install without a fault completes ($n steps, $t_base s)"
check "the plaintext root password was never in a process's command line or environment" \
	sh -c "! grep . '$tmp/procs-seen'"
settle
no_secret() { ! disk_has "$tmp/disk.img" Xh-fault-Secret-42 && ! grep -q Xh-fault-Secret-42 "$tmp/base.log" "$tmp/base.out"; }
check "... nor anywhere on the installed disk (every byte written), nor in the install log" no_secret
steps=${XH_FAULT_STEPS:-$(seq 1 "$n")}

failed_ok=0 again_ok=0 untouched=0
for k in $steps; do
	title=$(sed -n "s/^\[ *$k\/$n\] \(.*\) \.\.\..*/\1/p" "$tmp/base.out" | head -n 1)   # (a warning may follow on the line)
	settle; before=$(fingerprint "$tmp/disk.img")
	run "$tmp/f$k.log" XH_TEST_FAIL_STEP="$k" > "$tmp/f$k.out" 2>&1; rc=$?
	settle; after=$(fingerprint "$tmp/disk.img")
	why=""
	case $rc in
	5) ;;
	4|6|7) [ "$after" = "$before" ] || why="exit $rc says nothing was written, but the disk changed;" ;;
	*) why="exit $rc (expected 5, or 4 or 6 before any write);" ;;
	esac
	grep -Fq "step $k/$n ($title) failed: Input/output error" "$tmp/f$k.out" || why="$why no message naming step $k/$n on stderr;"
	grep -Eq "installation FAILED at the step: .* \(Input/output error\)" "$tmp/f$k.out" || why="$why no summary with the step and the error;"
	grep -q "step $k ($title) failed: Input/output error" "$tmp/f$k.log" || why="$why the log does not name step $k ($title);"
	mounted && { why="$why left mounted: $(grep " $tmp/target" /proc/self/mounts | cut -d' ' -f2 | tr '\n' ' ');"; umount -R "$tmp/target" 2> /dev/null; }
	held && why="$why a partition of $loop is still held;"
	grep -q 'AddressSanitizer\|runtime error:' "$tmp/f$k.out" && why="$why a sanitizer report;"
	if [ -z "$why" ]; then
		pass "fault at step $k/$n ($title): exit $rc, reported, nothing mounted or held$([ "$rc" != 5 ] && echo ', disk untouched')"
		failed_ok=$((failed_ok + 1)); [ "$rc" != 5 ] && untouched=$((untouched + 1))
	else
		fail "fault at step $k/$n ($title)" "$why $(tail -n 6 "$tmp/f$k.out" | tr '\n' ' ')"
	fi
	if run "$tmp/a$k.log" > "$tmp/a$k.out" 2>&1 && ! mounted; then
		pass "... then a fresh install on the same disk completes"
		again_ok=$((again_ok + 1))
	else
		fail "... then a fresh install on the same disk completes" "$(tail -n 10 "$tmp/a$k.out" | tr '\n' ' ')"
	fi
done

# The disk after the last install, as the installed host would find it.
settle; partx -u "$loop" 2> /dev/null
fsck_all() {
	local p label out
	for p in "$loop"p*; do
		label=$(blkid -p -o value -s PART_ENTRY_NAME "$p" 2> /dev/null)
		case $(blkid -p -o value -s TYPE "$p" 2> /dev/null) in
		ext4) out=$(e2fsck -fn "$p" 2>&1) || { echo "$p ($label): $out" | tail -n 5; return 1; } ;;
		xfs) out=$(xfs_repair -n "$p" 2>&1) || { echo "$p ($label): $out" | tail -n 5; return 1; } ;;
		esac
	done
}
check "after the faults, the last install's filesystems are clean (e2fsck -n, xfs_repair -n)" fsck_all
root=$(for p in "$loop"p*; do [ "$(blkid -p -o value -s PART_ENTRY_NAME "$p" 2> /dev/null | cut -d- -f2)" = root ] && echo "$p"; done)
mkdir -p "$tmp/mnt"
check "... and its root holds the inventory and the host name" sh -c \
	"mount -o ro '$root' '$tmp/mnt' && grep -q PRODUCT_VERSION '$tmp/mnt/etc/xenhost-inventory' && grep -qx xh-fault '$tmp/mnt/etc/hostname'; rc=\$?; umount '$tmp/mnt'; exit \$rc"
# Install against a plain copy, the same run and disk: the installer's clean install
# (above) against writing the image's bytes to the disk with dd (the lower bound the disk
# gives; the installer also unpacks, makes filesystems and installs GRUB). Figures for
# make bench, not assertions.
t0=$(date +%s.%N)
if dd if="$image" of="$loop" bs=4M conv=fsync status=none; then
	t_copy=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	figure install.loop.installer "$t_base" s
	figure install.loop.plain_copy "$t_copy" s
	figure install.loop.ratio "$(awk -v a="$t_base" -v b="$t_copy" 'BEGIN { printf "%.2f", a / b }')" ratio
	# each step's time: its line ends "... N s", or "FAILED after"; a warning may split it
	tr '\n' ' ' < "$tmp/base.out" | grep -oE '\[ *[0-9]+/[0-9]+\] [^[]*\.\.\.[^[]*[0-9.]+ s' |
		sed -E 's/^\[ *([0-9]+)\/[0-9]+\] ([a-zA-Z ]+).* ([0-9.]+) s$/\1 \3 \2/' |
		while read -r k secs words; do figure "install.loop.step$(printf %02d "$k").$(echo $words | cut -d' ' -f1-3 | tr ' ' _)" "$secs" s; done
	echo "    install on a loop disk: $t_base s; a plain copy of the image's bytes to the same disk: $t_copy s"
fi
echo "    fault injection: $failed_ok of $(wc -w <<<"$steps") steps failed cleanly ($untouched before any write), $again_ok installs after them completed; a clean install $t_base s"
exit 0
