#!/usr/bin/env bash
# The installation ISO and the PXE tree, without booting them: both El Torito images, the
# hybrid MBR and the GPT with its EFI partition, the volume label, the files, the boot
# menus of every loader agreeing with each other (names and arguments), the sha256
# file, two builds giving the same bytes, and the stages' refusals.
. "$(dirname "$0")/../lib/test.sh"
. "$XH_TOP/iso/lib.sh"
ver=$(xh_version)
label=$(iso_label)
iso="$XH_BUILD/xenhost-$ver-x86_64.iso"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

[ -f "$iso" ] || xh_die "no ISO $iso: run 'make iso'"

# --- menu parsers: every loader's entries as "id|label|xen args|dom0 args" lines
# ("local" entries have no arguments), so that they can be compared as text.
menu_syslinux() {
	awk '
		function flush() { if (id != "") print id "|" label "|" xen "|" dom0; id = ""; label = xen = dom0 = "" }
		/^LABEL / { flush(); id = $2 }
		/^  MENU LABEL / { sub(/^  MENU LABEL /, ""); label = $0 }
		/^  APPEND .* --- / {
			sub(/^  APPEND /, ""); n = split($0, part, / --- /)
			xen = part[1]; sub(/^[^ ]+ ?/, "", xen)
			dom0 = part[2]; sub(/^[^ ]+ ?/, "", dom0)
		}
		END { flush() }' "$1"
}
menu_grub() {
	awk '
		/^menuentry / {
			label = $0; sub(/^menuentry \047/, "", label); sub(/\047.*/, "", label)
			id = $0; sub(/.*--id /, "", id); sub(/ .*/, "", id); xen = dom0 = ""; next
		}
		/^\tmultiboot2 / { xen = $0; sub(/^\tmultiboot2 [^ ]+ ?/, "", xen) }
		/^\tmodule2 / && !/--nounzip/ { dom0 = $0; sub(/^\tmodule2 [^ ]+ ?/, "", dom0) }
		/^}/ && id != "" { print id "|" label "|" xen "|" dom0; id = "" }' "$1"
}
# The settings beside the entries: default entry and timeout, as "default ID timeout S".
settings_syslinux() { awk '/^DEFAULT / { d = $2 } /^TIMEOUT / { t = $2 / 10 } END { print "default " d " timeout " t }' "$1"; }
settings_grub() { awk -F= '/^set default=/ { d = $2 } /^set timeout=/ { t = $2 } END { print "default " d " timeout " t }' "$1"; }

# menus_agree A B: the two entry lists are the same.
menus_agree() { diff <(cat "$1") <(cat "$2") && [ -s "$1" ]; }
# menu_rules FILE ROOT: what every menu must offer.
menu_rules() {
	local f=$1 root=$2 id rest bad=0
	for id in install install-serial unattended unattended-dhcp safe rescue local; do
		grep -q "^$id|" "$f" || { echo "no entry '$id'"; bad=1; }
	done
	while IFS='|' read -r id lab xen dom0; do
		[ -n "$lab" ] || { echo "$id: no label"; bad=1; }
		[ "$id" = local ] && continue
		case " $xen " in *" com1=115200,8n1 "*) ;; *) echo "$id: Xen without com1=115200,8n1: $xen"; bad=1 ;; esac
		case " $xen " in *" console=com1"*) ;; *) echo "$id: Xen console not on com1: $xen"; bad=1 ;; esac
		case " $xen " in *" dom0_mem="*" dom0_max_vcpus="*) ;; *) echo "$id: no dom0_mem/dom0_max_vcpus: $xen"; bad=1 ;; esac
		case " $dom0 " in *" console=hvc0 "*) ;; *) echo "$id: dom0 without console=hvc0: $dom0"; bad=1 ;; esac
		case " $dom0 " in *" $root "*) ;; *) echo "$id: dom0 without '$root': $dom0"; bad=1 ;; esac
		case " $dom0 " in *" rd.live.image "*) ;; *) echo "$id: dom0 without rd.live.image"; bad=1 ;; esac
	done < "$f"
	grep '^unattended|' "$f" | grep -q ' answerfile=[^ ]' || { echo "the unattended entry has no answerfile="; bad=1; }
	awk -F'|' '$1 == "install-serial" && (" " $3 " ") ~ / console=com1 / { ok = 1 } END { exit !ok }' "$f" ||
		{ echo "install-serial: the Xen console is not the serial port only"; bad=1; }
	grep '^safe|' "$f" | grep -q 'iommu=0' || { echo "safe: no iommu=0"; bad=1; }
	return $bad
}

# --- the sha256 file, the label, El Torito
check "sha256 file beside the ISO matches" bash -c "cd '$XH_BUILD' && sha256sum --quiet -c 'xenhost-$ver-x86_64.iso.sha256'"
xorriso -indev "$iso" -report_el_torito plain -report_system_area plain -pvd_info > "$tmp/report" 2>&1 ||
	xh_die "xorriso cannot read $iso: $(tail -n 3 "$tmp/report")"
check "volume label is $label" grep -q "^Volume id *: '$label'\$" "$tmp/report"
[ ${#label} -le 32 ] && pass "volume label within 32 characters" || fail "volume label within 32 characters" "$label"
check "El Torito: BIOS image isolinux.bin, no emulation, boot info table" \
	bash -c "grep -Eq '^El Torito boot img : +1 +BIOS +y +none' '$tmp/report' && grep -q '^El Torito img path : *1 */isolinux/isolinux.bin' '$tmp/report' && grep -q '^El Torito img opts : *1 *boot-info-table' '$tmp/report'"
check "El Torito: UEFI image efi.img, no emulation" \
	bash -c "grep -Eq '^El Torito boot img : +2 +UEFI +y +none' '$tmp/report' && grep -q '^El Torito img path : *2 */boot/grub/efi.img' '$tmp/report'"

# --- USB stick: isolinux's MBR code, a bootable MBR entry, a GPT with an EFI partition
check "MBR: isohybrid boot code of isohdpfx.bin and the 0x55AA signature" \
	bash -c "cmp -s -n 432 /usr/lib/ISOLINUX/isohdpfx.bin '$iso' && [ \"\$(od -An -tx1 -j510 -N2 '$iso' | tr -d ' ')\" = 55aa ]"
check "MBR: a partition marked bootable (for BIOSes that want one)" grep -Eq '^MBR partition *: *[0-9] +0x80 ' "$tmp/report"
sfdisk -d "$iso" > "$tmp/gpt" 2> "$tmp/gpt.err"
check "GPT: readable, 'EFI PART' header at LBA 1" bash -c "grep -q '^label: gpt' '$tmp/gpt' && [ \"\$(dd if='$iso' bs=1 skip=512 count=8 2>/dev/null)\" = 'EFI PART' ]"
esp=$(awk -F'[=, ]+' '/type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B/ { for (i = 1; i <= NF; i++) { if ($i == "start") s = $(i+1); if ($i == "size") n = $(i+1) } print s, n }' "$tmp/gpt")
check "GPT: an EFI system partition" test -n "$esp"
check "GPT: partition 1 (the ISO file system) mounts as ISO9660 too (label at its start + 32 KiB)" \
	bash -c "s=\$(awk -F'[=, ]+' '/iso1 :/ { for (i = 1; i <= NF; i++) if (\$i == \"start\") print \$(i+1) }' '$tmp/gpt'); [ \"\$(dd if='$iso' bs=512 skip=\$((s + 64)) count=1 2>/dev/null | dd bs=1 skip=40 count=${#label} 2>/dev/null)\" = '$label' ]"

# --- the files on the ISO
xorriso -osirrox on -indev "$iso" -extract /isolinux "$tmp/iso/isolinux" -extract /boot "$tmp/iso/boot" \
	-extract /live/rootfs.squashfs.sha256 "$tmp/iso/rootfs.squashfs.sha256" > "$tmp/extract.log" 2>&1 ||
	xh_die "cannot extract files from $iso: $(tail -n 3 "$tmp/extract.log")"
for f in xen.gz vmlinuz initrd-live.img; do
	check "ISO /boot/$f is the rootfs stage's" cmp "$tmp/iso/boot/$f" "$XH_ROOTFS_DIR/$f"
done
xorriso -osirrox on -indev "$iso" -extract /live/rootfs.squashfs "$tmp/rootfs.squashfs" > /dev/null 2>&1
check "ISO /live/rootfs.squashfs is the rootfs stage's image (sha256)" \
	bash -c "[ \"\$(sha256sum < '$tmp/rootfs.squashfs' | cut -c1-64)\" = \"\$(cut -c1-64 '$XH_ROOTFS_DIR/rootfs.squashfs.sha256')\" ]"
rm -f "$tmp/rootfs.squashfs"
check "ISO carries the image's .sha256" cmp "$tmp/iso/rootfs.squashfs.sha256" "$XH_ROOTFS_DIR/rootfs.squashfs.sha256"
for m in isolinux.bin ldlinux.c32 mboot.c32 libcom32.c32 libutil.c32 menu.c32 chain.c32; do
	check "ISO /isolinux/$m" test -s "$tmp/iso/isolinux/$m"
done
MTOOLS_SKIP_CHECK=1 mdir -b -i "$tmp/iso/boot/grub/efi.img" ::/EFI/BOOT > "$tmp/efi.ls" 2>&1
check "EFI image: FAT with /EFI/BOOT/BOOTX64.EFI" grep -qi '/EFI/BOOT/BOOTX64.EFI' "$tmp/efi.ls"
MTOOLS_SKIP_CHECK=1 mcopy -n -i "$tmp/iso/boot/grub/efi.img" ::/EFI/BOOT/BOOTX64.EFI "$tmp/BOOTX64.EFI" 2>/dev/null
check "BOOTX64.EFI: a PE32+ EFI application with the ISO's label in its built-in config" \
	bash -c "file '$tmp/BOOTX64.EFI' | grep -q 'EFI application' && grep -aq 'search --no-floppy --set=root --label $label' '$tmp/BOOTX64.EFI'"
check "BOOTX64.EFI: carries the gzio and multiboot2 modules (gzip xen.gz, multiboot2 loading)" \
	bash -c "strings '$tmp/BOOTX64.EFI' | grep -q 'gzio' && strings '$tmp/BOOTX64.EFI' | grep -q 'module2'"
if [ -n "$esp" ]; then
	read -r s n <<< "$esp"
	check "GPT EFI partition holds the same FAT image as El Torito" \
		bash -c "cmp <(dd if='$iso' bs=512 skip=$s count=$(( $(stat -c %s "$tmp/iso/boot/grub/efi.img") / 512 )) 2>/dev/null) '$tmp/iso/boot/grub/efi.img'"
fi

# --- the menus: isolinux (BIOS) and GRUB (UEFI) offer the same entries, arguments and timeout
menu_syslinux "$tmp/iso/isolinux/isolinux.cfg" > "$tmp/m.isolinux"
menu_grub "$tmp/iso/boot/grub/grub.cfg" > "$tmp/m.grub"
check "ISO menus: isolinux and GRUB entries agree (ids, names, Xen and dom0 arguments)" menus_agree "$tmp/m.isolinux" "$tmp/m.grub"
check "ISO menus: default entry and timeout agree (install, 5 s)" \
	bash -c "[ \"\$1\" = \"\$2\" ] && [ \"\$1\" = 'default install timeout 5' ] || { echo \"isolinux: \$1; grub: \$2\"; false; }" _ \
	"$(settings_syslinux "$tmp/iso/isolinux/isolinux.cfg")" "$(settings_grub "$tmp/iso/boot/grub/grub.cfg")"
check "ISO menus: every entry, serial console, dom0 defaults, image by label" \
	menu_rules "$tmp/m.isolinux" "root=live:CDLABEL=$label"
check "ISO menus: loaders on the serial console too (SERIAL 0 115200; GRUB serial terminal)" \
	bash -c "head -n 2 '$tmp/iso/isolinux/isolinux.cfg' | grep -q '^SERIAL 0 115200' && grep -q '^terminal_output console serial' '$tmp/iso/boot/grub/grub.cfg'"

# --- the PXE tree (when built): the same entries, the image over HTTP
pxe="$XH_BUILD/pxe"
if [ -d "$pxe/tftp" ]; then
	for f in pxelinux.0 ldlinux.c32 mboot.c32 libcom32.c32 pxelinux.cfg/default boot/grub/grub.cfg \
	         boot/grub/x86_64-efi/core.efi xen.gz vmlinuz initrd-live.img; do
		check "PXE tftp/$f" test -s "$pxe/tftp/$f"
	done
	check "PXE http/rootfs.squashfs matches its .sha256" bash -c "cd '$pxe/http' && sha256sum --quiet -c rootfs.squashfs.sha256"
	menu_syslinux "$pxe/tftp/pxelinux.cfg/default" > "$tmp/p.pxelinux"
	menu_grub "$pxe/tftp/boot/grub/grub.cfg" > "$tmp/p.grub"
	check "PXE menus: pxelinux and GRUB entries agree" menus_agree "$tmp/p.pxelinux" "$tmp/p.grub"
	url=$(sed -n 's/.*root=live:\(http[^ ]*\)\/rootfs\.squashfs .*/\1/p' "$tmp/p.pxelinux" | head -n 1)
	check "PXE menus: every entry, serial console, image over HTTP ($url)" \
		menu_rules "$tmp/p.pxelinux" "root=live:$url/rootfs.squashfs"
	check "PXE menus: the same entries and Xen arguments as the ISO's" \
		diff <(cut -d'|' -f1-3 "$tmp/m.isolinux") <(cut -d'|' -f1-3 "$tmp/p.pxelinux")
else
	fail "PXE tree present" "no $pxe/tftp: run 'make pxe'"
fi

# --- the live environment's start-up (issue 19): under each boot entry of the ISO's and
# the PXE tree's menus, with and without a DHCP lease that names an answer file (option
# 224), which installation does live-install (as the xenhost-live RPM ships it) start?
# Only an entry that asks for it (answerfile=) starts an unattended, disk-wiping install.
live_install=$tmp/live-rpm/usr/libexec/xenhost/live-install
rpm=$(rpm_of xenhost-live) && rpm_extract "$rpm" "$tmp/live-rpm"
live_root() { # DIR CMDLINE LEASE(224|plain|none) CARRIER: a /proc, /run and /sys for live-install
	rm -rf "$1"; mkdir -p "$1/proc" "$1/run/systemd/netif/leases" "$1/sys/class/net/eth0"
	printf '%s\n' "$2" > "$1/proc/cmdline"
	echo "$4" > "$1/sys/class/net/eth0/carrier"
	case $3 in
	224) printf 'ADDRESS=10.0.2.15\nOPTION_224=687474703a2f2f31302e302e322e3130302f612e786d6c\n' > "$1/run/systemd/netif/leases/2" ;;
	plain) printf 'ADDRESS=10.0.2.15\n' > "$1/run/systemd/netif/leases/2" ;;
	esac
}
plan() { XH_LIVE_ROOT=$tmp/lr XH_LIVE_WAIT=${WAIT:-2} "$live_install" --plan; }
# entry_plans MENU: for every entry, the plan under each lease, checked against the rule
entry_plans() {
	local menu=$1 id lab xen dom0 lease want got bad=0 af
	while IFS='|' read -r id lab xen dom0; do
		[ "$id" = local ] && continue
		case " $dom0 " in *" systemd.unit=rescue.target "*) continue ;; esac   # no installer runs there
		af=$(printf '%s\n' $dom0 | sed -n 's/^answerfile=//p')
		for lease in 224 plain none; do
			live_root "$tmp/lr" "$dom0" "$lease" 1
			got=$(plan 2>&1 | head -n 1)
			if [ -z "$af" ]; then want=interactive; else want="unattended answerfile=$af"; fi
			[ "$got" = "$want" ] || { echo "$id, lease $lease: '$got', expected '$want'"; bad=1; }
			echo "    $id, lease $lease: $got"
		done
	done < "$menu"
	return $bad
}
if [ -x "$live_install" ]; then
	check "live start-up: every ISO entry starts what it names; a lease with option 224 never makes the interactive entries unattended" \
		entry_plans "$tmp/m.isolinux"
	[ -f "$tmp/p.pxelinux" ] && check "live start-up: the same for every PXE entry" entry_plans "$tmp/p.pxelinux"
	check "live start-up: the interactive and the unattended-dhcp entries exist in both menus" sh -c \
		"grep -q '^install|' '$tmp/m.isolinux' && grep -q '^unattended-dhcp|.* answerfile=dhcp' '$tmp/m.isolinux' && grep -q '^unattended-dhcp|.* answerfile=dhcp' '$tmp/p.pxelinux'"
	live_root "$tmp/lr" "BOOT_IMAGE=vmlinuz console=hvc0" 224 1
	check "live start-up: the interactive entry with an option-224 lease says the file is not used and which entry uses it" \
		sh -c "XH_LIVE_ROOT='$tmp/lr' '$live_install' --plan | grep -q \"note: the DHCP server names an answer file (option 224), but this boot entry is interactive: it is not used. To install from it, boot the 'Unattended install (answer file from DHCP)' entry (answerfile=dhcp)\""
	live_root "$tmp/lr" "console=hvc0 answerfile=dhcp" none 1
	late_lease() { # the lease comes 2 s after start-up: answerfile=dhcp waits for it
		local t0=$SECONDS out
		( sleep 2; printf 'ADDRESS=10.0.2.15\nOPTION_224=6874\n' > "$tmp/lr/run/systemd/netif/leases/2" ) &
		out=$(WAIT=10 plan); wait
		[ "$out" = "unattended answerfile=dhcp" ] && [ $((SECONDS - t0)) -ge 2 ] && [ $((SECONDS - t0)) -lt 10 ] ||
			{ echo "'$out' after $((SECONDS - t0)) s"; return 1; }
	}
	check "live start-up: answerfile=dhcp waits for the lease that names the file (it came after 2 s)" late_lease
	live_root "$tmp/lr" "console=hvc0 answerfile=dhcp" plain 1
	check "live start-up: answerfile=dhcp without option 224 gives up after XH_LIVE_WAIT and lets the installer say what to do" \
		sh -c "out=\$(XH_LIVE_ROOT='$tmp/lr' XH_LIVE_WAIT=1 '$live_install' --plan) && echo \"\$out\" | grep -qx 'unattended answerfile=dhcp' && echo \"\$out\" | grep -q 'no DHCP lease carrying option 224 after 1 s'"
	live_root "$tmp/lr" "console=hvc0 answerfile=auto" none 0
	check "live start-up: answerfile=auto without a network link does not wait for a lease" \
		sh -c "t0=\$(date +%s); [ \"\$(XH_LIVE_ROOT='$tmp/lr' XH_LIVE_WAIT=20 '$live_install' --plan)\" = 'unattended answerfile=auto' ] && [ \$((\$(date +%s) - t0)) -lt 5 ]"
else
	fail "live start-up: live-install from the xenhost-live RPM" "no $live_install (rpm: ${rpm:-none})"
fi

# --- the menu generator refuses broken descriptions, by name
printf 'title T\ntimeout 5\ndefault a\nentry a | A | @NOPE@ | x\n' > "$tmp/bad1.def"
expect_fail "gen-menus: an undefined @NAME@ is refused" '@NOPE@ is not defined' \
	"$XH_TOP/iso/gen-menus" grub VERSION=1 LIVE=x ANSWERFILE=y --def "$tmp/bad1.def"
printf 'title T\ntimeout 5\ndefault b\nentry a | A | x | y\n' > "$tmp/bad2.def"
expect_fail "gen-menus: a default that is no entry is refused" "default entry 'b' is not an entry" \
	"$XH_TOP/iso/gen-menus" isolinux VERSION=1 LIVE=x ANSWERFILE=y --def "$tmp/bad2.def"
printf 'title T\ntimeout 5\ndefault a\nentry a | A | x\n' > "$tmp/bad3.def"
expect_fail "gen-menus: an entry without dom0 arguments is refused" "needs 'ID \| LABEL \| XEN ARGS \| DOM0 ARGS'" \
	"$XH_TOP/iso/gen-menus" isolinux VERSION=1 LIVE=x ANSWERFILE=y --def "$tmp/bad3.def"

# --- the stages refuse missing inputs and bad settings
expect_fail "iso/build without the rootfs outputs says to run make rootfs" "missing in .*run 'make rootfs'" \
	env XH_ROOTFS_DIR="$tmp/none" XH_CACHE="$tmp/cache" XH_BUILD="$tmp/b0" "$XH_TOP/iso/build"
expect_fail "iso/pxe refuses a URL that is not http(s)" "is not an http:// or https:// URL" \
	env XH_PXE_URL=ftp://x XH_CACHE="$tmp/cache" XH_BUILD="$tmp/b0" "$XH_TOP/iso/pxe"
printf 'zz:54:00:12:34:56 a.xml\n' > "$tmp/hosts"
expect_fail "iso/pxe refuses a hosts file with a bad MAC, naming the line" "hosts:1: 'zz:54:00:12:34:56' is not a MAC" \
	env XH_PXE_HOSTS="$tmp/hosts" XH_ROOTFS_DIR="$XH_BUILD/rootfs" XH_CACHE="$tmp/cache" XH_BUILD="$tmp/b0" "$XH_TOP/iso/pxe"

# --- reproducible: a second build, at another time, in another tree, with an empty
# cache, gives the same bytes (ISO) and the same files (PXE tree)
XH_CACHE="$tmp/cache" XH_BUILD="$tmp/b2" XH_ROOTFS_DIR="$XH_ROOTFS_DIR" "$XH_TOP/iso/build" > "$tmp/b2.log" 2>&1
check "ISO: a second build (empty cache, other tree) gives the same bytes" \
	bash -c "cmp '$iso' '$tmp/b2/xenhost-$ver-x86_64.iso' || { tail -n 5 '$tmp/b2.log'; '$XH_TOP/ci/repro-diff' '$iso' '$tmp/b2/xenhost-$ver-x86_64.iso' | head -n 30; false; }"
check "ISO: the stage reports its name, cache miss and time" grep -Eq '^==> iso +cache miss +key [0-9a-f]+' "$tmp/b2.log"
XH_CACHE="$tmp/cache" XH_BUILD="$tmp/b2" XH_ROOTFS_DIR="$XH_ROOTFS_DIR" "$XH_TOP/iso/build" > "$tmp/b3.log" 2>&1
check "ISO: building again is a cache hit" grep -Eq '^==> iso +cache hit' "$tmp/b3.log"
if [ -d "$pxe/tftp" ]; then
	XH_CACHE="$tmp/cache" XH_BUILD="$tmp/b2" XH_ROOTFS_DIR="$XH_ROOTFS_DIR" "$XH_TOP/iso/pxe" > "$tmp/p2.log" 2>&1
	check "PXE: a second build gives the same files" \
		bash -c "diff -r '$pxe' '$tmp/b2/pxe' && [ \"\$(cd '$pxe' && find . -type f | sort | xargs stat -c '%n %Y' | sha256sum)\" = \"\$(cd '$tmp/b2/pxe' && find . -type f | sort | xargs stat -c '%n %Y' | sha256sum)\" ]"
fi
exit 0
