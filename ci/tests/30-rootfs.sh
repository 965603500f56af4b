#!/usr/bin/env bash
# The host image: what it contains, what it must not contain, that it runs (chrooted),
# that it is reproducible, and that broken inputs stop the stage cleanly.
. "$(dirname "$0")/../lib/test.sh"
img="$XH_BUILD/rootfs/rootfs.squashfs"
[ -f "$img" ] || xh_die "no image $img: run 'make rootfs'"
. "$XH_TOP/ci/lib/image.sh"
tmp=$(mktemp -d)
mnt="$tmp/root"
trap 'image_close "$mnt"; rm -rf "$tmp"' EXIT
# A writable view of the image (squashfs below, tmpfs above), as the live system has.
image_open "$img" "$mnt" || xh_die "cannot open the image"
in_root() { in_image "$mnt" "$@"; }

# --- our RPMs are in its rpm database, and rpm -qa runs in it
for n in $(sed 's/#.*//' "$XH_TOP/rootfs/rpms.list"); do
	check "rpm database has $n" in_root rpm -q "$n"
done
check "chrooted 'rpm -qa' lists the platform and nothing else (but the signing key)" sh -c \
	"test \"\$(chroot $mnt rpm -qa --qf '%{NAME}\n' | grep -vx gpg-pubkey | sort | tr '\n' ' ')\" = \"\$(sed 's/#.*//; /^\$/d' $XH_TOP/rootfs/rpms.list | sort | tr '\n' ' ')\""
# the repository's key is the one key in the rpm database (rpm names it gpg-pubkey-<key id>)
keyid=$(gpg --batch --show-keys --with-colons "$XH_BUILD/repo/RPM-GPG-KEY-xenhost" 2>/dev/null | awk -F: '$1 == "pub" { print tolower(substr($5, 9)); exit }')
check "the rpm database holds the signing key and no other (gpg-pubkey-$keyid), as /etc/pki/rpm-gpg/RPM-GPG-KEY-xenhost" sh -c \
	"[ \"\$(chroot $mnt rpm -q gpg-pubkey --qf '%{VERSION}\n')\" = '$keyid' ] && cmp -s '$mnt/etc/pki/rpm-gpg/RPM-GPG-KEY-xenhost' '$XH_BUILD/repo/RPM-GPG-KEY-xenhost'"

# --- the programs a host and its installer need
for p in xl xenstored xenconsoled grub-install grub-mkimage efibootmgr mkfs.ext4 mkfs.xfs mkfs.vfat \
         mkswap unsquashfs sfdisk sgdisk mdadm lvm sshd chronyd networkctl dracut rpm curl; do
	check "image has $p" in_root sh -c "command -v $p"
done
# Outside a Xen dom0, xl stops at the hypervisor interface: reaching it proves it loaded.
check "chrooted xl runs (its libraries resolve; outside Xen it stops at privcmd)" sh -c \
	"chroot $mnt xl help 2>&1 | grep -q 'privileged command interface' && ! chroot $mnt ldd /usr/sbin/xl | grep -q 'not found'"
check "xenstored's libraries resolve" sh -c "! chroot $mnt ldd /usr/sbin/xenstored | grep -q 'not found'"
# guests (issue 20): the device model with Xen support, guest firmware and boot loaders
check "the device model runs chrooted and has the Xen machines (qemu-system-i386 -machine help: xenfv, xenpv)" sh -c \
	"chroot $mnt /usr/libexec/xen/bin/qemu-system-i386 -machine help > $tmp/machines 2>&1 && grep -q '^xenfv ' $tmp/machines && grep -q '^xenpv ' $tmp/machines"
check "libxl starts that device model (xen.spec --with-system-qemu)" sh -c \
	"grep -aq '/usr/libexec/xen/bin/qemu-system-i386' $mnt/usr/lib/libxenlight.so.4.17* "
check "hvmloader, SeaBIOS and OVMF (Xen platform) are where libxl loads them" sh -c \
	"test -s $mnt/usr/libexec/xen/boot/hvmloader && test -s $mnt/usr/share/seabios/bios-256k.bin && test -s $mnt/usr/lib/xen/boot/ovmf.bin &&
	 grep -aq /usr/share/seabios/bios-256k.bin $mnt/usr/lib/libxenlight.so.4.17* && grep -aq /usr/lib/xen/boot/ovmf.bin $mnt/usr/lib/libxenlight.so.4.17*"
check "the PV and PVH GRUB images are in /usr/lib/xen/boot" sh -c \
	"test -s $mnt/usr/lib/xen/boot/grub-x86_64-xen.bin && test -s $mnt/usr/lib/xen/boot/grub-i386-xen_pvh.bin"
check "pygrub runs chrooted (python3, its modules and xenfsimage resolve)" sh -c \
	"chroot $mnt /usr/bin/pygrub --help 2>&1 | grep -q '^Usage: '"
check "the VGA and NIC option ROMs of HVM guests are on the device model's firmware path" sh -c \
	"test -s $mnt/usr/share/seabios/vgabios-cirrus.bin && test -s $mnt/usr/share/seabios/vgabios-stdvga.bin && test -s $mnt/usr/lib/ipxe/qemu/efi-rtl8139.rom"
check "Debian's qemu-system-x86 is not in the image" sh -c "! chroot $mnt dpkg-query -W qemu-system-x86 > /dev/null 2>&1"
check "xenconsoled logs guest consoles (XENCONSOLED_TRACE=guest)" grep -q '^XENCONSOLED_TRACE=guest' "$mnt/etc/default/xencommons"
# the management API (issue 21): libvirt with the libxl driver, local sockets and SSH only
check "virsh runs chrooted (libvirt $(chroot "$mnt" virsh --version 2>/dev/null))" sh -c "chroot $mnt virsh --version | grep -Eq '^9\\.0\\.'"
check "libvirt's libxl driver and modular daemons are in the image (virtxend, virtstoraged, virtnetworkd, virtnodedevd, virtsecretd, virtinterfaced, virtproxyd; virt-ssh-helper)" sh -c \
	"for b in virtxend virtstoraged virtnetworkd virtnodedevd virtsecretd virtinterfaced virtproxyd virtlogd virtlockd; do test -x $mnt/usr/sbin/\$b || exit 1; done;
	 test -x $mnt/usr/bin/virt-ssh-helper && test -f $mnt/usr/lib/libvirt/connection-driver/libvirt_driver_libxl.so && ! chroot $mnt ldd /usr/sbin/virtxend | grep -q 'not found'"
check "libvirt's daemons do not stop xendomains when they start (no Conflicts=xendomains: that would shut every guest down)" sh -c \
	"! grep -l '^Conflicts=.*xendomains' $mnt/usr/lib/systemd/system/virt*.service"
check "no QEMU/KVM or LXC driver in libvirt" sh -c "! ls $mnt/usr/lib/libvirt/connection-driver/ | grep -Eq 'qemu|lxc'"
check "every libvirt socket that would listen on TCP is masked (remote access is SSH only)" sh -c '
	for f in $(grep -l "^ListenStream=[0-9]" '"$mnt"'/usr/lib/systemd/system/virt*.socket '"$mnt"'/usr/lib/systemd/system/libvirt*.socket); do
		u=$(basename "$f"); [ "$(chroot '"$mnt"' systemctl is-enabled "$u" 2>/dev/null)" = masked ] || { echo "$u is not masked"; exit 1; }
	done'
for l in libxml2.so.2 libnewt.so.0.52 libfdisk.so.1 libblkid.so.1 libcurl.so.4; do
	check "installer runtime library $l present" sh -c "chroot $mnt ldconfig -p | grep -q '$l '"
done

# --- services
for u in $(sed 's/#.*//' "$XH_TOP/rootfs/services.enable"); do
	check "unit $u enabled" sh -c "test \"\$(chroot $mnt systemctl is-enabled $u 2>/dev/null)\" = enabled"
done
for u in $(sed 's/#.*//' "$XH_TOP/rootfs/services.mask"); do
	check "unit $u masked" sh -c "test \"\$(chroot $mnt systemctl is-enabled $u 2>/dev/null)\" = masked"
done
check "journald keeps the journal on disk" grep -q '^Storage=persistent' "$mnt/etc/systemd/journald.conf.d/xenhost.conf"

# --- no host identity in the image
check "machine-id is empty" test -f "$mnt/etc/machine-id" -a ! -s "$mnt/etc/machine-id"
check "no SSH host keys" sh -c "! ls $mnt/etc/ssh/ssh_host_* 2>/dev/null"
check "no random seed" test ! -e "$mnt/var/lib/systemd/random-seed"
check "no host inventory" test ! -e "$mnt/etc/xenhost-inventory"

# --- initramfs images for the packaged kernel
krel=$(in_root rpm -q --qf '%{VERSION}' kernel)-xenhost
check "host initramfs exists for $krel" test -s "$mnt/boot/initrd.img-$krel"
check "live initramfs exists for $krel" test -s "$mnt/boot/initrd-live.img-$krel"
lsinit() { in_root lsinitrd "$1" 2>/dev/null; }
check "live initramfs can boot the image from a medium or HTTP (dmsquash-live, livenet)" sh -c \
	"chroot $mnt lsinitrd /boot/initrd-live.img-$krel | grep -q 'dmsquash-live-root' && chroot $mnt lsinitrd /boot/initrd-live.img-$krel | grep -q 'livenetroot'"
check "host initramfs has the storage drivers (ahci, nvme) and both filesystems" sh -c \
	"chroot $mnt lsinitrd /boot/initrd.img-$krel > $tmp/l && grep -q 'ahci.ko' $tmp/l && grep -q 'nvme.ko' $tmp/l && grep -q 'xfs' $tmp/l"
check "modules.dep covers the driver packages" grep -q 'e1000e.ko' "$mnt/usr/lib/modules/$krel/modules.dep"

# --- manifest
man="$XH_BUILD/rootfs/rootfs.manifest"
check "manifest lists debs and rpms with version, size and origin" sh -c \
	"grep -q '^deb systemd [^ ]* [0-9]* debian\$' $man && grep -q '^rpm xen-tools [^ ]* [0-9]* xenhost\$' $man"
check "manifest carries the image's sha256 and size" sh -c \
	"test \"\$(awk '/^image/ { print \$3 }' $man)\" = \"\$(sha256sum < $img | cut -c1-64)\""
check "manifest has no locales but en_US and C" sh -c "! ls $mnt/usr/share/locale 2>/dev/null | grep -q ."

# --- broken inputs stop the stage with a clear message and no partial image
mk_tree() {
	rm -rf "$tmp/tree" "$tmp/build"; mkdir -p "$tmp/tree" "$tmp/build"
	cp -a "$XH_TOP/ci" "$XH_TOP/rootfs" "$XH_TOP/VERSION" "$tmp/tree/"
	cp -a "$XH_BUILD/repo" "$tmp/build/repo"
}
sde=$(xh_source_date_epoch)
in_tree() { env XH_TOP="$tmp/tree" XH_BUILD="$tmp/build" XH_CACHE="$tmp/cache" SOURCE_DATE_EPOCH="$sde" "$@"; }
mk_tree; echo "xenhost-not-built" >> "$tmp/tree/rootfs/rpms.list"
expect_fail "an RPM missing from build/repo stops the stage, naming it" \
	"RPM 'xenhost-not-built'.*not in .*make rpms" in_tree "$tmp/tree/rootfs/build"
check "... and leaves no image" test ! -e "$tmp/build/rootfs"
mk_tree; echo "xenhost-no-such-debian-package" >> "$tmp/tree/rootfs/packages.list"
expect_fail "a package name Debian does not have stops the stage, naming it" \
	"Debian has no package named: xenhost-no-such-debian-package" in_tree "$tmp/tree/rootfs/build"
check "... and leaves no image" test ! -e "$tmp/build/rootfs"

# --- reproducible: a second, cold build of the same inputs gives the same bytes
if [ "${XH_SKIP_REPRO:-0}" = 1 ]; then
	echo "SKIP: $T_SUITE: reproducibility (XH_SKIP_REPRO=1)"
else
	mk_tree
	mkdir -p "$tmp/cache"; ln -s "$XH_CACHE/debs" "$tmp/cache/debs"
	if in_tree "$tmp/tree/rootfs/build" > "$tmp/repro.log" 2>&1; then
		if cmp -s "$img" "$tmp/build/rootfs/rootfs.squashfs"; then
			pass "two builds of the image give the same bytes"
		else
			fail "two builds of the image give the same bytes" \
				"$(sha256sum "$img" "$tmp/build/rootfs/rootfs.squashfs"; "$XH_TOP/ci/repro-diff" "$img" "$tmp/build/rootfs/rootfs.squashfs" | head -n 30)"
		fi
	else
		fail "second build of the image for the reproducibility check" "$(tail -n 15 "$tmp/repro.log")"
	fi
fi
exit 0
