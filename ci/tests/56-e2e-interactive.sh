#!/usr/bin/env bash
# End to end: the interactive installer on the serial console, as an operator at a
# serial terminal runs it. The ISO boots in QEMU (BIOS); the test chooses "Install
# (serial console only)" in the boot menu, then answers every screen with keys sent to
# the serial port (Enter, Tab, Ctrl-X for the next screen): the disk, local
# storage, DHCP, a host name, UTC, NTP, the root password twice; confirms the summary
# and the erase; the progress and completion screens appear; "Reboot" ends QEMU. Then
# the installed disk boots alone: GRUB, Xen, the login prompt with the chosen host name;
# the test logs in as root with the chosen password on the serial console and runs
# `xl info` and `hostname` there, waits for the first boot to complete and powers off.
# Then the same ISO upgrades that host from its screens (interactive_upgrade, below;
# XH_E2E_INTERACTIVE_UPGRADE= skips it), and the upgraded host boots.
# XH_E2E_INTERACTIVE picks scenarios (default: interactive-serial-bios). Logs in
# build/e2e/<scenario>/.
. "$(dirname "$0")/../lib/test.sh"
ver=$(xh_version)
iso="$XH_BUILD/xenhost-$ver-x86_64.iso"
qemu="$XH_TOP/ci/qemu"
work="$XH_BUILD/e2e"
: "${XH_E2E_INTERACTIVE:=interactive-serial-bios}"
[ -f "$iso" ] || xh_die "no ISO $iso: run 'make iso'"
FAILS="$XH_BOOT_FAILS|installation FAILED"
PASSWORD='Xh-tui-Secret-2468'
HOST=xh-tui
NEXT='\x18'   # Ctrl-X: next screen (F12's escape sequence can arrive split on a slow serial line)
results=()

# step DIR REGEX KEYS...: wait (up to 300 s) until the console shows REGEX (after the last
# keys sent), then send each of KEYS (printf %b escapes), 1 s apart. The log is what the
# terminal received, not a screen: the regexes are body texts that newt writes in one
# piece (window titles come with cursor moves that repeat a character).
step() {
	local dir=$1 re=$2 out k; shift 2
	out=$("$qemu" wait "$dir" "$re" 300 --new --fail "$FAILS" 2>&1) || { echo "$out"; return 1; }
	for k in "$@"; do sleep 1; "$qemu" send "$dir" "$k" || return 1; done
	sleep 1
}

# serial_entry DIR: choose "Install (serial console only)" in the ISO's boot menu (the
# entry after the default) and mark the log there.
serial_entry() {
	local n keys=() i
	n=$(awk '/^entry|^local/ { n++; if ($2 == "install-serial") print n - 1 }' "$XH_TOP/iso/menu.def")
	for i in $(seq 1 "$n"); do keys+=('\x0e'); done
	"$qemu" wait "$1" 'Automatic boot in' 180 > /dev/null && "$qemu" keys "$1" "${keys[@]}" '\r'
	"$qemu" mark "$1"
}

# serial_login DIR: log in as root with $PASSWORD at $HOST's login prompt on the serial console.
serial_login() {
	"$qemu" wait "$1" "^$HOST login: *\$" 900 --fail "$FAILS" > /dev/null || { echo "no login prompt for $HOST"; return 1; }
	sleep 2; "$qemu" line "$1" root
	"$qemu" wait "$1" 'Password: *$' 60 --new > /dev/null || { echo "no password prompt"; return 1; }
	"$qemu" line "$1" "$PASSWORD"
	"$qemu" wait "$1" "root@$HOST" 120 --new > /dev/null || { echo "the password was not accepted"; return 1; }
}

interactive() {
	local name=$1 dir="$work/$1" boot="$work/$1-boot" out rc
	rm -rf "$dir" "$boot"; mkdir -p "$dir"
	"$qemu" start "$dir" --firmware bios --cdrom "$iso" --disk "$dir/disk.img:64G" --no-reboot --timeout 2400 ||
		{ fail "$name: start the VM" "see $dir/qemu.out"; return; }
	serial_entry "$dir"
	local t0; t0=$(date +%s)
	drive() {
		step "$dir" 'interactive installation on /dev/hvc0' &&
		step "$dir" 'keyboard layout' '\r' &&
		step "$dir" 'Xen virtualization host' "$NEXT" &&
		step "$dir" 'Xenhost installation was found' '\r' &&
		step "$dir" 'The disk for Xenhost' '\r' &&
		step "$dir" 'guest disk images are kept' "$NEXT" &&
		step "$dir" 'the bridge xenbr0 carries it' '\r' &&
		step "$dir" 'IP address/prefix' "$NEXT" &&
		step "$dir" 'empty: from DHCP' "$HOST" "$NEXT" &&
		step "$dir" 'region of the host' '\r' &&
		step "$dir" 'servers from DHCP' "$NEXT" &&
		step "$dir" 'At least 8 characters' "$PASSWORD" '\t' "$PASSWORD" "$NEXT" &&
		step "$dir" 'These disks are ERASED' '\t' '\r' &&
		step "$dir" 'Everything on these disks will be lost' '\t' '\r'
	}
	if ! out=$(drive 2>&1); then
		"$qemu" stop "$dir"; "$qemu" text "$dir" > "$dir/serial.txt"
		fail "$name: the screens answered by keys on the serial console" "$out"; results+=("$(printf '%-24s FAILED in the screens' "$name")"); return
	fi
	pass "$name: every screen answered by keys on the serial console, the summary confirmed"
	# the completion screen ("... is installed on" and the Reboot button), then "Reboot"
	# (the default button): the installer prints the result and reboots; -no-reboot ends QEMU
	out=$("$qemu" wait "$dir" "Xenhost $ver is installed on" 1800 --new --fail "$FAILS" 2>&1); rc=$?
	local t_inst=$(( $(date +%s) - t0 ))
	if [ $rc = 0 ]; then
		sleep 2; "$qemu" send "$dir" '\r'
		out=$("$qemu" wait "$dir" "Xenhost $ver is installed on /dev/sd[a-z] in [0-9]+ s" 120 --new 2>&1); rc=$?
		[ $rc = 0 ] && "$qemu" wait "$dir" 'no such line' 120 > /dev/null 2>&1
	fi
	"$qemu" stop "$dir"
	"$qemu" text "$dir" > "$dir/serial.txt"
	check "$name: the progress screen showed the steps" grep -Eaq '\[ ?[0-9]+/[0-9]+\] [a-z]' "$dir/serial.txt"
	if [ $rc != 0 ]; then
		fail "$name: the completion screen says it is installed" "$out"; results+=("$(printf '%-24s INSTALL FAILED' "$name")"); return
	fi
	pass "$name: the completion screen says Xenhost $ver is installed ($t_inst s from the first screen's answer)"

	# the installed disk alone: Xen, the login prompt, root's password, xl info
	"$qemu" start "$boot" --firmware bios --boot-disk --disk "$dir/disk.img" --no-reboot --timeout 1500 ||
		{ fail "$name: start the installed host" "see $boot/qemu.out"; return; }
	login() {
		serial_login "$boot" || return 1
		sleep 2; "$qemu" line "$boot" 'echo "XL-$(xl info | sed -n "s/^xen_version *: *//p")-HOST-$(hostname)-END"'
		"$qemu" wait "$boot" 'XL-4\.17[^ ]*-HOST-[a-z-]+-END' 120 --new || return 1
		# the first boot must complete before the host can be upgraded; then power off
		sleep 2; "$qemu" line "$boot" 'while [ ! -e /var/lib/xenhost/firstboot/done.done ]; do sleep 5; done; echo "FIRSTBOOT-""DONE"; poweroff'
		"$qemu" wait "$boot" 'FIRSTBOOT-DONE' 900 --new > /dev/null || { echo "the first boot did not complete"; return 1; }
		"$qemu" wait "$boot" 'no such line' 180 > /dev/null 2>&1   # -no-reboot: power-off ends QEMU
		return 0
	}
	out=$(login 2>&1); rc=$?
	"$qemu" stop "$boot"
	"$qemu" text "$boot" > "$boot/serial.txt"
	check "$name: the installed disk boots Xen" grep -Eaq '\(XEN\) Xen version 4\.17' "$boot/serial.txt"
	if [ $rc = 0 ]; then
		pass "$name: root logs in on the serial console with the password typed in the installer; xl info and the host name: $(printf '%s' "$out" | grep -o 'XL-[^ ]*-END')"
		check "$name: the host name is the one typed ($HOST)" grep -aq "XL-4\.17.*-HOST-$HOST-END" "$boot/serial.txt"
	else
		fail "$name: root logs in on the installed host's serial console" "$out; last lines: $(tail -n 8 "$boot/serial.txt" | cut -c1-160)"
	fi
	results+=("$(printf '%-24s answered and installed in %4s s (from the first screen)' "$name" "$t_inst")")
	[ $rc = 0 ] && [ -n "${XH_E2E_INTERACTIVE_UPGRADE:-1}" ] && interactive_upgrade "$name"
}

# interactive_upgrade NAME: the host NAME installed (first boot done, powered off) is
# upgraded from the same ISO's screens on the serial console: the action screen offers
# the installation found, the summary names it, the confirmation, the progress, the
# completion; then the disk boots the upgraded root, with the host name kept and the
# previous root on the backup partition ("xenhost-upgrade status" on the console).
interactive_upgrade() {
	local name=$1-upgrade dir="$work/$1-upgrade" boot="$work/$1-upgrade-boot" disk="$work/$1/disk.img" out rc
	rm -rf "$dir" "$boot"; mkdir -p "$dir"
	"$qemu" start "$dir" --firmware bios --cdrom "$iso" --disk "$disk" --no-reboot --timeout 2400 ||
		{ fail "$name: start the VM" "see $dir/qemu.out"; return; }
	serial_entry "$dir"
	local t0; t0=$(date +%s)
	drive() {
		step "$dir" 'interactive installation on /dev/hvc0' &&
		step "$dir" 'keyboard layout' '\r' &&
		step "$dir" 'Xen virtualization host' "$NEXT" &&
		step "$dir" "Upgrade Xenhost $ver on sda to $ver \\(keeps its settings\\)" u '\r' &&
		step "$dir" "Upgrade Xenhost $ver on /dev/sda" '\t' '\r' &&
		step "$dir" 'Upgrade the installation now' '\t' '\r'
	}
	if ! out=$(drive 2>&1); then
		"$qemu" stop "$dir"; "$qemu" text "$dir" > "$dir/serial.txt"
		fail "$name: the upgrade chosen and confirmed on the screens" "$out"; results+=("$(printf '%-24s FAILED in the screens' "$name")"); return
	fi
	pass "$name: the action screen offered the installation found; the upgrade summary and confirmation answered by keys"
	out=$("$qemu" wait "$dir" "is upgraded from $ver to $ver" 1800 --new --fail "$FAILS" 2>&1); rc=$?
	local t_up=$(( $(date +%s) - t0 ))
	if [ $rc = 0 ]; then
		sleep 2; "$qemu" send "$dir" '\r'
		"$qemu" wait "$dir" 'no such line' 120 > /dev/null 2>&1
	fi
	"$qemu" stop "$dir"
	"$qemu" text "$dir" > "$dir/serial.txt"
	if [ $rc != 0 ]; then
		fail "$name: the completion screen says it is upgraded" "$out"; results+=("$(printf '%-24s UPGRADE FAILED' "$name")"); return
	fi
	pass "$name: the completion screen says Xenhost is upgraded from $ver to $ver ($t_up s from the first screen's answer)"

	"$qemu" start "$boot" --firmware bios --boot-disk --disk "$disk" --no-reboot --timeout 1500 ||
		{ fail "$name: start the upgraded host" "see $boot/qemu.out"; return; }
	login_upgraded() {
		serial_login "$boot" || return 1
		sleep 2; "$qemu" line "$boot" 'xenhost-upgrade status; echo "PREV-$(grep -c -- "--id previous" /boot/grub/grub.cfg)-END"'
		"$qemu" wait "$boot" 'PREV-[0-9]+-END' 120 --new
	}
	out=$(login_upgraded 2>&1); rc=$?
	"$qemu" stop "$boot"
	"$qemu" text "$boot" > "$boot/serial.txt"
	if [ $rc = 0 ]; then
		pass "$name: the upgraded host boots; root logs in with the same password, host name $HOST kept"
		check "$name: xenhost-upgrade status names the upgrade from $ver, and GRUB has the previous version" sh -c \
			"grep -aEq 'last upgrade: .*$ver' '$boot/serial.txt' && grep -aq 'PREV-1-END' '$boot/serial.txt'"
	else
		fail "$name: the upgraded host boots and root logs in" "$out; last lines: $(tail -n 8 "$boot/serial.txt" | cut -c1-160)"
	fi
	results+=("$(printf '%-24s chosen and upgraded in %4s s (from the first screen)' "$name" "$t_up")")
}

for s in $XH_E2E_INTERACTIVE; do
	budget_allows 2700 "$s" || continue
	case $s in
	interactive-serial-bios) interactive "$s" ;;
	*) fail "scenario $s" "unknown (known: interactive-serial-bios)" ;;
	esac
done
echo "    interactive installs in QEMU (software emulation):"
for r in "${results[@]}"; do echo "      $r"; done
exit 0
