# ci/lib/e2e.sh: what the end-to-end suites that install and boot hosts share (sourced
# after test.sh, with $qemu and $work set): the boot menu's unattended entry, the test's
# SSH key and a way to run commands on an installed host, the answer volume.

# menu_unattended DIR FW: choose the "unattended" entry (two down from the default).
menu_unattended() {
	local dir=$1 fw=$2 n
	n=$(awk '/^entry|^local/ { n++; if ($2 == "unattended") print n - 1 }' "$XH_TOP/iso/menu.def")
	if [ "$fw" = bios ]; then
		"$qemu" wait "$dir" 'Automatic boot in' 180 > /dev/null || return 1
	else
		"$qemu" wait "$dir" 'executed automatically in' 300 > /dev/null || return 1
	fi
	local keys=(); for _ in $(seq 1 "$n"); do keys+=('\x0e'); done   # Ctrl-N: next entry (isolinux and GRUB)
	"$qemu" keys "$dir" "${keys[@]}" '\r'
}

# The test's SSH key: the filesystem-populated script puts it in root's authorized_keys,
# as operators do; the installed host is reached through a QEMU port forward on loopback.
key="$work/id_e2e"
[ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C xenhost-e2e -f "$key" || xh_die "ssh-keygen failed"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# on_host PORT CMD: run CMD as root on the installed host (sshd may still be starting).
on_host() {
	local port=$1 cmd=$2 n
	for n in $(seq 1 20); do
		ssh -i "$key" -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			-o ConnectTimeout=20 -o LogLevel=ERROR root@127.0.0.1 "$cmd" && return 0
		[ $? = 255 ] || return 1   # ssh itself failed (not the command): try again
		sleep 10
	done
	return 1
}

# answer_volume DIR: DIR/answer.img, a small ext4 disk labelled XENHOST-ANSWER holding
# DIR/answer/answerfile.xml, made without mounting (answerfile=auto finds it).
answer_volume() {
	mkfs.ext4 -q -F -L XENHOST-ANSWER -d "$1/answer" "$1/answer.img" 16M
}

# host_boot DIR DISK PORT [FW]: boot the installed DISK alone (a reboot ends QEMU) and
# wait for a login prompt on the serial console; prints wait's "matched after" line
# (exit 4: the console went silent, the VM hung; Xen's state is then in the log).
# With XH_E2E_BOOT_RETRY=1 a hung boot is kept as DIR-stalled/ (with Xen's state), a
# NOTE line says so, and the disk is booted once more (a power cycle: callers that count
# boots, such as the rollback's trial, do not set it).
host_boot() {
	local rc=0
	_host_boot "$@" || rc=$?
	if [ $rc = 4 ] && [ "${XH_E2E_BOOT_RETRY:-0}" = 1 ]; then
		"$qemu" stop "$1"; "$qemu" text "$1" > "$1/serial.txt"
		rm -rf "$1-stalled"; mv "$1" "$1-stalled"
		echo "NOTE: ${T_SUITE:-e2e}: $(basename "$1"): the VM hung booting the disk; Xen's state is in $1-stalled/serial.txt; booting it once more" >&2
		rc=0; _host_boot "$@" || rc=$?
	fi
	return $rc
}
_host_boot() {
	local dir=$1 disk=$2 port=$3 fw=${4:-bios}
	"$qemu" start "$dir" --firmware "$fw" --boot-disk --disk "$disk" --ssh "$port" --timeout 1500 --no-reboot || return 1
	local out rc=0
	out=$("$qemu" wait "$dir" '^[a-z0-9.-]+ login: *$' 900 --stall "${XH_E2E_STALL:-420}" --fail "$FAILS") || rc=$?
	# a hung VM: Xen's state into the log before the caller stops it
	[ $rc = 4 ] && "$qemu" xen-dump "$dir"
	printf '%s\n' "$out"
	return $rc
}
# host_down DIR PORT [poweroff|reboot]: shut the host down over SSH and stop QEMU once
# the kernel's last line before the reset or power-off is out (systemd-shutdown has
# synced and unmounted by then; Xen's reset under TCG sometimes hangs after it).
host_down() {
	local dir=$1 port=$2 verb=${3:-poweroff}
	"$qemu" mark "$dir"
	on_host "$port" "systemctl $verb" > /dev/null 2>&1
	"$qemu" wait "$dir" 'Hardware Dom0 shutdown|reboot: (Restarting system|Power down)|Preparing to enter system sleep state S5' 300 --new > /dev/null
	local rc=$?
	"$qemu" wait "$dir" 'no such line' 30 > /dev/null 2>&1
	"$qemu" stop "$dir"
	return $rc
}

# power_cut DIR STEP-ERE DELAY WHAT [WAIT-OPTIONS...]: a power cut while the installer in
# the VM of DIR runs a step: wait until the console shows the step starting
# ("[ 6/15] unpack the image ..."), let it run DELAY seconds, kill QEMU (SIGKILL), keep
# the console in DIR/serial.txt, and check that the last step on it is that one, not
# finished. 1 (with a failure reported, the VM stopped) when the step never came.
power_cut() {
	local dir=$1 sre=$2 delay=$3 what=$4 out last; shift 4
	if ! out=$("$qemu" wait "$dir" "^\[ ?[0-9]+/[0-9]+\] $sre" 1800 --fail "$FAILS" "$@" 2>&1); then
		"$qemu" stop "$dir"; fail "$what: the installer reaches the step" "$out; $("$qemu" text "$dir" | tail -n 8)"; return 1
	fi
	sleep "$delay"
	"$qemu" kill "$dir"
	"$qemu" text "$dir" > "$dir/serial.txt"
	last=$(grep -a -E '^\[ ?[0-9]+/[0-9]+\] ' "$dir/serial.txt" | tail -n 1)
	check "$what: QEMU was killed while the step ran ($(printf '%s' "$last" | cut -c1-70))" \
		sh -c "printf '%s' \"\$1\" | grep -Eq '$sre' && ! printf '%s' \"\$1\" | grep -Eq ' [0-9]+\.[0-9] s\$'" _ "$last"
}

# installed_host_ready: whether 55-e2e-install left its installed host (install-bios-ext4,
# first boot done) for the suites that work on it; sets $base, its disk. Otherwise a SKIP
# line says so and it returns 1.
installed_host_ready() {
	base="$work/install-bios-ext4/disk.img"
	[ -f "$base" ] && grep -q 'runs: 6' "$work/install-bios-ext4-boot/result.txt" 2>/dev/null && return 0
	echo "SKIP: $T_SUITE: needs the host installed by 55-e2e-install (install-bios-ext4, first boot done): run it first"
	return 1
}

# host_overlay_and_guest_disk DIR: DIR/host.qcow2, a qcow2 overlay on the installed host's
# disk (55's disk stays as it was, for the suites after), and DIR/guest.img, the test
# guest disk (ci/lib/guest-image: the project's kernel, busybox, GRUB). 1 on a failure
# (reported).
host_overlay_and_guest_disk() {
	local krpm out
	command -v qemu-img > /dev/null || xh_die "qemu-img is missing: run 'make deps'"
	krpm=$(ls "$XH_BUILD"/rpms/kernel/kernel-[0-9]*.rpm 2>/dev/null | head -n 1)
	[ -n "$krpm" ] || xh_die "no kernel RPM in $XH_BUILD/rpms/kernel: run 'make rpms'"
	qemu-img create -q -f qcow2 -F raw -b "$base" "$1/host.qcow2" || xh_die "qemu-img create (overlay on $base) failed"
	if ! out=$("$XH_TOP/ci/lib/guest-image" "$1/guest.img" "$krpm" 2>&1); then
		fail "the test guest disk is built (ci/lib/guest-image)" "$out"; return 1
	fi
	pass "the test guest disk is built: $(du -h --apparent-size "$1/guest.img" | cut -f1), the project's kernel, busybox, GRUB (nothing downloaded)"
}
