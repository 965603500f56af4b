#!/usr/bin/env bash
# The interactive installer, driven by keyboard through tmux (send-keys, capture-pane) at
# 80x24 with TERM=vt220, on loop-device disks (no VM; needs root), the real host image:
#  - quit: Ctrl-C on the disk screen, then Quit: exit 8, no disk touched;
#  - a full fresh install by keyboard: the welcome screen's host facts, the warning for a
#    disk that holds data, XFS storage, a static address, a time zone by region and
#    city, a password mismatch refused, the summary naming the disk it erases; Back
#    (F11) from the summary to the disk screen to choose another disk, forward again;
#    the erase confirmation, the progress screen, the completion screen; then on the
#    installed disk what was chosen (hostname, address, time zone, keymap, the password's
#    hash, XFS storage) and the first disk untouched;
#  - an upgrade from the screens: the installation just made (its first boot marked
#    complete) is offered on the action screen; summary, confirmation, progress, done;
#    the old root on the backup partition, the new root says it was upgraded;
#  - a partial answer file (<installation interactive="partial">) given to a plain
#    unattended run: with no terminal it exits 10 and writes nothing; at a terminal the
#    screens ask only what it leaves out (storage, NIC, network), and the host gets the
#    file's answers (disk, keymap, host name, time zone, NTP, password hash).
# Every screen is kept as text in build/ui-screens/ (docs/installer-screens.md).
. "$(dirname "$0")/../lib/test.sh"
. "$(dirname "$0")/../lib/loopdisk.sh"
O="$XH_BUILD/installer"
image=${XH_IMAGE:-$XH_BUILD/rootfs/rootfs.squashfs}
shots="$XH_BUILD/ui-screens"
if [ "$(id -u)" -ne 0 ] || ! command -v tmux > /dev/null; then
	echo "SKIP: $T_SUITE: needs root and tmux"; exit 0
fi
[ -f "$image" ] && [ -f "$image.sha256" ] || xh_die "no image $image (with .sha256): run 'make rootfs'"
loop_workdir xh-ui
S="xh-ui-$$"
loop_on_exit() { tmux kill-session -t "$S" 2> /dev/null; }
san_installer || exit 0
rm -rf "$shots"; mkdir -p "$shots"
: > "$tmp/cmdline"
PASSWORD='Xh-ui-Secret-1234'

# --- the harness
ui_start() { # NAME: the installer in a new tmux session; its exit status in $tmp/NAME.exit
	tmux kill-session -t "$S" 2> /dev/null
	rm -f "$tmp/$1.exit"
	tmux new-session -d -x 80 -y 24 -s "$S" \
		"env TERM=vt220 LANG=C.UTF-8 ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$tmp/asan UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$tmp/ubsan \
		$bin --interactive --disk-allow-loop --cmdline $tmp/cmdline --host-ram 16GiB --host-cpus 4 \
		--target-root $tmp/target --run-dir $tmp/run --image $image --log $tmp/$1.log; echo \$? > $tmp/$1.exit; sleep 3600"
}
screen() { tmux capture-pane -p -t "$S"; }
# the screen as one line: box drawing removed, blanks squeezed (text wrapped in a
# window reads as it would on one line)
flat() { screen | sed 's/[│┌┐└┘─┤├▒▮↑↓]/ /g' | tr -s ' \n' '  '; }
# wait_for REGEX [SECONDS]: until the screen shows REGEX (else the screen, and 1)
wait_for() {
	local i
	for i in $(seq 1 $(( ${2:-20} * 4 ))); do
		flat | grep -Eq -- "$1" && { sleep 0.3; return 0; }
		sleep 0.25
	done
	echo "the screen never showed /$1/; it shows:"; screen | sed 's/^/    | /'
	return 1
}
key() { tmux send-keys -t "$S" "$@"; sleep 0.4; }
text() { tmux send-keys -t "$S" -l "$1"; sleep 0.4; }
down() { local i; for i in $(seq 1 "$1"); do tmux send-keys -t "$S" Down; done; sleep 0.4; }
up() { tmux send-keys -t "$S" $(printf "Up %.0s" $(seq 1 "$1")); sleep 0.4; }
PROBE_MAX_DISKS=64 # installer/src/probe.h: Up this often reaches the top of any disk list
shot() { screen > "$shots/$1.txt"; }
exit_status() { # NAME SECONDS: the installer's exit status, when it ends
	local i
	for i in $(seq 1 $(( $2 * 2 ))); do [ -s "$tmp/$1.exit" ] && { cat "$tmp/$1.exit"; return 0; }; sleep 0.5; done
	echo "still running"
}
# the row of the list on screen (0 = its first line) that holds WORD, in a list whose
# first line holds FIRST
row_of() { screen | awk -v w="$1" -v f="$2" '$0 ~ f && !s { s = NR } s && index($0, " " w " ") { print NR - s; exit }'; }

# --- the disks: one holding an old partition and filesystem, two empty ones
for d in old second; do truncate -s 64G "$tmp/$d.img" || { fail "sparse disk files" "truncate"; exit 0; }; done
printf 'label: gpt\n,1G,L\n' | sfdisk -q "$tmp/old.img" > /dev/null 2>&1
attach "$tmp/old.img" old && attach "$tmp/second.img" second || { fail "loop devices" "losetup -P -f failed"; exit 0; }
mkfs.ext4 -q -L OLDFS "${old}p1" > /dev/null 2>&1
# (flush every partition's buffers: the fingerprints read the backing files)
settle_all() { local d; for d in "$old" "$old"p* "$second" "$second"p*; do [ -b "$d" ] && { blkid -p "$d" > /dev/null 2>&1; blockdev --flushbufs "$d"; }; done; sync; }
settle_all
O1=${old#/dev/} O2=${second#/dev/}
fp_old=$(fingerprint "$tmp/old.img"); fp_second=$(fingerprint "$tmp/second.img")

# --- quit at the disk screen: nothing written
ui_start quit
quit_flow() {
	wait_for 'keyboard layout' && key Enter && wait_for 'installs a Xen virtualization host' && key F12 &&
		wait_for 'What to do' && key Enter && wait_for 'System disk' && key C-c &&
		wait_for 'Quit without installing' && shot 90-quit && key Tab && key Enter
}
check "quit: Ctrl-C on the disk screen asks, Quit leaves" quit_flow
check "quit: exit status 8 (the operator quit)" test "$(exit_status quit 20)" = 8
settle_all
check "quit: both disks untouched" test "$(fingerprint "$tmp/old.img")" = "$fp_old" -a "$(fingerprint "$tmp/second.img")" = "$fp_second"

# --- a full install by keyboard
ui_start install
step_keyboard() { wait_for 'keyboard layout' && shot 01-keyboard && key Down && key Enter; }
step_welcome() {
	wait_for 'installs a Xen virtualization host' && shot 02-welcome &&
		screen | tr -s ' \n' ' ' | grep -Eq '(BIOS|UEFI) firmware, 16 GiB of memory, 4 CPUs' && key F12
}
step_action() { wait_for 'What to do' && shot 03-action && screen | grep -q 'Install Xenhost' && key Enter; }
pick_disk() { # NAME: choose disk NAME in the list (from its top: the list keeps the disk chosen before)
	wait_for 'System disk' && up "$PROBE_MAX_DISKS" && local r && r=$(row_of "$1" '│ ┌') && [ -n "$r" ] &&
		{ [ "$r" -le 1 ] || down $(( r - 1 )); }
}
step_disk() {
	pick_disk "$O1" && wait_for "WARNING: holds 1 partition" && shot 04-disk && key Enter &&
		wait_for 'This disk holds data' && shot 05-disk-in-use && key Enter
}
step_storage() {
	wait_for 'Local storage for guests' && key Tab && key Tab && key Space && shot 06-storage && key F12
}
step_nic() {
	wait_for 'Management network interface|No network interface' || return 1
	if screen | grep -q 'No network interface'; then key Enter; no_nic=1; return 0; fi
	shot 07-nic && key Enter
}
step_network() {
	[ -n "${no_nic:-}" ] && return 0
	wait_for 'IP address/prefix' && key Tab && key Space && key Tab && text 192.0.2.10/24 && key Tab && key Tab &&
		text 192.0.2.1 && key Tab && text 192.0.2.53 && shot 08-network && key F12
}
step_hostname() { wait_for 'Host name \(empty' && text xh-ui.example.com && shot 09-hostname && key F12; }
step_timezone() {
	local nr nc
	nr=$(find -L /usr/share/zoneinfo -mindepth 1 -maxdepth 1 -type d -name '[A-Z]*' -printf '%f\n' | LC_ALL=C sort | grep -nx Europe | cut -d: -f1)
	nc=$(find -L /usr/share/zoneinfo/Europe -mindepth 1 -maxdepth 1 -type f -name '[A-Z]*' -printf '%f\n' | LC_ALL=C sort | grep -nx Paris | cut -d: -f1)
	wait_for 'region of the host' && shot 10-timezone && down "$nr" && key Enter &&
		wait_for 'The city' && down $(( nc - 1 )) && shot 11-city && key Enter
}
step_ntp() { wait_for 'Time synchronisation' && shot 12-ntp && key F12; }
step_password() {
	wait_for 'Root password' && text "$PASSWORD" && key Tab && text "${PASSWORD}0" && key F12 &&
		wait_for 'two passwords differ' && shot 13-password-mismatch && key Enter &&
		text "$PASSWORD" && key Tab && text "$PASSWORD" && key Tab && key Space && shot 14-password &&
		flat | grep -q '\[\*\] Allow root to log in over SSH with this password' && key F12
}
check "install: keyboard (uk)" step_keyboard
check "install: the welcome screen shows the firmware, memory and CPUs" step_welcome
check "install: the action screen offers the install" step_action
check "install: the disk holding data is marked and must be confirmed" step_disk
check "install: local storage on the rest of the disk, XFS" step_storage
check "install: the management NIC" step_nic
check "install: a static address, gateway and DNS" step_network
check "install: the host name" step_hostname
check "install: the time zone by region and city (Europe/Paris)" step_timezone
check "install: NTP" step_ntp
check "install: a password typed differently twice is refused, then accepted; SSH login with it allowed" step_password
summary_1() { wait_for 'Summary: nothing has been written' && screen | grep -q "/dev/$O1" && screen | grep -q 'ERASED'; }
check "install: the summary names the disk it erases ($O1)" summary_1
shot 15-summary
# back from the summary to the disk screen (F11 on every screen), another disk, forward
back_to_disk() {
	local i
	for i in $(seq 1 12); do
		screen | grep -q 'System disk' && return 0
		key F11; sleep 0.5
	done
	screen | grep -q 'System disk'
}
forward_again() {
	pick_disk "$O2" && wait_for 'Empty: no partitions' && key Enter &&
		wait_for 'Local storage for guests' && key F12 && step_nic && { [ -n "${no_nic:-}" ] || { wait_for 'IP address/prefix' && key F12; }; } &&
		wait_for 'Host name \(empty' && key F12 && wait_for 'region of the host' && key Enter && wait_for 'The city' && key Enter &&
		wait_for 'Time synchronisation' && key F12 && wait_for 'Root password' && text "$PASSWORD" && key Tab && text "$PASSWORD" && key F12 &&
		wait_for 'Summary: nothing has been written'
}
check "install: Back (F11) from the summary walks back to the disk screen" back_to_disk
check "install: another disk ($O2), forward again with the answers kept" forward_again
summary_2() { screen | grep -q "/dev/$O2" && ! screen | grep -q "/dev/$O1" && screen | grep -q 'xh-ui.example.com' && screen | grep -q 'Europe/Paris'; }
check "install: the summary now names $O2, not $O1, and keeps the answers" summary_2
confirm() {
	key Tab && key Enter && wait_for 'Erase the disks' && shot 16-confirm && screen | grep -q "/dev/$O2" && key Tab && key Enter
}
check "install: the erase confirmation names the disk; confirmed" confirm
check "install: the progress screen shows the steps" wait_for '\[ ?[0-9]+/[0-9]+\] ' 60
shot 17-progress
check "install: the completion screen says it is installed on /dev/$O2" wait_for "is installed on /dev/$O2" 900
shot 18-done
key Tab; key Enter   # Shell (not Reboot)
check "install: exit status 0" test "$(exit_status install 60)" = 0
check "install: no sanitizer reports" sh -c "! ls $tmp/asan.* $tmp/ubsan.* 2> /dev/null"

# --- what was installed
partx -u "$second" 2> /dev/null
settle_all
root_dev=""; sr_dev=""
for p in "$second"p*; do
	case $(blkid -p -o value -s PART_ENTRY_NAME "$p" 2> /dev/null) in
	xh-root-*) root_dev=$p ;;
	xh-storage*) sr_dev=$p ;;
	esac
done
mkdir -p "$tmp/mnt"
if [ -n "$root_dev" ] && mount -o ro,noload "$root_dev" "$tmp/mnt" 2> /dev/null || mount -o ro "$root_dev" "$tmp/mnt"; then
	m="$tmp/mnt"
	check "installed: the host name" grep -qx 'xh-ui.example.com\|xh-ui' "$m/etc/hostname"
	check "installed: the time zone Europe/Paris" sh -c "readlink '$m/etc/localtime' | grep -q 'Europe/Paris\$'"
	check "installed: the keymap uk" grep -rqs 'uk' "$m/etc/vconsole.conf" "$m/etc/default/keyboard"
	check "installed: the root password's SHA-512 hash verifies" python3 -c '
import crypt, sys
h = [l.split(":")[1] for l in open(sys.argv[1]) if l.startswith("root:")][0]
sys.exit(not (h.startswith("$6$") and crypt.crypt(sys.argv[2], h) == h))' "$m/etc/shadow" "$PASSWORD"
	check "installed: root may log in over SSH with the password, as ticked (sshd_config.d/40-xenhost-root-password.conf)" \
		grep -qx 'PermitRootLogin yes' "$m/etc/ssh/sshd_config.d/40-xenhost-root-password.conf"
	if [ -z "${no_nic:-}" ]; then
		check "installed: the static address and gateway on xenbr0" sh -c \
			"grep -rqs 'Address=192.0.2.10/24' '$m/etc/systemd/network/' && grep -rqs 'Gateway=192.0.2.1' '$m/etc/systemd/network/'"
	fi
	umount "$m"
else
	fail "installed: the root partition (xh-root-*) on $second mounts" "no root partition: $(lsblk -o NAME,PARTLABEL,FSTYPE "$second" 2>&1 | tr '\n' ' ')"
fi
check "installed: the local storage is XFS" test "$(blkid -p -o value -s TYPE "$sr_dev" 2> /dev/null)" = xfs
check "installed: the first disk ($O1), left for the second, is untouched" test "$(fingerprint "$tmp/old.img")" = "$fp_old"

# --- an upgrade from the screens: the installation on $O2 is found and offered
# (its first boot is marked complete, as a host that ran would have it)
if [ -n "$root_dev" ] && mount "$root_dev" "$tmp/mnt"; then
	mkdir -p "$tmp/mnt/var/lib/xenhost/firstboot"
	for u in identity network storage xen hooks done; do echo 2026-01-01T00:00:00Z > "$tmp/mnt/var/lib/xenhost/firstboot/$u.done"; done
	umount "$tmp/mnt"
fi
settle_all
ui_start upgrade
upgrade_flow() {
	wait_for 'keyboard layout' && key Enter && wait_for 'installs a Xen virtualization host' && key F12 &&
		wait_for "Upgrade Xenhost $(xh_version) on $O2 to $(xh_version) \\(keeps its settings\\)" && shot 20-action-upgrade &&
		text u && key Enter && wait_for "Upgrade Xenhost $(xh_version) on /dev/$O2" && shot 21-upgrade-summary &&
		key Tab && key Enter && wait_for 'Upgrade the installation now' && key Tab && key Enter &&
		wait_for "is upgraded from $(xh_version) to $(xh_version)" 900 && shot 22-upgrade-done && key Tab && key Enter
}
# ("u" picks the entry: newt's list moves to the next entry starting with the letter
# typed; the serial test in QEMU uses it, an arrow key's escape sequence can arrive split)
check "upgrade: the action screen offers the installation found on $O2 ('u' selects it); summary, confirmation, progress, done" upgrade_flow
check "upgrade: exit status 0" test "$(exit_status upgrade 60)" = 0
settle_all
partx -u "$second" 2> /dev/null
bk_dev=""
for p in "$second"p*; do
	case $(blkid -p -o value -s PART_ENTRY_NAME "$p" 2> /dev/null) in xh-backup-*) bk_dev=$p ;; esac
done
if [ -n "$bk_dev" ] && mount -o ro,noload "$bk_dev" "$tmp/mnt" 2> /dev/null; then
	check "upgrade: the old root is on the backup partition, marked as the backup of $(xh_version)" \
		grep -q "BACKUP_OF_VERSION='$(xh_version)'" "$tmp/mnt/.xenhost-backup"
	umount "$tmp/mnt"
else
	fail "upgrade: the backup partition (xh-backup-*) mounts" "$(lsblk -o NAME,PARTLABEL,FSTYPE "$second" 2>&1 | tr '\n' ' ')"
fi
if [ -n "$root_dev" ] && mount -o ro,noload "$root_dev" "$tmp/mnt" 2> /dev/null; then
	check "upgrade: the new root keeps the host name and says it was upgraded from $(xh_version)" sh -c \
		"grep -qx 'xh-ui.example.com\|xh-ui' '$tmp/mnt/etc/hostname' && grep -qx \"PREVIOUS_VERSION='$(xh_version)'\" '$tmp/mnt/etc/xenhost-inventory'"
	umount "$tmp/mnt"
fi
check "upgrade: no sanitizer reports" sh -c "! ls $tmp/asan.* $tmp/ubsan.* 2> /dev/null"

# --- a partial answer file: the screens ask only the rest
HASH='$6$xenhostsalt$S77ZY/KcU7Upy34xHoCDTJzGhoh9XR/d2cNh82xPrQAbE0iAEazgr.QGBXTX7Muuvysvg40WlAWfnvIJB037l/'
cat > "$tmp/partial.xml" <<EOF
<?xml version="1.0"?>
<installation interactive="partial" mode="fresh">
  <primary-disk>$O1</primary-disk>
  <keymap>de</keymap>
  <hostname>xh-partial</hostname>
  <timezone>Asia/Tokyo</timezone>
  <ntp source="none"/>
  <root-password type="hash">$HASH</root-password>
</installation>
EOF
settle_all
fp_old=$(fingerprint "$tmp/old.img")
check "partial: --check calls it a valid partial answer file" sh -c \
	"'$bin' --check '$tmp/partial.xml' 2>&1 | grep -q 'valid partial (interactive=\"partial\") answer file (mode fresh)'"
no_terminal() {
	"$bin" --answerfile "$tmp/partial.xml" --disk-allow-loop --cmdline "$tmp/cmdline" --host-ram 16GiB --host-cpus 4 \
		--target-root "$tmp/target" --run-dir "$tmp/run" --image "$image" --log "$tmp/partial-noterm.log" \
		< /dev/null > "$tmp/out" 2>&1
	local rc=$?
	[ "$rc" = 10 ] && grep -q 'no terminal to ask the rest on; nothing was written' "$tmp/out" || { echo "exit $rc"; cat "$tmp/out"; return 1; }
}
check "partial: without a terminal the unattended run exits 10, saying why" no_terminal
settle_all
check "partial: ... and writes nothing" test "$(fingerprint "$tmp/old.img")" = "$fp_old"
# at a terminal the same command (no --interactive) goes on to the screens
tmux kill-session -t "$S" 2> /dev/null
rm -f "$tmp/partial.exit"
tmux new-session -d -x 80 -y 24 -s "$S" \
	"env TERM=vt220 LANG=C.UTF-8 ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$tmp/asan UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$tmp/ubsan \
	$bin --answerfile $tmp/partial.xml --disk-allow-loop --cmdline $tmp/cmdline --host-ram 16GiB --host-cpus 4 \
	--target-root $tmp/target --run-dir $tmp/run --image $image --log $tmp/partial.log; echo \$? > $tmp/partial.exit; sleep 3600"
# welcome (no keyboard screen), then storage (no action or disk screen), NIC, network,
# then the summary (no host name, time zone, NTP or password screen)
partial_flow() {
	wait_for 'installs a Xen virtualization host' && ! flat | grep -q 'keyboard layout' && key F12 &&
		wait_for 'Local storage for guests' && shot 30-partial-storage && key F12 &&
		step_nic && { [ -n "${no_nic:-}" ] || { wait_for 'IP address/prefix' && key F12; }; } &&
		wait_for 'Summary: nothing has been written' && shot 31-partial-summary &&
		screen | grep -q "/dev/$O1" && screen | grep -q 'ERASED' && flat | grep -q 'xh-partial' && flat | grep -q 'Asia/Tokyo' &&
		key Tab && key Enter && wait_for 'Erase the disks' && key Tab && key Enter &&
		wait_for "is installed on /dev/$O1" 900 && key Tab && key Enter
}
check "partial: only the storage, NIC and network screens are asked; the summary has the file's disk, host name and time zone" partial_flow
check "partial: exit status 0" test "$(exit_status partial 60)" = 0
partx -u "$old" 2> /dev/null
settle_all
p_root=""
for p in "$old"p*; do
	case $(blkid -p -o value -s PART_ENTRY_NAME "$p" 2> /dev/null) in xh-root-*) p_root=$p ;; esac
done
if [ -n "$p_root" ] && mount -o ro,noload "$p_root" "$tmp/mnt" 2> /dev/null; then
	m="$tmp/mnt"
	check "partial: installed with the file's host name, time zone, keymap, and no NTP server" sh -c \
		"grep -qx xh-partial '$m/etc/hostname' && readlink '$m/etc/localtime' | grep -q 'Asia/Tokyo\$' && grep -qx 'KEYMAP=de' '$m/etc/vconsole.conf' &&
		 ! grep -qs '^server\|^pool' '$m/etc/chrony/sources.d/xenhost.sources'"
	check "partial: root's password is the file's hash; SSH by key only (not asked, not allowed)" sh -c \
		"awk -F: '\$1 == \"root\" { print \$2 }' '$m/etc/shadow' | grep -qxF '$HASH' && [ ! -e '$m/etc/ssh/sshd_config.d/40-xenhost-root-password.conf' ]"
	umount "$m"
else
	fail "partial: the root partition (xh-root-*) on $old mounts" "$(lsblk -o NAME,PARTLABEL,FSTYPE "$old" 2>&1 | tr '\n' ' ')"
fi
check "partial: no sanitizer reports" sh -c "! ls $tmp/asan.* $tmp/ubsan.* 2> /dev/null"
echo "    screens: $shots/"
exit 0
