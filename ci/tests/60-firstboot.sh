#!/usr/bin/env bash
# First boot, in a chroot of the host image: units are installed and enabled only for
# installed hosts, ordered; stamps are written on success only; a failing unit runs
# again and succeeds; status and rerun work; the upgrade marker keeps identity.
# (What needs a running Xen host is tested end to end in QEMU.)
. "$(dirname "$0")/../lib/test.sh"
. "$XH_TOP/ci/lib/image.sh"
img="$XH_BUILD/rootfs/rootfs.squashfs"
[ -f "$img" ] || xh_die "no image $img: run 'make rootfs'"
tmp=$(mktemp -d); mnt="$tmp/root"; loop=""
cleanup() { image_close "$mnt"; [ -z "$loop" ] || losetup -d "$loop"; rm -rf "$tmp"; }
trap cleanup EXIT
image_open "$img" "$mnt" || xh_die "cannot open the image"
fb() { in_image "$mnt" env XH_FB_NET_TIMEOUT=1 xenhost-firstboot "$@"; }
st=$mnt/var/lib/xenhost/firstboot

# --- units: installed, enabled, guarded, ordered
units="identity network storage xen hooks done"
prev=""
for u in $units; do
	f="$mnt/usr/lib/systemd/system/xenhost-firstboot-$u.service"
	check "unit $u is enabled in the image" sh -c "test \"\$(chroot $mnt systemctl is-enabled xenhost-firstboot-$u.service)\" = enabled"
	check "unit $u is guarded by its stamp and runs only on installed hosts" sh -c \
		"grep -qx 'ConditionPathExists=!/var/lib/xenhost/firstboot/$u.done' $f && grep -qx 'ConditionPathExists=/etc/xenhost-inventory' $f"
	[ -z "$prev" ] || check "unit $u is ordered after $prev" grep -Eq "^After=.*xenhost-firstboot-$prev.service" "$f"
	prev=$u
done
check "identity runs before the SSH server starts" grep -Eq '^Before=.*ssh.service' "$mnt/usr/lib/systemd/system/xenhost-firstboot-identity.service"
check "systemd accepts the units" sh -c "chroot $mnt systemd-analyze verify /usr/lib/systemd/system/xenhost-firstboot-*.service 2>&1 | grep -v -e 'Failed to' -e 'ssh.service' | grep -qi 'error' && exit 1 || exit 0"

# --- an installed host, as the installer leaves it
uuid=$(cat /proc/sys/kernel/random/uuid)
truncate -s 320M "$tmp/storage.img"   # XFS needs at least 300 MB
mkfs.ext4 -q -U "$uuid" -L xh-storage "$tmp/storage.img"
loop=$(losetup -f --show "$tmp/storage.img")
cat > "$mnt/etc/xenhost-inventory" <<INV
PRODUCT_VERSION='$(xh_version)'
INSTALLATION_UUID='11111111-2222-3333-4444-555555555555'
MANAGEMENT_ADDRESS_TYPE='dhcp'
STORAGE_TYPE='ext4'
STORAGE_UUID='$uuid'
DOM0_MEM='1024'
DOM0_VCPUS='2'
INV
echo testhost > "$mnt/etc/hostname"
blkid -p "$loop" > /dev/null  # make it known to the chroot's blkid (it reads /dev)

# identity: machine-id and per-host SSH keys, once
check "identity succeeds" fb run identity
check "... writes a machine-id" grep -Eq '^[0-9a-f]{32}$' "$mnt/etc/machine-id"
check "... makes SSH host keys" sh -c "ls $mnt/etc/ssh/ssh_host_ed25519_key $mnt/etc/ssh/ssh_host_rsa_key"
check "... and its stamp" test -s "$st/identity.done"
k1=$(sha256sum < "$mnt/etc/ssh/ssh_host_ed25519_key.pub")
check "a second run does nothing (stamp)" sh -c "chroot $mnt xenhost-firstboot run identity | grep -q 'already done'"
check "... and keeps the keys" test "$(sha256sum < "$mnt/etc/ssh/ssh_host_ed25519_key.pub")" = "$k1"
check "rerun forgets the stamp" sh -c "chroot $mnt xenhost-firstboot rerun identity && test ! -e $st/identity.done"
fb run identity > /dev/null
check "... and the next run makes new keys" test "$(sha256sum < "$mnt/etc/ssh/ssh_host_ed25519_key.pub")" != "$k1"

# network: fails (no bridge configuration in a chroot) without a stamp, and says why
expect_fail "network without the installer's bridge configuration fails, saying why" \
	"no management bridge configuration" fb run network
check "... writes no stamp but a failure record" test ! -e "$st/network.done" -a -s "$st/network.failed"

# storage: registers the ext4 local storage by UUID; refuses a missing one
check "storage succeeds on the installer's filesystem" fb run storage
check "... records UUID, type, mount point and size" sh -c \
	"grep -q \"^UUID='$uuid'\" $mnt/etc/xenhost/storage.conf && grep -q \"^TYPE='ext4'\" $mnt/etc/xenhost/storage.conf && grep -q '^SIZE_BYTES=' $mnt/etc/xenhost/storage.conf"
check "... adds it to fstab by UUID" grep -q "^UUID=$uuid /srv/xenhost/storage/$uuid ext4 " "$mnt/etc/fstab"
check "... makes the layout for guest disks" sh -c "cd $mnt/srv/xenhost/storage/$uuid && test -d images -a -d iso -a -d save"
dropin="$mnt/etc/systemd/system/xendomains.service.d/50-local-storage.conf"
check "... orders xendomains (auto-started guests) after the local storage's mount" sh -c \
	"grep -qx 'After=srv-xenhost-storage-$(echo "$uuid" | sed 's/-/\\\\x2d/g').mount' '$dropin' && grep -q '^Wants=srv-xenhost-storage-' '$dropin'"
lv=$mnt/etc/libvirt
check "... defines libvirt's storage pools local (images/) and iso (iso/), valid against libvirt's schema, autostarted" sh -c \
	"xmllint --noout --relaxng $mnt/usr/share/libvirt/schemas/storagepool.rng $lv/storage/local.xml $lv/storage/iso.xml 2>&1 &&
	 grep -q '<path>/srv/xenhost/storage/$uuid/images</path>' $lv/storage/local.xml && grep -q '<path>/srv/xenhost/storage/$uuid/iso</path>' $lv/storage/iso.xml &&
	 [ \"\$(readlink $lv/storage/autostart/local.xml)\" = /etc/libvirt/storage/local.xml ] && [ \"\$(readlink $lv/storage/autostart/iso.xml)\" = /etc/libvirt/storage/iso.xml ]"
check "... and the network xenbr0 (bridge mode on the management bridge), valid, autostarted" sh -c \
	"xmllint --noout --relaxng $mnt/usr/share/libvirt/schemas/network.rng $lv/qemu/networks/xenbr0.xml 2>&1 &&
	 grep -q \"<forward mode='bridge'/>\" $lv/qemu/networks/xenbr0.xml && grep -q \"<bridge name='xenbr0'/>\" $lv/qemu/networks/xenbr0.xml &&
	 [ \"\$(readlink $lv/qemu/networks/autostart/xenbr0.xml)\" = /etc/libvirt/qemu/networks/xenbr0.xml ]"
u1=$(sed -n 's/.*<uuid>\(.*\)<\/uuid>.*/\1/p' "$lv/storage/local.xml" 2>/dev/null)
echo '<!-- the operator changed this -->' >> "$lv/storage/local.xml"
check "guests are shut down cleanly at host shutdown; saving them is one line, to the local storage" sh -c \
	"grep -qx 'XENDOMAINS_SAVE=' $mnt/etc/default/xendomains && grep -qx '#XENDOMAINS_SAVE=/srv/xenhost/storage/$uuid/save' $mnt/etc/default/xendomains"
mountpoint -q "$mnt/srv/xenhost/storage/$uuid" && umount "$mnt/srv/xenhost/storage/$uuid"
fb rerun storage > /dev/null
fb run storage > /dev/null 2>&1
check "a second storage run keeps libvirt's definitions as they are (same UUID, the operator's change)" sh -c \
	"[ -n '$u1' ] && grep -q '<uuid>$u1</uuid>' $lv/storage/local.xml && grep -q 'the operator changed this' $lv/storage/local.xml"
mountpoint -q "$mnt/srv/xenhost/storage/$uuid" && umount "$mnt/srv/xenhost/storage/$uuid"
fb rerun storage > /dev/null
sed -i "s/^STORAGE_UUID=.*/STORAGE_UUID='00000000-0000-0000-0000-000000000000'/" "$mnt/etc/xenhost-inventory"
expect_fail "storage whose filesystem is gone is reported, not re-created" \
	"not found on any disk; it is not re-created" fb run storage
sed -i "s/^STORAGE_UUID=.*/STORAGE_UUID='$uuid'/" "$mnt/etc/xenhost-inventory"
mkfs.xfs -q -f -m uuid="$uuid" "$loop" || xh_die "mkfs.xfs failed on $loop"
expect_fail "storage holding another filesystem than recorded is refused, not formatted" \
	"holds 'xfs', the inventory says ext4; refusing to format" fb run storage
check "... and the filesystem is untouched" test "$(blkid -p -o value -s TYPE "$loop")" = xfs

# xen: refuses to pretend outside Xen
expect_fail "xen outside a Xen dom0 fails, saying what to do" "not running under Xen" fb run xen

# hooks: each once; one that fails once succeeds on the next run
mkdir -p "$mnt/etc/xenhost/firstboot.d"
printf '#!/bin/sh\necho ran >> /root/hook-a.count\n' > "$mnt/etc/xenhost/firstboot.d/10-a"
printf '#!/bin/sh\nif [ ! -e /root/hook-b.once ]; then touch /root/hook-b.once; echo failing once; exit 3; fi\necho ok\n' \
	> "$mnt/etc/xenhost/firstboot.d/20-b"
chmod +x "$mnt"/etc/xenhost/firstboot.d/*
expect_fail "a failing hook fails the hooks unit" "hook 20-b failed \(exit 3\)" fb run hooks
check "... which writes no stamp" test ! -e "$st/hooks.done"
check "... while the hook that worked has its own stamp" test -s "$st/hooks/10-a.done"
check "hooks run again and succeed on the next boot" fb run hooks
check "... without running the finished hook twice" test "$(wc -l < "$mnt/root/hook-a.count")" = 1
check "... and the unit is done" test -s "$st/hooks.done"

# done: only when every unit is
expect_fail "done refuses while units are missing, naming them" "not done: network storage xen" fb run done
check "status shows each unit with its state" sh -c \
	"chroot $mnt xenhost-firstboot status > $tmp/status; grep -Eq '^identity +done' $tmp/status && grep -Eq '^network +failed' $tmp/status && grep -Eq '^xen +failed' $tmp/status && grep -Eq '^hooks +done' $tmp/status"
check "every run is logged with its duration" grep -Eq 'hooks: done in [0-9]+ s' "$mnt/var/log/xenhost-firstboot.log"
for u in network storage xen; do date -u > "$st/$u.done"; done
check "done succeeds once all are, with a summary naming storage and address" sh -c \
	"chroot $mnt xenhost-firstboot run done | grep -q 'local storage   ext4 $uuid'"
check "... and puts the summary in front of the login prompt" test -s "$mnt/etc/issue.d/50-xenhost.issue"
check "... and names the guest types Xen offers (virt_caps recorded by the xen unit)" sh -c \
	"echo \"VIRT_CAPS='pv hvm hap shadow'\" >> $mnt/etc/xenhost-inventory && chroot $mnt xenhost-firstboot status | grep -qx 'guests: PV, PVH and HVM (virt_caps: pv hvm hap shadow)'"
check "... and says when the CPU has no VT-x/AMD-V: PV only, and why" sh -c \
	"echo \"VIRT_CAPS='pv'\" >> $mnt/etc/xenhost-inventory && chroot $mnt xenhost-firstboot status | grep -q '^guests: PV only: the CPU has no VT-x/AMD-V, or it is off in the firmware setup'"
check "... which says root logs in over SSH with a key (no password allowed by the installer)" \
	grep -q 'ssh root@.* (with a key), or as root on this console' "$mnt/etc/issue.d/50-xenhost.issue"

# upgrade: keys are carried over, not regenerated
touch "$st/upgrade"; fb rerun identity > /dev/null
k2=$(sha256sum < "$mnt/etc/ssh/ssh_host_ed25519_key.pub")
check "after an upgrade, identity keeps the SSH host keys" sh -c \
	"chroot $mnt xenhost-firstboot run identity | grep -q 'carried over' && test \"\$(sha256sum < $mnt/etc/ssh/ssh_host_ed25519_key.pub)\" = '$k2'"

# xenhost-upgrade: the state of an upgrade, and the health check that ends a trial
up() { in_image "$mnt" env XH_UP_NET_TIMEOUT=1 xenhost-upgrade "$@"; }
check "the upgrade confirmation unit is enabled in the image" sh -c \
	"test \"\$(chroot $mnt systemctl is-enabled xenhost-upgrade-confirm.service)\" = enabled"
check "status of a host never upgraded says so" sh -c "chroot $mnt xenhost-upgrade status | grep -q 'last upgrade: *none'"
cat >> "$mnt/etc/xenhost-inventory" <<INV
PREVIOUS_VERSION='0.0.9'
UPGRADE_DATE='2026-12-01T10:00:00Z'
INV
mkdir -p "$mnt/boot/grub" && chroot "$mnt" grub-editenv /boot/grub/grubenv create && chroot "$mnt" grub-editenv /boot/grub/grubenv set xh_trial=2
check "status after an upgrade on trial names the previous version and the boots left" sh -c \
	"chroot $mnt xenhost-upgrade status > $tmp/up-status; grep -q 'last upgrade: *from 0.0.9 on 2026-12-01T10:00:00Z' $tmp/up-status && grep -q 'NOT confirmed yet: 2 boot(s) left before GRUB boots 0.0.9 again' $tmp/up-status"
expect_fail "confirm outside Xen fails, saying which check failed and what GRUB will do" \
	"health check failed: Xen does not answer.*NOT confirmed; 2 boot\(s\) left before GRUB boots the previous version 0\.0\.9" up confirm
check "... and the trial goes on (xh_trial still 2)" sh -c "chroot $mnt grub-editenv /boot/grub/grubenv list | grep -qx xh_trial=2"
touch "$mnt/etc/xenhost/TEST-fail-health-check"
expect_fail "the test-only switch makes the health check fail, naming itself" "test switch /etc/xenhost/TEST-fail-health-check is set" up confirm
rm -f "$mnt/etc/xenhost/TEST-fail-health-check"
chroot "$mnt" grub-editenv /boot/grub/grubenv unset xh_trial
check "confirm --boot with no trial pending does nothing (no check, exit 0)" sh -c \
	"n=\$(wc -l < $mnt/var/log/xenhost-upgrade.log); chroot $mnt xenhost-upgrade confirm --boot && [ \$(wc -l < $mnt/var/log/xenhost-upgrade.log) = \$n ]"
exit 0
