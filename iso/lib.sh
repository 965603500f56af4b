# iso/lib.sh: what iso/build (the ISO) and iso/pxe (the PXE tree) share (sourced after
# ci/lib/stage.sh): the inputs from the rootfs stage, the loader files, the menus.

# The rootfs stage's outputs: the image, the install environment's kernel, initramfs and Xen.
: "${XH_ROOTFS_DIR:=$XH_BUILD/rootfs}"
XH_ROOTFS_FILES=(rootfs.squashfs rootfs.squashfs.sha256 vmlinuz initrd-live.img xen.gz RPM-GPG-KEY-xenhost)
SYSLINUX_BIOS=/usr/lib/syslinux/modules/bios
GRUB_EFI_DIR=/usr/lib/grub/x86_64-efi

# The Debian packages whose files end up in the ISO or PXE tree (their versions are part
# of the stage keys: a new GRUB or syslinux rebuilds).
XH_BOOT_DEBS=(xorriso isolinux syslinux-common pxelinux grub-efi-amd64-bin grub-common mtools dosfstools)

iso_require_inputs() {
	local f missing=()
	for f in "${XH_ROOTFS_FILES[@]}"; do [ -s "$XH_ROOTFS_DIR/$f" ] || missing+=("$f"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "error: the rootfs stage's outputs are missing in $XH_ROOTFS_DIR: ${missing[*]}" >&2
	echo "       run 'make rootfs' first (or set XH_ROOTFS_DIR to a directory holding them)" >&2
	return 1
}

# iso_inputs_key: one line naming the exact inputs (sha256 of each; the image by its
# .sha256 file, which iso_verify_image checks before anything is built from it).
iso_inputs_key() {
	local f
	for f in vmlinuz initrd-live.img xen.gz; do
		printf '%s %s\n' "$f" "$(sha256sum < "$XH_ROOTFS_DIR/$f" | cut -c1-64)"
	done
	printf 'rootfs.squashfs %s\n' "$(cut -c1-64 "$XH_ROOTFS_DIR/rootfs.squashfs.sha256")"
	printf 'RPM-GPG-KEY-xenhost %s\n' "$(sha256sum < "$XH_ROOTFS_DIR/RPM-GPG-KEY-xenhost" | cut -c1-64)"
	dpkg-query -W -f='${Package} ${Version}\n' "${XH_BOOT_DEBS[@]}" 2>/dev/null
}

iso_verify_image() {
	local want have
	want=$(cut -c1-64 "$XH_ROOTFS_DIR/rootfs.squashfs.sha256")
	have=$(sha256sum < "$XH_ROOTFS_DIR/rootfs.squashfs" | cut -c1-64)
	[ "$want" = "$have" ] && return 0
	echo "error: $XH_ROOTFS_DIR/rootfs.squashfs does not match its .sha256 (want $want, have $have)" >&2
	echo "       the rootfs stage's output is damaged or half-written: run 'make rootfs' again" >&2
	return 1
}

# The ISO9660 volume label: XENHOST-<version, '.' -> '_'>, upper case, at most 32
# characters (ISO9660 volume identifier). The live initramfs finds the ISO by it.
iso_label() {
	local l
	l="XENHOST-$(xh_version | tr '.+~' '___' | tr 'a-z' 'A-Z')"
	[[ $l =~ ^[A-Z0-9_-]{1,32}$ ]] || xh_die "volume label '$l' (from VERSION) is not a valid ISO9660 label (A-Z 0-9 _ -, at most 32)"
	echo "$l"
}

# iso_copy_syslinux DIR MODULE...: the BIOS syslinux modules mboot.c32 and menu.c32 need.
iso_copy_syslinux() {
	local dir=$1 m; shift
	for m in "$@"; do
		cp "$SYSLINUX_BIOS/$m" "$dir/$m" || { echo "error: cannot copy syslinux module $m (package syslinux-common)" >&2; return 1; }
	done
}

# iso_gen_menu FORMAT OUT NAME=VALUE...: one loader's menu from iso/menu.def.
iso_gen_menu() {
	local fmt=$1 out=$2; shift 2
	"$XH_TOP/iso/gen-menus" "$fmt" VERSION="$(xh_version)" "$@" > "$out" ||
		{ echo "error: generating the $fmt menu ($out) from iso/menu.def failed" >&2; return 1; }
}

# iso_set_times DIR EPOCH: every file and directory under DIR gets the same time.
iso_set_times() { find "$1" -exec touch -h -d "@$2" {} + ; }
