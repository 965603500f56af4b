#!/usr/bin/env bash
# End to end: unattended installs from the real ISO in QEMU (software emulation), then the
# installed host's first boot, looked at as an operator would:
#   install-bios-ext4  SeaBIOS, the ISO as a CD; the answer file on a disk labelled
#                      XENHOST-ANSWER (answerfile=auto); ext4 local storage; static IPv4
#   install-uefi-xfs   OVMF, the ISO as a CD; XFS local storage; DHCP; scripts fetched over
#                      HTTP and a JSON report POSTed to the provisioning server
# Each: "Unattended install" chosen in the boot menu with keystrokes on the serial console;
# the installer's progress and its success line on the serial console; the reboot ends
# QEMU (-no-reboot); then the target disk alone boots GRUB -> Xen -> dom0, first boot runs,
# and on the serial console root logs in with the answer file's password and runs
# hostname, xl info, findmnt, ip and xenhost-firstboot status.
# XH_E2E_INSTALL picks scenarios (default both); logs in build/e2e/<scenario>{,-boot}/.
. "$(dirname "$0")/../lib/test.sh"
ver=$(xh_version)
iso="$XH_BUILD/xenhost-$ver-x86_64.iso"
qemu="$XH_TOP/ci/qemu"
work="$XH_BUILD/e2e"
: "${XH_E2E_INSTALL:=install-bios-ext4 install-uefi-xfs}"
: "${XH_E2E_TIMEOUT:=2400}"
[ -f "$iso" ] || xh_die "no ISO $iso: run 'make iso'"
command -v qemu-system-x86_64 > /dev/null || xh_die "qemu-system-x86_64 is missing: run 'make deps'"
mkdir -p "$work" || xh_die "cannot create $work"

PASSWORD='Xh-e2e-Secret-7'
FAILS='Kernel panic|Panic on CPU|\(XEN\) \*\*\*\*|Entering emergency mode|Dropping to debug shell|no multiboot header'
clean() { LC_ALL=C sed -e 's/\x1b\[[0-9;?=]*[ -/]*[@-~]//g' -e 's/\x1b[()][0-9A-Za-z]//g' -e 's/\r//g' "$1"; }
results=()

answerfile() { # NAME FW SR NETWORK-XML EXTRA DISK
	cat <<-EOF
	<?xml version="1.0" encoding="UTF-8"?>
	<installation mode="fresh" sr-type="$3">
	  <primary-disk>$6</primary-disk>
	  <root-password type="plaintext">$PASSWORD</root-password>
	  $4
	  <name-server>10.0.2.3</name-server>
	  <hostname>$1</hostname>
	  <timezone>Europe/Paris</timezone>
	  <firmware-mode>$2</firmware-mode>
	  $5
	</installation>
	EOF
}

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

# login DIR HOST: log in as root on the serial console; 0 at the shell prompt.
login() {
	local dir=$1 host=$2
	"$qemu" wait "$dir" "^$host login: *\$" 900 --fail "$FAILS" > /dev/null || return 1
	sleep 2; "$qemu" line "$dir" root
	"$qemu" wait "$dir" 'Password: *$' 60 --new > /dev/null || return 1
	"$qemu" line "$dir" "$PASSWORD"
	"$qemu" wait "$dir" "root@$host:~# *\$" 120 --new > /dev/null
}

scenario() { # NAME FW SR
	local name=$1 fw=$2 sr=$3 dir="$work/$1" boot="$work/$1-boot" out rc t_inst t_boot
	rm -rf "$dir" "$boot"; mkdir -p "$dir/www/scripts" "$dir/answer"
	local net extra disks=(--disk "$dir/disk.img:64G")
	if [ "$fw" = bios ]; then
		net='<admin-interface name="eth0" proto="static"><ip>10.0.2.15/24</ip><gateway>10.0.2.2</gateway></admin-interface>'
		extra='<ntp source="manual"/><ntp-server>10.0.2.2</ntp-server>'
	else
		net='<admin-interface name="eth0" proto="dhcp"/>'
		printf '#!/bin/sh\necho "installed by the e2e test" > "$1/etc/xenhost-e2e-populated"\n' > "$dir/www/scripts/populated.sh"
		extra='<script stage="filesystem-populated" type="url">http://10.0.2.100/scripts/populated.sh</script>
	  <report-url>http://10.0.2.100/report</report-url>'
	fi
	# BIOS names the disk; UEFI selects it by a filter (the answer disk is never a candidate)
	local disk=sda; [ "$fw" = uefi ] && disk='<match min-size="60GB"/>'
	answerfile "$name" "$fw" "$sr" "$net" "$extra" "$disk" > "$dir/answer/answerfile.xml"
	# The answer volume: a small ext4 disk labelled XENHOST-ANSWER, made without mounting.
	mkfs.ext4 -q -F -L XENHOST-ANSWER -d "$dir/answer" "$dir/answer.img" 16M ||
		{ fail "$name: answer volume" "mkfs.ext4 -d failed"; return; }
	disks+=(--disk "$dir/answer.img")

	# 1. install
	"$qemu" start "$dir" --firmware "$fw" --cdrom "$iso" "${disks[@]}" --http "$dir/www" --no-reboot \
		--timeout "$XH_E2E_TIMEOUT" || { fail "$name: start the VM" "see $dir/qemu.out"; return; }
	if ! menu_unattended "$dir" "$fw"; then
		"$qemu" stop "$dir"; fail "$name: boot menu" "no menu on the serial console: $(clean "$dir/serial.log" | tail -n 5)"; return
	fi
	out=$("$qemu" wait "$dir" "Xenhost $ver is installed on /dev/sd[a-z] in [0-9]+ s" "$XH_E2E_TIMEOUT" \
		--fail "$FAILS|installation FAILED|xenhost-installer: error" 2>&1); rc=$?
	t_inst=$(printf '%s' "$out" | sed -n 's/^matched after \([0-9.]*\) s.*/\1/p')
	# the installer reboots by itself (atexit reboot); -no-reboot makes that the VM's end
	[ $rc = 0 ] && "$qemu" wait "$dir" 'no such line' 120 > /dev/null 2>&1
	"$qemu" stop "$dir"
	clean "$dir/serial.log" > "$dir/serial.txt"
	check "$name: the unattended entry was chosen on the serial console" grep -aq 'answerfile=auto' "$dir/serial.txt"
	check "$name: the answer file came from the XENHOST-ANSWER volume" grep -aq 'unattended installation, answerfile=auto' "$dir/serial.txt"
	check "$name: every step's progress is on the serial console" grep -Eaq '^\[ ?[0-9]+/[0-9]+\] unpack the image \.\.\. [0-9.]+ s' "$dir/serial.txt"
	if [ $rc != 0 ]; then
		fail "$name: the installer completes" "$out; last lines: $(tail -n 15 "$dir/serial.txt" | cut -c1-200)"
		results+=("$(printf '%-18s INSTALL FAILED' "$name")"); return
	fi
	local inst_s; inst_s=$(sed -n "s/.*is installed on \/dev\/sd[a-z] in \([0-9]*\) s.*/\1/p" "$dir/serial.txt" | head -n 1)
	pass "$name: installed (installer ${inst_s} s; $t_inst s from power-on)"
	check "$name: the installer rebooted the machine (atexit reboot)" grep -aq 'Rebooting in 5 seconds' "$dir/serial.txt"
	if [ "$fw" = uefi ]; then
		check "$name: a success report reached the provisioning server" \
			jq -e --arg h "$name" '.result == "success" and .firmware == "uefi" and .hostname == $h' "$dir/posts/001.json"
		check "$name: the script was fetched over HTTP" grep -q '/scripts/populated.sh' "$dir/http-requests.jsonl"
	fi

	# 2. the installed host: the disk alone; under UEFI with the NVRAM the install left
	mkdir -p "$boot"
	[ "$fw" = uefi ] && cp "$dir/OVMF_VARS.fd" "$boot/OVMF_VARS.fd"
	"$qemu" start "$boot" --firmware "$fw" --boot-disk --disk "$dir/disk.img" --timeout 1500 ||
		{ fail "$name: start the installed host" "see $boot/qemu.out"; return; }
	if login "$boot" "$name"; then
		t_boot=$(awk -v a="$(cat "$boot/started")" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
		pass "$name: root logs in on the serial console with the answer file's password ($t_boot s after power-on)"
		"$qemu" line "$boot" 'echo E2E-BEGIN; hostname; xl info | grep -E "^(xen_version|nr_cpus|total_memory)"; findmnt -n -o FSTYPE,TARGET -T /srv/xenhost/storage/*/; ip -4 -o addr show dev xenbr0; xenhost-firstboot status; cat /etc/xenhost-e2e-populated 2>/dev/null; echo E2E-END'
		"$qemu" wait "$boot" '^E2E-END' 180 --new > /dev/null
		sleep 1
	else
		fail "$name: root logs in on the serial console" "last lines: $(clean "$boot/serial.log" | tail -n 15 | cut -c1-200)"
	fi
	"$qemu" stop "$boot"
	clean "$boot/serial.log" > "$boot/serial.txt"
	local res; res=$(sed -n '/^E2E-BEGIN/,/^E2E-END/p' "$boot/serial.txt" | tail -n +2)
	printf '%s\n' "$res" > "$boot/result.txt"
	check "$name: GRUB of the installed disk booted Xen" grep -Eaq '\(XEN\) Xen version 4\.17' "$boot/serial.txt"
	check "$name: the hostname is the answer file's" grep -aqx "$name" "$boot/result.txt"
	check "$name: 'xl info' works in dom0" grep -Eaq '^xen_version +: 4\.17' "$boot/result.txt"
	check "$name: the local storage is mounted with $sr" grep -Eaq "^$sr +/srv/xenhost/storage/" "$boot/result.txt"
	if [ "$fw" = bios ]; then
		check "$name: xenbr0 has the static address 10.0.2.15/24" grep -Eaq 'xenbr0 +inet 10\.0\.2\.15/24' "$boot/result.txt"
	else
		check "$name: xenbr0 has an address from DHCP" grep -Eaq 'xenbr0 +inet 10\.0\.2\.[0-9]+/24 .*dynamic' "$boot/result.txt"
		check "$name: the filesystem-populated script's file is on the host" grep -aq 'installed by the e2e test' "$boot/result.txt"
	fi
	check "$name: every first-boot unit is done" sh -c "for u in identity network storage xen hooks done; do grep -Eq \"^\$u +done \" '$boot/result.txt' || { echo \"\$u not done\"; exit 1; }; done"
	check "$name: the first-boot summary is on the serial console" grep -aq "Xenhost $ver is ready" "$boot/serial.txt"
	results+=("$(printf '%-18s installer %4s s, power-on to installed %6s s, installed host to login %5s s' "$name" "$inst_s" "$t_inst" "${t_boot:-?}")")
}

for s in $XH_E2E_INSTALL; do
	case $s in
	install-bios-ext4) scenario "$s" bios ext4 ;;
	install-uefi-xfs)  scenario "$s" uefi xfs ;;
	*) fail "scenario $s" "unknown (known: install-bios-ext4 install-uefi-xfs)" ;;
	esac
done
echo "    unattended installs in QEMU (software emulation):"
for r in "${results[@]}"; do echo "      $r"; done
exit 0
