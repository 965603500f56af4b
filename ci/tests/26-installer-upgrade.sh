#!/usr/bin/env bash
# Upgrade and restore on loop devices (no VM; needs root and the real host image):
#  - install the real image (BIOS, ext4, static network), then play the host's life:
#    its first boot done (stamps, SSH host keys, machine-id), the operator's changes
#    (hostname, network, root's SSH key, Xen options, a preserve.d list), files on the
#    local storage and in the logs; the installed version is made to read 0.0.9;
#  - refusals, each with its message and the disk file unchanged: first boot never
#    completed, a newer installation without force, a disk without an installation,
#    a restore with no backup;
#  - the upgrade (0.0.9 -> this version, booted in UEFI mode where the install was BIOS:
#    GRUB for both is installed either way): the backup holds the old root with its
#    marker; the new root is the image with the preserved set carried over and nothing
#    else; host UUID, root filesystem UUID, SSH host keys, password hash unchanged; the
#    local storage and logs untouched; GRUB: the new version on trial, the previous one
#    as an entry; the first boot marked as an upgrade, its network/xen/done units to redo;
#  - the restore: the old root is back (0.0.9, the file the upgrade dropped), GRUB boots
#    it without a trial; the storage still untouched.
# XH_IMAGE=PATH installs another image (with PATH.sha256) instead of build/rootfs's.
. "$(dirname "$0")/../lib/test.sh"
. "$(dirname "$0")/../lib/loopdisk.sh"
O="$XH_BUILD/installer"
image=${XH_IMAGE:-$XH_BUILD/rootfs/rootfs.squashfs}
skip() { echo "SKIP: $T_SUITE: $1"; }
if [ "$(id -u)" -ne 0 ] || ! command -v losetup >/dev/null; then skip "needs root and losetup"; exit 0; fi
if [ ! -f "$image" ] || [ ! -f "$image.sha256" ]; then skip "$image (and .sha256) does not exist; build it with 'make rootfs'"; exit 0; fi
ver=$(tr -d ' \n' < "$XH_TOP/VERSION")

loop_workdir xh-upg
san_installer || exit 0

settle() { local d; for d in "$loop" "$loop"p*; do [ -b "$d" ] && blockdev --flushbufs "$d"; done; sync; }
run() {
	"$bin" --disk-allow-loop --cmdline "$tmp/cmdline" --host-ram 16GiB --host-cpus 4 \
		--target-root "$tmp/target" --run-dir "$tmp/run" --image "$image" "$@"
}
: > "$tmp/cmdline"
mnt="$tmp/mnt"; mkdir -p "$mnt"
rw() { mount "$1" "$mnt" || return 1; }       # DEV: mounted read-write on $mnt
ro() { mount -o ro "$1" "$mnt" || return 1; } # DEV: read-only
un() { umount "$mnt"; }
inv() { sed -n "s/^$1='\(.*\)'\$/\1/p" "$mnt/etc/xenhost-inventory" | tail -n 1; }

truncate -s 64G "$tmp/disk.img" && truncate -s 20G "$tmp/other.img" || { fail "sparse disk files" "truncate failed"; exit 0; }
attach "$tmp/disk.img" loop && attach "$tmp/other.img" other || { fail "loop devices" "losetup failed"; exit 0; }
L=${loop#/dev/} OTHER=${other#/dev/}
printf 'label: gpt\n,1G,L\n' | sfdisk -q "$other" >/dev/null 2>&1; partx -u "$other" 2>/dev/null

# --- version N: a fresh install
cat > "$tmp/fresh.xml" <<EOF2
<?xml version="1.0" encoding="UTF-8"?>
<installation mode="fresh" sr-type="ext4">
  <primary-disk>$L</primary-disk>
  <root-password type="plaintext">Xh-upgrade-Secret-7</root-password>
  <admin-interface name="eth0" proto="static"><ip>192.0.2.20/24</ip><gateway>192.0.2.1</gateway></admin-interface>
  <hostname>xh-before</hostname>
  <timezone>Europe/Paris</timezone>
  <firmware-mode>bios</firmware-mode>
</installation>
EOF2
if ! out=$(run --answerfile "$tmp/fresh.xml" --log "$tmp/fresh.log" 2>&1); then
	fail "version N installs" "$(printf '%s' "$out" | tail -n 20)"; exit 0
fi
pass "version N installs"
[ -e "${loop}p7" ] || partx -u "$loop" 2>/dev/null
R=${loop}p1 B=${loop}p2 S=${loop}p3 LOGS=${loop}p5

# --- refusal: the first boot never completed
cat > "$tmp/upgrade.xml" <<EOF2
<?xml version="1.0" encoding="UTF-8"?>
<installation mode="upgrade">
  <existing-installation>$L</existing-installation>
  <firmware-mode>uefi</firmware-mode>
</installation>
EOF2
settle; before=$(fingerprint "$tmp/disk.img")
expect_fail "an installation whose first boot never completed is not upgraded (exit 4), saying why" \
	"never completed its first boot .*boot it once until it says it is ready" run --answerfile "$tmp/upgrade.xml" --log "$tmp/r1.log"

# --- the host's life: first boot, the operator's changes, data
rw "$R" || { fail "mount the installed root" "$R"; exit 0; }
mkdir -p "$mnt/var/lib/xenhost/firstboot" "$mnt/root/.ssh" "$mnt/etc/xenhost/preserve.d" "$mnt/opt/operator"
for u in identity network storage xen hooks done; do echo 2026-01-01T00:00:00Z > "$mnt/var/lib/xenhost/firstboot/$u.done"; done
ssh-keygen -q -A -f "$mnt" > /dev/null 2>&1 && echo 0123456789abcdef0123456789abcdef > "$mnt/etc/machine-id"
echo xh-after > "$mnt/etc/hostname"
echo '# changed by the operator' >> "$(ls "$mnt"/etc/systemd/network/*.network | head -n 1)"
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmOperatorKeyOperatorKeyOperatorKey00 operator@example' > "$mnt/root/.ssh/authorized_keys"
printf '# the operator'"'"'s tools\n/opt/operator/\n\n/etc/xh-site.conf\n' > "$mnt/etc/xenhost/preserve.d/site.list"
echo 'site=1' > "$mnt/etc/xh-site.conf"; echo tool > "$mnt/opt/operator/tool"
echo 'not preserved' > "$mnt/root/scratch"
# an operator's own account: a user in the adm group, with a password and a home
useradd -R "$mnt" -m -u 1000 -G adm -s /bin/bash alice && echo 'alice:Alice-Secret-1' | chpasswd -R "$mnt" &&
	echo 'alice was here' > "$mnt/home/alice/notes" && chown 1000:1000 "$mnt/home/alice/notes" ||
	fail "an operator's account on the installed root" "useradd or chpasswd failed"
alice_before=$(grep -h '^alice:' "$mnt/etc/passwd" "$mnt/etc/shadow" "$mnt/etc/group" | sha256sum)
sed -i "s/^PRODUCT_VERSION=.*/PRODUCT_VERSION='0.0.9'/" "$mnt/etc/xenhost-inventory"
echo "XEN_CMDLINE_EXTRA='sched=credit2'" >> "$mnt/etc/xenhost-inventory"
host_uuid=$(inv INSTALLATION_UUID)
keys_before=$(cat "$mnt"/etc/ssh/ssh_host_*_key | sha256sum)
hash_before=$(awk -F: '$1 == "root" { print $2 }' "$mnt/etc/shadow")
un
root_fs_uuid=$(blkid -s UUID -o value "$R")
rw "$S" && dd if=/dev/urandom of="$mnt/guest.img" bs=1M count=8 status=none && mkdir -p "$mnt/iso" && echo iso > "$mnt/iso/a.iso" &&
	(cd "$mnt" && find . -type f | sort | xargs sha256sum) > "$tmp/storage.sha" && un
rw "$LOGS" && echo 'kept' > "$mnt/operator.log" && un

# --- refusals that change nothing
settle; before=$(fingerprint "$tmp/disk.img")
rw "$R" && sed -i "s/^PRODUCT_VERSION=.*/PRODUCT_VERSION='99.0'/" "$mnt/etc/xenhost-inventory" && un
settle; before=$(fingerprint "$tmp/disk.img")
expect_fail "a newer installation is not downgraded without force (exit 4), showing both versions and force" \
	"is version 99\.0, newer than this installer's $ver.*force=\"true\"" run --answerfile "$tmp/upgrade.xml" --log "$tmp/r2.log"
settle; check "... the disk is unchanged" test "$(fingerprint "$tmp/disk.img")" = "$before"
rw "$R" && sed -i "s/^PRODUCT_VERSION=.*/PRODUCT_VERSION='0.0.9'/" "$mnt/etc/xenhost-inventory" && un
rw "$R" && echo '/etc/../shadow' > "$mnt/etc/xenhost/preserve.d/zz-bad.list" && un
settle; before=$(fingerprint "$tmp/disk.img")
expect_fail "a preserve.d list with a path outside / is refused before anything is written" \
	"preserve.d/zz-bad.list:1 is not a path under /" run --answerfile "$tmp/upgrade.xml" --log "$tmp/r5.log"
settle; check "... the disk is unchanged" test "$(fingerprint "$tmp/disk.img")" = "$before"
rw "$R" && rm "$mnt/etc/xenhost/preserve.d/zz-bad.list" && un
sed "s|<existing-installation>$L<|<existing-installation>$OTHER<|" "$tmp/upgrade.xml" > "$tmp/upgrade-other.xml"
expect_fail "a disk without an installation is refused (exit 4)" "there is no Xenhost installation on /dev/$OTHER .*nothing was written" \
	run --answerfile "$tmp/upgrade-other.xml" --log "$tmp/r3.log"
printf '<?xml version="1.0"?>\n<restore><backup-disk>%s</backup-disk></restore>\n' "$L" > "$tmp/restore.xml"
settle; before=$(fingerprint "$tmp/disk.img")
expect_fail "a restore without a backup is refused (exit 4)" "there is no backup to restore on /dev/$L" \
	run --answerfile "$tmp/restore.xml" --log "$tmp/r4.log"
settle; check "... the disk is unchanged by the refusals" test "$(fingerprint "$tmp/disk.img")" = "$before"
check "--dry-run of the upgrade shows the installation and that it can be upgraded" sh -c \
	"'$bin' --disk-allow-loop --cmdline '$tmp/cmdline' --run-dir '$tmp/run' --target-root '$tmp/target' --answerfile '$tmp/upgrade.xml' --dry-run | grep -Eq 'can be upgraded from 0\.0\.9 to $ver'"

# --- power loss during the upgrade: the installer and its programs killed (SIGKILL, no
# cleanup) while it copies the root to the backup, while it unpacks the image, and while
# it installs GRUB; its mounts are then dropped as a reboot would. After each, what GRUB
# for UEFI would boot (the filesystem UUID its image searches) must be a complete system
# of the old version, and the storage intact. (GRUB for BIOS embeds the same search in a
# compressed core image; the same steps write both.)
kill_at() { # PROGRAM NAME: start the upgrade, kill everything once PROGRAM runs in it
	"$bin" --disk-allow-loop --cmdline "$tmp/cmdline" --host-ram 16GiB --host-cpus 4 --target-root "$tmp/target" \
		--run-dir "$tmp/run" --image "$image" --answerfile "$tmp/upgrade.xml" --log "$tmp/$2.log" > "$tmp/$2.out" 2>&1 &
	local pid=$! i m killed=1
	for i in $(seq 1 1500); do
		if pgrep -x "$1" -P "$pid" > /dev/null; then
			sleep 1; pkill -9 -P "$pid"; kill -9 "$pid"; killed=0; break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	wait "$pid" 2>/dev/null
	for m in $(awk -v t="$tmp/target" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do umount -l "$m"; done
	settle
	[ $killed = 0 ] || { echo "the upgrade ended before $1 ran: $(tail -n 5 "$tmp/$2.out")"; return 1; }
}
efi_boots() { # the partition GRUB for UEFI reads its configuration from: its image's prefix
	# is "(,gptN)/boot/grub", partition N of the disk it was loaded from
	mcopy -o -n -i "${loop}p4" ::/EFI/xenhost/grubx64.efi "$tmp/efi.img" 2>/dev/null || return 1
	strings -n 3 "$tmp/efi.img" | sed -n 's|^(,gpt\([0-9]*\))/boot/grub$|\1|p' | head -n 1 | grep .
}
bootable_old() { # the system GRUB would boot is complete and is 0.0.9
	local n dev u; n=$(efi_boots) || { echo "GRUB for UEFI has no (,gptN)/boot/grub prefix"; return 1; }
	dev=${loop}p$n; u=$(blkid -s UUID -o value "$dev")
	mount -o ro "$dev" "$mnt" || { echo "cannot mount $dev"; return 1; }
	local k; k=$(sed -n 's/.*module2 \/boot\/vmlinuz-\([^ ]*\) root=UUID=\([^ ]*\) .*/\1 \2/p' "$mnt/boot/grub/grub.cfg" | head -n 1)
	local ok=0
	[ -n "$k" ] && [ -f "$mnt/boot/vmlinuz-${k% *}" ] && [ -f "$mnt/boot/initrd.img-${k% *}" ] && [ -f "$mnt/boot/xen.gz" ] &&
		[ "${k#* }" = "$u" ] && grep -q "PRODUCT_VERSION='0.0.9'" "$mnt/etc/xenhost-inventory" || ok=1
	[ $ok = 0 ] || echo "$dev ($u): grub.cfg boots '$k'; $(grep PRODUCT_VERSION "$mnt/etc/xenhost-inventory" 2>&1)"
	umount "$mnt"; return $ok
}
export -f efi_boots; export loop tmp
timed_run() { # NAME: the installer with $tmp/NAME.xml; its output in $tmp/NAME.out, its time shown
	local t0; t0=$(date +%s.%N)
	if run --answerfile "$tmp/$1.xml" --log "$tmp/$1.log" > "$tmp/$1.out" 2>&1; then
		pass "the $1 completes (exit 0)"
		echo "    $1 time $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s on $loop"
	else
		fail "the $1 completes (exit 0)" "$(tail -n 20 "$tmp/$1.out")"; return 1
	fi
}
storage_ok() { rw "$S" && (cd "$mnt" && sha256sum -c --quiet "$tmp/storage.sha"); local rc=$?; un; return $rc; }
for point in cp:the-backup-copy unsquashfs:unpacking-the-image grub-install:installing-GRUB; do
	prog=${point%%:*} what=${point#*:}; what=${what//-/ }
	if kill_at "$prog" "kill-$prog" > "$tmp/kill.txt" 2>&1; then
		check "power loss during $what: the host boots a complete 0.0.9 (GRUB's target)" bootable_old
		check "power loss during $what: the local storage is intact" storage_ok
	else
		fail "power loss during $what" "$(cat "$tmp/kill.txt")"
	fi
done
check "power loss: the next upgrade resumes from the complete backup" sh -c \
	"'$bin' --disk-allow-loop --cmdline '$tmp/cmdline' --run-dir '$tmp/run' --target-root '$tmp/target' --answerfile '$tmp/upgrade.xml' --dry-run | grep -q 'it is resumed, with the backup (version 0.0.9'"

# --- the upgrade (resuming the one cut short above)
timed_run upgrade || exit 0
check "the console says what was upgraded and that it boots on trial" grep -Eq "upgraded from 0\.0\.9 to $ver .*on trial" "$tmp/upgrade.out"
check "every step is shown with its duration" grep -Eq '^\[ ?[0-9]+/[0-9]+\] carry over the configuration of version 0\.0\.9 \.\.\. [0-9.]+ s$' "$tmp/upgrade.out"
check "the console says the upgrade cut short is resumed from the backup" grep -q 'was cut short after its backup was complete: it is resumed' "$tmp/upgrade.out"
check "nothing stays mounted" sh -c "! grep -q ' $tmp/target' /proc/self/mounts"
settle

ro "$B" || { fail "mount the backup" "$B"; exit 0; }
check "backup: marked as the backup of 0.0.9" grep -qx "BACKUP_OF_VERSION='0.0.9'" "$mnt/.xenhost-backup"
check "backup: the old root, file for file (its hostname, the unpreserved file)" sh -c \
	"grep -qx xh-after '$mnt/etc/hostname' && test -f '$mnt/root/scratch' && grep -q \"PRODUCT_VERSION='0.0.9'\" '$mnt/etc/xenhost-inventory'"
check "backup: ownership and modes kept (/etc/shadow root:shadow 0640, /root/.ssh)" sh -c \
	"[ \"\$(stat -c '%U %a' '$mnt/etc/shadow')\" = 'root 640' ] && [ \"\$(stat -c '%a' '$mnt/root/.ssh/authorized_keys')\" = 644 ]"
backup_uuid=$(blkid -s UUID -o value "$B")
un

ro "$R" || { fail "mount the new root" "$R"; exit 0; }
check "new root: the same filesystem UUID" test "$(blkid -s UUID -o value "$R")" = "$root_fs_uuid"
check "new root: the inventory says $ver, previous 0.0.9, the same host UUID" sh -c \
	"[ \"\$(sed -n \"s/^PRODUCT_VERSION='\\(.*\\)'/\\1/p\" '$mnt/etc/xenhost-inventory')\" = '$ver' ] && grep -qx \"PREVIOUS_VERSION='0.0.9'\" '$mnt/etc/xenhost-inventory' && grep -qx \"INSTALLATION_UUID='$host_uuid'\" '$mnt/etc/xenhost-inventory'"
check "new root: hostname, changed network and root's SSH key preserved" sh -c \
	"grep -qx xh-after '$mnt/etc/hostname' && grep -q '# changed by the operator' '$mnt'/etc/systemd/network/*.network && grep -q operator@example '$mnt/root/.ssh/authorized_keys'"
check "new root: the SSH host keys and machine-id preserved" sh -c \
	"[ \"\$(cat '$mnt'/etc/ssh/ssh_host_*_key | sha256sum)\" = '$keys_before' ] && grep -qx 0123456789abcdef0123456789abcdef '$mnt/etc/machine-id'"
check "new root: root's password hash preserved" test "$(awk -F: '$1 == "root" { print $2 }' "$mnt/etc/shadow")" = "$hash_before"
check "new root: the paths of /etc/xenhost/preserve.d/site.list carried over" sh -c \
	"grep -qx tool '$mnt/opt/operator/tool' && grep -qx site=1 '$mnt/etc/xh-site.conf'"
check "new root: what is not in the preserved set is not carried over (/root/scratch)" test ! -e "$mnt/root/scratch"
check "new root: the operator's account (alice: passwd, password hash, group, adm membership, home) carried over" sh -c \
	"[ \"\$(grep -h '^alice:' '$mnt/etc/passwd' '$mnt/etc/shadow' '$mnt/etc/group' | sha256sum)\" = '$alice_before' ] && grep -Eq '^adm:x:4:(.*,)?alice(,|\$)' '$mnt/etc/group' && grep -Eq '^adm:.*:(.*,)?alice(,|\$)' '$mnt/etc/gshadow' && [ \"\$(stat -c %u '$mnt/home/alice/notes')\" = 1000 ]"
check "new root: the time zone kept" test "$(readlink "$mnt/etc/localtime")" = ../usr/share/zoneinfo/Europe/Paris
check "new root: the boot mode follows the upgrade's (installed BIOS, upgraded UEFI)" grep -qx "BOOT_MODE='uefi'" "$mnt/etc/xenhost-inventory"
check "new root: the Xen options the operator set are kept" grep -qx "XEN_CMDLINE_EXTRA='sched=credit2'" "$mnt/etc/xenhost-inventory"
check "first boot: marked as an upgrade; identity and storage keep their stamps; network, xen and done run again" sh -c \
	"d='$mnt/var/lib/xenhost/firstboot'; grep -q \"FROM_VERSION='0.0.9'\" \$d/upgrade && [ -f \$d/identity.done ] && [ -f \$d/storage.done ] && [ ! -e \$d/network.done ] && [ ! -e \$d/xen.done ] && [ ! -e \$d/done.done ]"
g="$mnt/boot/grub/grub.cfg"
check "GRUB: the new version by default, with the operator's Xen options" sh -c \
	"grep -q \"menuentry 'Xenhost $ver' --id xenhost\" '$g' && grep -q 'set default=xenhost' '$g' && grep -Eq 'multiboot2 /boot/xen.gz .*sched=credit2' '$g' && grep -q 'search --no-floppy --fs-uuid --set=root $root_fs_uuid' '$g'"
check "GRUB: the previous version (0.0.9) as an entry on the backup" sh -c \
	"grep -q \"menuentry 'Xenhost 0.0.9 (previous version, on the backup partition)' --id previous\" '$g' && grep -q 'root=UUID=$backup_uuid' '$g'"
check "GRUB: on trial, $((3)) boots to confirm (grubenv xh_trial=3 and the count-down in grub.cfg)" sh -c \
	"grub-editenv '$mnt/boot/grub/grubenv' list | grep -qx xh_trial=3 && grep -q 'set default=previous' '$g'"
check "GRUB for BIOS is installed from the new root (core.img and i386-pc modules)" test -f "$mnt/boot/grub/i386-pc/core.img"
un
check "GRUB for UEFI on the ESP reads the new root's /boot/grub (partition 1)" bash -c "[ \"\$(efi_boots)\" = 1 ]"
rw "$S" && (cd "$mnt" && sha256sum -c --quiet "$tmp/storage.sha") > "$tmp/storage.chk" 2>&1; rc=$?; un
check "local storage: every file byte-identical" test "$rc" = 0
ro "$LOGS" && { check "logs: kept, with the upgrade's log added" sh -c "grep -qx kept '$mnt/operator.log' && grep -q 'upgrade complete' '$mnt/installer/upgrade.log'"; un; }

# --- the restore
timed_run restore || exit 0
check "the console says which version was restored" grep -Eq "Xenhost 0\.0\.9 is restored on $loop" "$tmp/restore.out"
settle
ro "$R" && {
	check "restored root: version 0.0.9, the file the upgrade dropped is back, no backup marker" sh -c \
		"grep -qx \"PRODUCT_VERSION='0.0.9'\" '$mnt/etc/xenhost-inventory' && test -f '$mnt/root/scratch' && test ! -e '$mnt/.xenhost-backup'"
	check "restored root: the same host UUID and filesystem UUID" sh -c \
		"grep -qx \"INSTALLATION_UUID='$host_uuid'\" '$mnt/etc/xenhost-inventory' && [ \"\$(blkid -s UUID -o value '$R')\" = '$root_fs_uuid' ]"
	check "GRUB: 0.0.9 by default from the root, not on trial, the backup as an entry" sh -c \
		"grep -q \"menuentry 'Xenhost 0.0.9' --id xenhost\" '$mnt/boot/grub/grub.cfg' && ! grep -q xh_trial '$mnt/boot/grub/grub.cfg' && grep -q \"(backup, on the backup partition)' --id previous\" '$mnt/boot/grub/grub.cfg' && ! grub-editenv '$mnt/boot/grub/grubenv' list | grep -q xh_trial"
	un
}
check "GRUB for UEFI reads the restored root's /boot/grub (partition 1)" bash -c "[ \"\$(efi_boots)\" = 1 ]"
rw "$S" && (cd "$mnt" && sha256sum -c --quiet "$tmp/storage.sha") > "$tmp/storage.chk" 2>&1; rc=$?; un
check "local storage after the restore: every file byte-identical" test "$rc" = 0
ro "$B" && { check "the backup is still there after the restore" grep -qx "BACKUP_OF_VERSION='0.0.9'" "$mnt/.xenhost-backup"; un; }
exit 0
