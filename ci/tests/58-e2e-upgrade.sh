#!/usr/bin/env bash
# End to end: upgrade in place and restore, from the real ISO in QEMU (software emulation),
# on the host that 55-e2e-install installed (install-bios-ext4: first boot done, the
# test's SSH key), looked at as an operator would:
#   0. the second build, N+1: this tree in build/e2e/next/tree with VERSION raised by one
#      patch level (a commit of its own), built with the same cache: Xen and the kernel
#      come from the cache (their keys do not depend on VERSION), our own packages, the
#      image and the ISO are built again;
#   1. on the host (version N): change the hostname, add an address to the management
#      network, add a user's SSH key, write a guest disk image to the local storage and a
#      file to the logs;
#   2. boot N+1's ISO, its unattended entry with an upgrade answer file on a XENHOST-ANSWER
#      volume; the serial console shows the upgrade from N to N+1;
#   3. the upgraded host boots: same host UUID, hostname, addresses, SSH host key and
#      keys, the storage file byte-identical, the log kept, N+1 confirmed healthy (the
#      trial ends), N on the backup with a "previous version" entry;
#   4. restore from the same ISO; the host boots N again, same checks.
#   rollback (not in make check: 5 boots): N+1 never confirms a healthy boot (the
#   test-only switch); after 3 boots GRUB boots N from the backup by itself.
#   power-loss (not in make check: 3 upgrades cut short, 3 boots): QEMU killed during the
#   backup copy, the unpacking and GRUB's installation; each time the disk boots a
#   working version with the local storage intact.
# A boot of a disk that hangs under emulation (a silent console) is booted once more,
# with a NOTE line, except the rollback's trial boots, which GRUB counts
# (XH_E2E_BOOT_RETRY, ci/lib/e2e.sh).
# Times: the upgrade (installer), and the downtime from N's power-off to N+1's login prompt.
# XH_E2E_UPGRADE picks scenarios (default upgrade-restore). Logs in build/e2e/upgrade-*.
. "$(dirname "$0")/../lib/test.sh"
ver=$(xh_version)
iso="$XH_BUILD/xenhost-$ver-x86_64.iso"
qemu="$XH_TOP/ci/qemu"
work="$XH_BUILD/e2e"
FAILS="$XH_BOOT_FAILS|installation FAILED|xenhost-installer: error"
: "${XH_E2E_UPGRADE:=upgrade-restore}"
export XH_E2E_BOOT_RETRY=${XH_E2E_BOOT_RETRY:-1}
[ -f "$iso" ] || xh_die "no ISO $iso: run 'make iso'"
base="$work/install-bios-ext4/disk.img"
if [ ! -f "$base" ] || [ ! -f "$work/id_e2e" ] || ! grep -q 'runs: 6' "$work/install-bios-ext4-boot/result.txt" 2>/dev/null; then
	echo "SKIP: $T_SUITE: needs the host installed by 55-e2e-install (install-bios-ext4, first boot done): run it first"
	exit 0
fi
. "$XH_TOP/ci/lib/e2e.sh"
results=()
prev=$ver                                                     # N: what 55 installed
next=$(awk -F. -v OFS=. '{ $NF = $NF + 1; print }' <<<"$ver")   # N+1
nextiso=""
qprev=$(sed 's/\./\\./g' <<<"$prev"); qnext=$(sed 's/\./\\./g' <<<"$next")

# next_build: build N+1 once (see 0. above); sets nextiso. A tree with uncommitted changes
# goes into N+1 as they are, in one commit before VERSION's (platform packages whose own
# inputs are uncommitted are then built again: their timestamp is that commit's).
next_build() {
	[ -n "$nextiso" ] && return 0
	local d="$work/next" t="$work/next/tree" sde t0 f
	if [ "${XH_E2E_NEXT_REUSE:-0}" = 1 ] && [ -f "$t/build/xenhost-$next-x86_64.iso" ] && [ -f "$d/build.log" ]; then
		nextiso="$t/build/xenhost-$next-x86_64.iso"
		pass "N+1: the second build, VERSION $next, reused from build/e2e/next (XH_E2E_NEXT_REUSE=1; its tree and build log are there)"
		next_checks; return 0
	fi
	rm -rf "$d"; mkdir -p "$d"
	t0=$(date +%s)
	git clone -q "$XH_TOP" "$t" || { fail "N+1: clone of this tree" "git clone $XH_TOP failed"; return 1; }
	if [ -n "$(git -C "$XH_TOP" status --porcelain)" ]; then
		(cd "$t" && git ls-files -z | xargs -0 rm -f) &&
			(cd "$XH_TOP" && xh_input_files .) > "$d/files" &&
			tar -C "$XH_TOP" -cf - --files-from="$d/files" | tar -C "$t" -xf - &&
			(cd "$t" && git add -A && git -c user.name=xenhost-e2e -c user.email=e2e@xenhost.invalid commit -q -m "uncommitted changes of $XH_TOP") ||
			{ fail "N+1: the tree with its uncommitted changes" "copy or commit failed"; return 1; }
	fi
	sde=$(xh_source_date_epoch)
	echo "$next" > "$t/VERSION"
	(cd "$t" && git add VERSION && GIT_COMMITTER_DATE="@$((sde + 86400))" GIT_AUTHOR_DATE="@$((sde + 86400))" \
		git -c user.name=xenhost-e2e -c user.email=e2e@xenhost.invalid commit -q -m "Xenhost $next") ||
		{ fail "N+1: the VERSION commit" "git commit failed"; return 1; }
	if ! env -u XH_BUILD -u XH_TOP -u XH_CHECK_T0 -u SOURCE_DATE_EPOCH make -C "$t" iso > "$d/build.log" 2>&1; then
		fail "N+1: 'make iso' of the tree with VERSION $next" "$(tail -n 8 "$d/build.log")"; return 1
	fi
	nextiso="$t/build/xenhost-$next-x86_64.iso"
	pass "N+1: the second build, VERSION $next, made $(basename "$nextiso") in $(( $(date +%s) - t0 )) s"
	next_checks
}
next_checks() {
	local d="$work/next" t="$work/next/tree"
	# (our own packages are built for N+1 once: a later run on this machine finds them in the cache)
	check "N+1: ... reusing the Xen and kernel packages of N (cache hits), our own packages of version $next" sh -c \
		"grep -Eq '^==> rpm/xen +cache hit' '$d/build.log' && grep -Eq '^==> rpm/kernel +cache hit' '$d/build.log' && ls '$t'/build/repo/xenhost-release-$next-*.rpm '$t'/build/repo/xenhost-installer-$next-*.rpm > /dev/null"
	check "N+1: the ISOs of N and N+1 differ only where VERSION is (the Xen and kernel RPMs are the same bytes)" sh -c \
		"cmp -s \"\$(ls '$XH_BUILD'/repo/xen-hypervisor-[0-9]*.rpm)\" \"\$(ls '$t'/build/repo/xen-hypervisor-[0-9]*.rpm)\" && cmp -s \"\$(ls '$XH_BUILD'/repo/kernel-[0-9]*.rpm)\" \"\$(ls '$t'/build/repo/kernel-[0-9]*.rpm)\""
}

# iso_start DIR DISK ANSWERFILE-XML: start N+1's ISO on DISK and choose the unattended entry.
iso_start() {
	local dir=$1 disk=$2
	rm -rf "$dir"; mkdir -p "$dir/answer"
	printf '%s\n' "$3" > "$dir/answer/answerfile.xml"
	answer_volume "$dir" || { echo "mkfs.ext4 -d failed"; return 1; }
	"$qemu" start "$dir" --firmware bios --cdrom "$nextiso" --disk "$disk" --disk "$dir/answer.img" --no-reboot --timeout 2400 ||
		{ echo "QEMU did not start: $(tail -n 5 "$dir/qemu.out")"; return 1; }
	menu_unattended "$dir" bios || { "$qemu" stop "$dir"; echo "no boot menu"; return 1; }
}

# iso_run DIR DISK ANSWERFILE-XML SUCCESS-REGEX: N+1's ISO, its unattended entry with the
# answer file on an answer volume; waits for SUCCESS-REGEX; the installer's reboot ends QEMU.
iso_run() {
	local dir=$1 rc out
	iso_start "$@" || return 1
	out=$("$qemu" wait "$dir" "$4" 1800 --fail "$FAILS" 2>&1); rc=$?
	[ $rc = 0 ] && "$qemu" wait "$dir" 'no such line' 120 > /dev/null 2>&1
	"$qemu" stop "$dir"
	"$qemu" text "$dir" > "$dir/serial.txt"
	[ $rc = 0 ] || { echo "$out; last lines: $(tail -n 12 "$dir/serial.txt" | cut -c1-200)"; return 1; }
}

# What the checks read from a host, one KEY value per line.
FACTS='inv() { sed -n "s/^$1='"'"'\(.*\)'"'"'\$/\1/p" /etc/xenhost-inventory | tail -n 1; }
echo "version $(inv PRODUCT_VERSION)"; echo "previous $(inv PREVIOUS_VERSION)"; echo "uuid $(inv INSTALLATION_UUID)"
echo "hostname $(hostname)"; ip -4 -o addr show dev xenbr0 | awk "{ print \"addr\", \$4 }"
echo "hostkey $(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | cut -d" " -f2)"
grep -c ssh- /root/.ssh/authorized_keys | sed "s/^/keys /"; grep -q e2e-user@example /root/.ssh/authorized_keys && echo "userkey yes"
st=$(ls -d /srv/xenhost/storage/*/ | head -n 1); echo "storage $(sha256sum "$st/images/e2e-guest.img" | cut -c1-64)"
findmnt -n -o FSTYPE -T "$st" | sed "s/^/storagefs /"
cat /var/log/xh-e2e-mark 2>/dev/null | sed "s/^/logmark /"
xl info | sed -n "s/^xen_version *: */xen /p"
grep -o "menuentry .* --id previous" /boot/grub/grub.cfg | sed "s/^/grubprev /"
xenhost-upgrade status | sed "s/^/status /"
xenhost-firstboot status | grep -x "(first boot after an upgrade)" | sed "s/^/firstboot /"'

facts_ok() { # FILE KEY REGEX...: each "KEY REGEX" pair matches a line of FILE
	local f=$1; shift
	while [ $# -ge 2 ]; do
		grep -Eq "^$1 $2\$" "$f" || { echo "no line '$1 $2' in: $(tr '\n' '|' < "$f")"; return 1; }
		shift 2
	done
}

upgrade_restore() {
	local name=upgrade-restore d="$work/upgrade-restore"
	local disk="$d/disk.img" port; port=$(free_port)
	rm -rf "$d"; mkdir -p "$d"
	cp --sparse=always "$base" "$disk" || { fail "$name: copy of the installed disk" "cp failed"; return; }
	ssh-keygen -q -t ed25519 -N '' -C e2e-user@example -f "$d/user" || { fail "$name: user key" "ssh-keygen"; return; }

	# 1. version "$prev" in service, and the operator's changes
	if ! host_boot "$d/n" "$disk" "$port" > /dev/null; then
		fail "$name: the installed host boots" "$("$qemu" text "$d/n" | tail -n 8)"; "$qemu" stop "$d/n"; return
	fi
	on_host "$port" "set -e
		hostnamectl set-hostname xh-upgraded 2>/dev/null || { echo xh-upgraded > /etc/hostname; hostname xh-upgraded; }
		printf '\n[Address]\nAddress=10.0.2.16/24\n' >> /etc/systemd/network/30-xenbr0.network
		networkctl reload; sleep 3
		echo '$(cat "$d/user.pub")' >> /root/.ssh/authorized_keys
		st=\$(ls -d /srv/xenhost/storage/*/ | head -n 1); mkdir -p \$st/images
		dd if=/dev/urandom of=\$st/images/e2e-guest.img bs=1M count=32 status=none
		echo 'written by the e2e upgrade test' > /var/log/xh-e2e-mark
		sync" > "$d/changes.txt" 2>&1 || { fail "$name: the operator's changes over SSH" "$(tail -n 5 "$d/changes.txt")"; host_down "$d/n" "$port"; return; }
	on_host "$port" "$FACTS" > "$d/facts-n.txt" 2>&1
	check "$name: version $prev in service with the operator's changes" facts_ok "$d/facts-n.txt" \
		version "$qprev" hostname xh-upgraded addr '10\.0\.2\.16/24' userkey yes
	local uuid hostkey storage
	uuid=$(sed -n 's/^uuid //p' "$d/facts-n.txt"); hostkey=$(sed -n 's/^hostkey //p' "$d/facts-n.txt")
	storage=$(sed -n 's/^storage //p' "$d/facts-n.txt")
	host_down "$d/n" "$port" poweroff || fail "$name: version $prev powers off" "$("$qemu" text "$d/n" | tail -n 4)"
	local t_down; t_down=$(date +%s.%N)

	# 2. the upgrade from the ISO
	local up='<?xml version="1.0" encoding="UTF-8"?>
<installation mode="upgrade"><existing-installation>sda</existing-installation></installation>'
	if ! out=$(iso_run "$d/upgrade" "$disk" "$up" "Xenhost on /dev/sda is upgraded from $qprev to $qnext in [0-9]+ s"); then
		fail "$name: the upgrade completes" "$out"; return
	fi
	local t_up; t_up=$(sed -n "s/.*is upgraded from $qprev to $next in \([0-9]*\) s.*/\1/p" "$d/upgrade/serial.txt" | head -n 1)
	pass "$name: the upgrade completes (installer ${t_up} s)"
	check "$name: the console showed the installation found, and each step" sh -c \
		"grep -q 'version $prev, bios boot, host UUID $uuid, first boot completed' '$d/upgrade/serial.txt' && grep -Eq '^\[ ?[0-9]+/[0-9]+\] carry over the configuration of version $qprev' '$d/upgrade/serial.txt'"

	# 3. the upgraded host
	out=$(host_boot "$d/n1" "$disk" "$port"); local rc=$?
	local t_serve; t_serve=$(date +%s.%N)
	if [ $rc != 0 ]; then
		fail "$name: the upgraded host boots" "$out; $("$qemu" text "$d/n1" | tail -n 8)"; "$qemu" stop "$d/n1"; return
	fi
	on_host "$port" 'for i in $(seq 1 90); do xenhost-upgrade status | grep -q "confirmed healthy" && break; sleep 2; done'"; $FACTS" \
		> "$d/facts-n1.txt" 2>&1
	"$qemu" text "$d/n1" > "$d/n1/serial.txt"
	check "$name: the upgraded host runs $next, upgraded from $prev, with the same host UUID" facts_ok "$d/facts-n1.txt" \
		version "$qnext" previous "$qprev" uuid "$uuid"
	check "$name: hostname, management addresses, SSH host key and root's keys are kept" facts_ok "$d/facts-n1.txt" \
		hostname xh-upgraded addr '10\.0\.2\.15/24' addr '10\.0\.2\.16/24' hostkey "$(sed 's/[+/]/\\&/g' <<<"$hostkey")" userkey yes
	check "$name: the guest disk image on the local storage is byte-identical, the log kept" facts_ok "$d/facts-n1.txt" \
		storage "$storage" storagefs ext4 logmark 'written by the e2e upgrade test'
	check "$name: Xen runs ('xl info' answers)" facts_ok "$d/facts-n1.txt" xen '4\.17.*'
	check "$name: GRUB has $prev as the previous version" facts_ok "$d/facts-n1.txt" \
		grubprev "menuentry 'Xenhost $qprev \(previous version, on the backup partition\)' --id previous"
	check "$name: the new version confirmed a healthy boot (the trial ended)" grep -q '^status trial: *confirmed healthy' "$d/facts-n1.txt"
	check "$name: the first boot after the upgrade ran as an upgrade" grep -q '^firstboot (first boot after an upgrade)' "$d/facts-n1.txt"
	check "$name: the confirmation is on the serial console" \
		grep -aq "xenhost-upgrade: version $next confirmed healthy after the upgrade from $prev" "$d/n1/serial.txt"
	local downtime; downtime=$(awk -v a="$t_down" -v b="$t_serve" 'BEGIN { printf "%.0f", b - a }')
	host_down "$d/n1" "$port" poweroff || fail "$name: the upgraded host powers off" "$("$qemu" text "$d/n1" | tail -n 4)"

	# 4. restore
	local re='<?xml version="1.0" encoding="UTF-8"?>
<restore><backup-disk>sda</backup-disk></restore>'
	if ! out=$(iso_run "$d/restore" "$disk" "$re" "Xenhost $qprev is restored on /dev/sda from its backup in [0-9]+ s"); then
		fail "$name: the restore completes" "$out"; return
	fi
	local t_re; t_re=$(sed -n "s/.*is restored on \/dev\/sda from its backup in \([0-9]*\) s.*/\1/p" "$d/restore/serial.txt" | head -n 1)
	pass "$name: the restore completes (installer ${t_re} s)"
	if ! out=$(host_boot "$d/n2" "$disk" "$port"); then
		fail "$name: the restored host boots" "$out; $("$qemu" text "$d/n2" | tail -n 8)"; "$qemu" stop "$d/n2"; return
	fi
	on_host "$port" "$FACTS" > "$d/facts-n2.txt" 2>&1
	check "$name: the restored host runs $prev again, same host UUID, hostname, addresses, keys" facts_ok "$d/facts-n2.txt" \
		version "$qprev" uuid "$uuid" hostname xh-upgraded addr '10\.0\.2\.16/24' userkey yes \
		hostkey "$(sed 's/[+/]/\\&/g' <<<"$hostkey")"
	check "$name: the restored host's storage and log are intact, Xen runs" facts_ok "$d/facts-n2.txt" \
		storage "$storage" logmark 'written by the e2e upgrade test' xen '4\.17.*'
	check "$name: the restored host says it was never upgraded (it is the pre-upgrade root)" grep -q '^status last upgrade: *none' "$d/facts-n2.txt"
	host_down "$d/n2" "$port" poweroff > /dev/null 2>&1
	figure upgrade.installer "$t_up" s
	figure upgrade.downtime "$downtime" s
	figure upgrade.restore "$t_re" s
	results+=("$(printf '%-16s upgrade %4s s (installer), downtime %5s s (power-off of %s to the login prompt of %s), restore %4s s' \
		"$name" "$t_up" "$downtime" "$prev" "$next" "$t_re")")
}

# rollback: the new version never confirms a healthy boot (the test-only switch
# /etc/xenhost/TEST-fail-health-check, set on the host before the upgrade and carried over
# with /etc/xenhost/); GRUB counts its boots down and then boots $prev from the backup.
rollback() {
	local name=rollback d="$work/upgrade-rollback"
	local disk="$d/disk.img" port; port=$(free_port)
	rm -rf "$d"; mkdir -p "$d"
	cp --sparse=always "$base" "$disk" || { fail "$name: copy of the installed disk" "cp failed"; return; }
	if ! host_boot "$d/n" "$disk" "$port" > /dev/null; then
		fail "$name: the installed host boots" "$("$qemu" text "$d/n" | tail -n 8)"; "$qemu" stop "$d/n"; return
	fi
	on_host "$port" "touch /etc/xenhost/TEST-fail-health-check && sync" > /dev/null 2>&1 ||
		{ fail "$name: prepare the host" "SSH failed"; host_down "$d/n" "$port"; return; }
	host_down "$d/n" "$port" poweroff
	local up='<?xml version="1.0" encoding="UTF-8"?>
<installation mode="upgrade"><existing-installation>sda</existing-installation></installation>'
	if ! out=$(iso_run "$d/upgrade" "$disk" "$up" "Xenhost on /dev/sda is upgraded from $qprev to $qnext in [0-9]+ s"); then
		fail "$name: the upgrade completes" "$out"; return
	fi
	local i left
	for i in 1 2 3; do
		if ! out=$(XH_E2E_BOOT_RETRY=0 host_boot "$d/boot$i" "$disk" "$port"); then
			fail "$name: trial boot $i of $next" "$out; $("$qemu" text "$d/boot$i" | tail -n 8)"; "$qemu" stop "$d/boot$i"; return
		fi
		left=$((3 - i))
		"$qemu" wait "$d/boot$i" "version $next is NOT confirmed; $left boot\\(s\\) left" 300 > /dev/null
		check "$name: trial boot $i of $next is not confirmed, $left boot(s) left (on the serial console)" \
			sh -c "'$qemu' text '$d/boot$i' | grep -q 'health check failed: the test switch' && '$qemu' text '$d/boot$i' | grep -q 'NOT confirmed; $left boot(s) left'"
		host_down "$d/boot$i" "$port" reboot || { fail "$name: trial boot $i reboots" "$("$qemu" text "$d/boot$i" | tail -n 4)"; return; }
	done
	if ! out=$(host_boot "$d/back" "$disk" "$port"); then
		fail "$name: the host boots after the trial" "$out; $("$qemu" text "$d/back" | tail -n 8)"; "$qemu" stop "$d/back"; return
	fi
	on_host "$port" "$FACTS" > "$d/facts.txt" 2>&1
	check "$name: after 3 unconfirmed boots GRUB went back to $prev by itself, Xen runs" facts_ok "$d/facts.txt" \
		version "$qprev" xen '4\.17.*'
	check "$name: xenhost-upgrade status says it runs from the backup after a rollback" sh -c \
		"grep -q '^status running from: *the backup partition' '$d/facts.txt' && grep -q '^status rollback: *version $next on the root partition did not confirm a healthy boot within 3 boots' '$d/facts.txt'"
	host_down "$d/back" "$port" poweroff > /dev/null 2>&1
	results+=("$(printf '%-16s 3 unconfirmed boots of %s, then %s from the backup' "$name" "$next" "$prev")")
}

# storage_file DISK: a guest disk image (32 MiB of random bytes) written offline to the
# local storage of the installed DISK (its partition xh-storage*, on a loop device), as
# images/e2e-guest.img; prints its sha256.
storage_file() {
	local l p q m rc=0
	l=$(losetup -P -f --show "$1") || { echo "losetup $1 failed"; return 1; }
	udevadm settle 2>/dev/null
	[ -e "${l}p1" ] || partx -a "$l" 2>/dev/null   # (the partition nodes may not be there yet)
	for q in "$l"p*; do
		case $(blkid -p -o value -s PART_ENTRY_NAME "$q" 2>/dev/null) in xh-storage*) p=$q; break ;; esac
	done
	m=$(mktemp -d)
	if [ -n "${p:-}" ] && mount "$p" "$m"; then
		{ mkdir -p "$m/images" && head -c 32M /dev/urandom > "$m/images/e2e-guest.img" &&
			sha256sum "$m/images/e2e-guest.img" | cut -c1-64; } || rc=1
		umount "$m" || rc=1
	else
		echo "no local storage partition (xh-storage*) on $1"; rc=1
	fi
	rmdir "$m"; losetup -d "$l"
	return $rc
}

# power-loss: the QEMU process is killed (SIGKILL: a power cut) while N+1's installer
# upgrades N: during the backup copy, the unpacking of the new root, and GRUB's
# installation. After each cut the disk alone boots, by itself, a working version (N
# after the first two; N or N+1 after the third, whichever GRUB's configuration had when
# the power went), Xen runs, and the guest disk image on the local storage is
# byte-identical. Each cut starts from the installed disk of N.
power_loss() {
	local name=power-loss d="$work/upgrade-power-loss" port cut sre delay want dir out storage
	port=$(free_port)
	rm -rf "$d"; mkdir -p "$d"
	cp --sparse=always "$base" "$d/base.img" || { fail "$name: copy of the installed disk" "cp failed"; return; }
	storage=$(storage_file "$d/base.img") || { fail "$name: a file on the local storage of the disk" "$storage"; return; }
	local up='<?xml version="1.0" encoding="UTF-8"?>
<installation mode="upgrade"><existing-installation>sda</existing-installation></installation>'
	for cut in backup unpack grub; do
		case $cut in
		backup) sre='copy the root \(version'; delay=40; want="$qprev" ;;
		unpack) sre='unpack the image'; delay=40; want="$qprev" ;;
		grub)   sre='install GRUB: '; delay=15; want="($qprev|$qnext)" ;;
		esac
		dir="$d/$cut"
		cp --sparse=always "$d/base.img" "$d/$cut.img" || { fail "$name: copy of the disk" "cp failed"; return; }
		if ! out=$(iso_start "$dir" "$d/$cut.img" "$up"); then fail "$name: cut during $cut: start the upgrade" "$out"; continue; fi
		power_cut "$dir" "$sre" "$delay" "$name: cut during $cut" || continue
		if ! out=$(host_boot "$dir/after" "$d/$cut.img" "$port"); then
			fail "$name: cut during $cut: the disk boots by itself" "$out; $("$qemu" text "$dir/after" | tail -n 8)"; "$qemu" stop "$dir/after"; continue
		fi
		on_host "$port" "$FACTS" > "$dir/facts.txt" 2>&1
		check "$name: cut during $cut: the disk boots $(tr -d '\\' <<<"$want") by itself, Xen runs, the local storage's file is byte-identical" \
			facts_ok "$dir/facts.txt" version "$want" xen '4\.17.*' storage "$storage"
		host_down "$dir/after" "$port" poweroff > /dev/null 2>&1
		results+=("$(printf '%-16s cut during %-6s -> boots %s' "$name" "$cut" "$(sed -n 's/^version //p' "$dir/facts.txt")")")
	done
}

for s in $XH_E2E_UPGRADE; do
	budget_allows 3300 "$s" || continue   # upgrade-restore: N+1's build (about 10 min), five boots and two installer runs (about 45 min)
	[ -z "${next_failed:-}" ] || continue
	next_build || { next_failed=1; continue; }
	case $s in
	upgrade-restore) upgrade_restore ;;
	rollback) rollback ;;
	power-loss) power_loss ;;
	*) fail "scenario $s" "unknown (known: upgrade-restore rollback power-loss)" ;;
	esac
done
echo "    upgrade and restore in QEMU (software emulation):"
for r in "${results[@]}"; do echo "      $r"; done
hung=$(find "$work"/upgrade-* -maxdepth 2 -type d -name '*-stalled' 2> /dev/null | sed "s|$work/||")
[ -z "$hung" ] || echo "    VMs that hung under emulation and were booted once more: $(echo $hung)"
exit 0
