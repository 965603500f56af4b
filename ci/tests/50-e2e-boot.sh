#!/usr/bin/env bash
# End to end: the real ISO and PXE tree boot in QEMU (software emulation) through every
# path of docs/architecture.md section 3, with the menus' default entries as a user would get them
# after the 5-second timeout, and reach the install environment's ready state:
#   cd-bios cd-uefi        the ISO as a CD, SeaBIOS / OVMF
#   stick-bios stick-uefi  the same file as a disk (a USB stick), SeaBIOS / OVMF
#   pxe-bios pxe-uefi      PXE (QEMU's DHCP and TFTP), image over HTTP from the host's
#                          loopback, SeaBIOS (pxelinux) / OVMF (iPXE, GRUB netboot)
#   pxe-bios-host          PXE with a per-host menu (by MAC): the unattended entry with
#                          that host's answer file starts by itself
#   rescue-cd-bios         the rescue entry chosen with keystrokes on the serial console;
#                          a command typed into the rescue shell runs under Xen
# Each scenario checks on the serial log that Xen started, that dom0 runs under Xen, and
# that the ready line came; it reports its time to ready (from QEMU's start).
# XH_E2E_SCENARIOS picks scenarios (default: all); XH_E2E_TIMEOUT caps each (seconds);
# XH_E2E_STALL is the console silence (seconds) taken as a hung VM.
# Logs stay in build/e2e/<scenario>/ (serial.log, qemu.cmd, http.log).
. "$(dirname "$0")/../lib/test.sh"
ver=$(xh_version)
iso="$XH_BUILD/xenhost-$ver-x86_64.iso"
pxe="$XH_BUILD/pxe"
qemu="$XH_TOP/ci/qemu"
work="$XH_BUILD/e2e"
: "${XH_E2E_SCENARIOS:=cd-bios cd-uefi stick-bios stick-uefi pxe-bios pxe-uefi pxe-bios-host rescue-cd-bios}"
: "${XH_E2E_TIMEOUT:=900}"
: "${XH_E2E_STALL:=300}"   # seconds of console silence that mean a hung VM (the longest quiet
                           # stretch of a good boot, fetching the image over PXE, is under 120 s)
stalls=()

rootfs=${XH_ROOTFS_DIR:-$XH_BUILD/rootfs}
[ -f "$iso" ] || xh_die "no ISO $iso: run 'make iso'"
case " $XH_E2E_SCENARIOS " in *" pxe-"*) [ -d "$pxe/tftp" ] || xh_die "no PXE tree $pxe: run 'make pxe'" ;; esac
command -v qemu-system-x86_64 > /dev/null || xh_die "qemu-system-x86_64 is missing: run 'make deps'"
mkdir -p "$work" || xh_die "cannot create $work"

READY='xenhost-live: ready'
# What ends a boot early: panics, dracut giving up, systemd's emergency mode.
FAILS="$XH_BOOT_FAILS|Cannot open access to console|dracut-initqueue.*timeout|Reboot in five seconds|error: file .* not found"
results=()

# scenario NAME FIRMWARE LOADER-REGEX QEMU-OPTIONS...: boot, wait for the ready line, check the log.
# A VM whose console stays silent for XH_E2E_STALL seconds has hung: under software
# emulation a boot rarely stops dead (seen once in dozens of boots: dom0 at "clocksource:
# Switched to clocksource xen", a CPU rendezvous). The harness then has Xen dump its state
# into the log (kept as DIR-stalled/), and the scenario boots once more; a second stall,
# or any other failure, fails the test. The stall is reported, never hidden.
scenario() {
	local name=$1 fw=$2 loader=$3 dir="$work/$1" out rc t; shift 3
	rm -rf "$dir" "$dir-stalled"
	out=$("$qemu" run "$dir" --firmware "$fw" --timeout "$XH_E2E_TIMEOUT" --stall "$XH_E2E_STALL" --wait "$READY" --fail "$FAILS" "$@" 2>&1); rc=$?
	if [ $rc = 4 ] && budget_allows 480 "$name (once more, after a hung VM)"; then
		"$qemu" text "$dir" > "$dir/serial.txt" 2>/dev/null
		mv "$dir" "$dir-stalled"
		echo "NOTE: $T_SUITE: $name: the VM hung ($out); Xen's state is in $dir-stalled/serial.txt; booting once more"
		stalls+=("$name: $(printf '%s' "$out" | sed -n 's/.*last line: //p' | cut -c1-100)")
		out=$("$qemu" run "$dir" --firmware "$fw" --timeout "$XH_E2E_TIMEOUT" --stall "$XH_E2E_STALL" --wait "$READY" --fail "$FAILS" "$@" 2>&1); rc=$?
	fi
	after_boot "$name" "$fw" "$loader" "$dir" "$rc" "$out"
}

# after_boot NAME FIRMWARE LOADER DIR RC WAIT-OUTPUT: the checks on a finished boot's log.
after_boot() {
	local name=$1 fw=$2 loader=$3 dir=$4 rc=$5 out=$6 log="$4/serial.txt" t
	"$qemu" text "$dir" > "$log" 2>/dev/null
	check "$name: the loader ran ($loader)" grep -Eaq "$loader" "$log"
	check "$name: Xen started" grep -Eaq '\(XEN\) Xen version 4\.17' "$log"
	check "$name: dom0 (Linux) booted on Xen" grep -Eaq 'Booting paravirtualized kernel on Xen|Xen version: 4\.17' "$log"
	if [ "$rc" = 0 ]; then
		t=$(printf '%s' "$out" | sed -n 's/^matched after \([0-9.]*\) s.*/\1/p')
		pass "$name: install environment ready (after $t s)"
		check "$name: the install environment sees /sys/hypervisor/type = xen" grep -aq "$READY.*hypervisor=xen" "$log"
		check "$name: the install environment sees the firmware as $fw" grep -aq "$READY.*firmware=$fw" "$log"
		results+=("$(printf '%-16s ready after %6s s' "$name" "$t")")
		figure "boot.$name.installer_ready" "$t" s
	else
		fail "$name: install environment ready" "$out; last lines of $log: $(tail -n 12 "$log" | cut -c1-160)"
		results+=("$(printf '%-16s NOT READY (%s)' "$name" "$(printf '%s' "$out" | cut -c1-60)")")
	fi
}

for s in $XH_E2E_SCENARIOS; do
	budget_allows 480 "$s" || continue
	case $s in
	cd-bios)    scenario "$s" bios 'ISOLINUX' --cdrom "$iso" ;;
	cd-uefi)    scenario "$s" uefi 'Welcome to GRUB' --cdrom "$iso" ;;
	stick-bios) scenario "$s" bios 'ISOLINUX' --stick "$iso" ;;
	stick-uefi) scenario "$s" uefi 'Welcome to GRUB' --stick "$iso" ;;
	pxe-bios)   scenario "$s" bios 'PXELINUX' --pxe "$pxe/tftp" pxelinux.0 --http "$pxe/http" ;;
	pxe-uefi)   scenario "$s" uefi 'Welcome to GRUB' --pxe "$pxe/tftp" boot/grub/x86_64-efi/core.efi --http "$pxe/http" ;;
	pxe-bios-host)
		# A PXE tree whose hosts file gives the test VM's MAC its own answer file.
		hp="$work/$s-tree"; rm -rf "$hp"; mkdir -p "$hp"
		printf '<?xml version="1.0"?>\n<installation mode="fresh"/>\n' > "$hp/answer.xml"
		printf '# MAC answer file\n52:54:00:12:34:56 answer.xml\n' > "$hp/hosts"
		if XH_ROOTFS_DIR="$rootfs" XH_BUILD="$hp/build" XH_PXE_HOSTS="$hp/hosts" "$XH_TOP/iso/pxe" > "$hp/pxe.log" 2>&1; then
			scenario "$s" bios 'PXELINUX' --pxe "$hp/build/pxe/tftp" pxelinux.0 --http "$hp/build/pxe/http"
			check "$s: the host's own menu started the unattended install with its answer file" \
				grep -aq "$READY.*mode=unattended" "$work/$s/serial.txt"
			check "$s: the answer file URL is the host's (answerfiles/52-54-00-12-34-56.xml)" \
				grep -aq 'answerfile=http://10.0.2.100/answerfiles/52-54-00-12-34-56.xml' "$work/$s/serial.txt"
		else
			fail "$s: PXE tree with a hosts file" "$(tail -n 5 "$hp/pxe.log")"
		fi ;;
	rescue-cd-bios)
		# Down to "Rescue shell (on the serial console)" with Ctrl-N, Enter; then a command.
		dir="$work/$s"; rm -rf "$dir"
		if "$qemu" start "$dir" --firmware bios --cdrom "$iso" --timeout "$XH_E2E_TIMEOUT"; then
			n=$(awk '/^entry|^local/ { n++; if ($2 == "rescue-serial") print n - 1 }' "$XH_TOP/iso/menu.def")
			keys=(); for i in $(seq 1 "$n"); do keys+=('\x0e'); done   # Ctrl-N: next entry
			"$qemu" wait "$dir" 'Automatic boot in' 120 > /dev/null && "$qemu" keys "$dir" "${keys[@]}" '\r'
			out=$("$qemu" wait "$dir" 'root@[^ ]*# *$|bash-[0-9.]+# *$|Press Enter for maintenance' "$XH_E2E_TIMEOUT" --fail "$FAILS" 2>&1); rc=$?
			if [ $rc = 0 ]; then
				# sulogin may ask for Enter first; type the command only at the shell's
				# prompt (input typed earlier is flushed when the shell starts).
				"$qemu" line "$dir" ''
				out2=$("$qemu" wait "$dir" 'root@[^ ]*# *$|bash-[0-9.]+# *$' 120 --new 2>&1) || rc=$?
				sleep 1
				[ $rc = 0 ] && "$qemu" line "$dir" 'echo "RESCUE-$(cat /sys/hypervisor/type)-$((6 * 7))"' &&
					{ out2=$("$qemu" wait "$dir" 'RESCUE-xen-42' 120 --new 2>&1) || rc=$?; }
			fi
			"$qemu" stop "$dir"
			"$qemu" text "$dir" > "$dir/serial.txt"
			check "$s: the rescue entry was chosen on the serial console" grep -aq 'systemd.unit=rescue.target' "$dir/serial.txt"
			check "$s: Xen started" grep -Eaq '\(XEN\) Xen version 4\.17' "$dir/serial.txt"
			if [ $rc = 0 ]; then
				pass "$s: a root shell on the serial console runs commands under Xen ($out)"
				results+=("$(printf '%-16s shell after %6s s' "$s" "$(printf '%s' "$out" | sed -n 's/^matched after \([0-9.]*\) s.*/\1/p')")")
			else
				fail "$s: a root shell on the serial console" "${out2:-$out}; last lines: $(tail -n 12 "$dir/serial.txt" | cut -c1-160)"
				results+=("$(printf '%-16s NO SHELL' "$s")")
			fi
		else
			fail "$s: start the VM" "see $dir/qemu.out"
		fi ;;
	*) fail "scenario $s" "unknown (known: cd-bios cd-uefi stick-bios stick-uefi pxe-bios pxe-uefi pxe-bios-host rescue-cd-bios)" ;;
	esac
done

echo "    time from QEMU start to the install environment's ready line (software emulation):"
for r in "${results[@]}"; do echo "      $r"; done
[ ${#stalls[@]} = 0 ] || { echo "    VMs that hung and were booted again (logs in build/e2e/*-stalled/):"; for r in "${stalls[@]}"; do echo "      $r"; done; }
exit 0
