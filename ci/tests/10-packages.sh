#!/usr/bin/env bash
# Package-level tests: the RPMs in build/repo/ are what a packager expects, the kernel
# config carries every option the dom0 needs, xen.gz boots by multiboot2, and the
# package stage refuses bad sources and missing build dependencies cleanly.
. "$(dirname "$0")/../lib/test.sh"
ver=$(xh_version)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

[ -f "$XH_BUILD/repo/repodata/repomd.xml" ] || xh_die "no repository in $XH_BUILD/repo: run 'make rpms'"

# --- the repository holds every platform package, with full metadata
for n in xenhost-release xen-hypervisor xen-hypervisor-debug xen-libs xen-tools xen-devel \
         kernel kernel-drivers-storage kernel-drivers-net; do
	f=$(rpm_of "$n") || { fail "rpm $n present" "not in $XH_BUILD/repo"; continue; }
	pass "rpm $n present"
	meta_ok() {
		local q
		q=$(rpm -qp --qf '%{NAME}|%{VERSION}|%{RELEASE}|%{LICENSE}|%{SUMMARY}|%{URL}|%{BUILDHOST}' "$1") || return 1
		IFS='|' read -r nm v r lic sum url bh <<< "$q"
		cl=$(rpm -qp --changelog "$1" | head -n 1)
		for x in "$nm" "$v" "$r" "$lic" "$sum" "$url" "$cl"; do
			[ -n "$x" ] && [ "$x" != "(none)" ] || { echo "empty field in: $q"; return 1; }
		done
		[ "$bh" = xenhost-build ] || { echo "build host $bh"; return 1; }
		case "$nm" in xenhost-*) [ "$v" = "$ver" ] || { echo "version $v != VERSION $ver"; return 1; } ;;
		              *) case "$r" in *.xh"${ver%%.*}") ;; *) echo "release $r lacks the series tag .xh${ver%%.*}"; return 1 ;; esac ;;
		esac
	}
	check "rpm $n metadata (name, version, release tagged with VERSION or its series, license, summary, url, changelog)" meta_ok "$f"
done

# --- signatures: every RPM and the repository metadata, by the project key
pub="$XH_BUILD/repo/RPM-GPG-KEY-xenhost"
check "the repository carries its public key (RPM-GPG-KEY-xenhost), an Ed25519 OpenPGP key" sh -c \
	"gpg --batch --show-keys --with-colons '$pub' 2>/dev/null | grep -q '^pub:[^:]*:255:22:'"
mkdir -p "$tmp/keydb" && rpmkeys --dbpath "$tmp/keydb" --import "$pub" 2> /dev/null
all_signed() {
	local f out bad=""
	for f in "$XH_BUILD"/repo/*.rpm; do
		out=$(rpmkeys --dbpath "$tmp/keydb" -K "$f" 2>&1)
		case $out in *": digests signatures OK") ;; *) bad="$bad $(basename "$f") ($out)" ;; esac
	done
	[ -z "$bad" ] || { echo "not signed by the key:$bad"; return 1; }
}
check "every RPM in the repository ($(ls "$XH_BUILD"/repo/*.rpm | wc -l)) has a good signature by that key (rpmkeys -K)" all_signed
tampered() {
	local f; f=$(rpm_of xenhost-release); cp "$f" "$tmp/t.rpm"
	local sz; sz=$(stat -c %s "$tmp/t.rpm")
	printf '\377' | dd of="$tmp/t.rpm" bs=1 seek=$(( sz - 64 )) conv=notrunc 2> /dev/null
	local out; out=$(rpmkeys --dbpath "$tmp/keydb" -K "$tmp/t.rpm" 2>&1)   # (exits 1: read whole, not piped under pipefail)
	case $out in *"NOT OK"*) ;; *) echo "rpmkeys: $out"; return 1 ;; esac
}
check "an RPM changed after signing fails the check (NOT OK)" tampered
unsigned_refused() {
	local f; f=$(rpm_of xenhost-release)
	cp "$f" "$tmp/u.rpm" && rpmsign --delsign "$tmp/u.rpm" > /dev/null 2>&1 &&
		! rpmkeys --dbpath "$tmp/keydb" -K "$tmp/u.rpm" 2>&1 | grep -q 'signatures OK' &&
		mkdir -p "$tmp/r" && rpm --root "$tmp/r" --initdb &&
		! rpm --root "$tmp/r" --define '_pkgverify_level signature' -i --nodeps --justdb "$tmp/u.rpm" > "$tmp/u.out" 2>&1 &&
		grep -q 'does not verify: no signature' "$tmp/u.out"
}
check "an unsigned RPM is refused by rpm when signatures are required (as the image build installs)" unsigned_refused
repomd_ok() {
	gpg --batch --dearmor < "$pub" > "$tmp/pub.gpg" &&
		gpgv --keyring "$tmp/pub.gpg" "$XH_BUILD/repo/repodata/repomd.xml.asc" "$XH_BUILD/repo/repodata/repomd.xml" 2> "$tmp/gpgv.out" ||
		{ cat "$tmp/gpgv.out"; return 1; }
	cp "$XH_BUILD/repo/repodata/repomd.xml" "$tmp/repomd.xml" && echo '<!-- changed -->' >> "$tmp/repomd.xml"
	! gpgv --keyring "$tmp/pub.gpg" "$XH_BUILD/repo/repodata/repomd.xml.asc" "$tmp/repomd.xml" 2> /dev/null
}
check "the repository metadata is signed (repomd.xml.asc verifies with gpgv; a changed repomd.xml does not)" repomd_ok
resign_same() {
	# signatures are deterministic: signing the built RPM again gives the repository's bytes
	. "$XH_TOP/ci/lib/signing.sh" && xh_signing_init 2> /dev/null &&
		cp "$XH_BUILD"/rpms/xenhost-release/xenhost-release-*.rpm "$tmp/s.rpm" && xh_sign_rpms "$tmp/s.rpm" 2> /dev/null &&
		cmp "$tmp/s.rpm" "$(rpm_of xenhost-release)"
}
check "signing is reproducible: the same RPM signed again is byte-identical" resign_same

# --- dependencies between our packages are declared
req() { rpm -qp --requires "$(rpm_of "$1")" | grep -E "^$2" > /dev/null; }
check "xen-tools requires xen-libs" req xen-tools 'xen-libs = '
check "xen-tools requires xen-hypervisor" req xen-tools 'xen-hypervisor = '
check "qemu-xen (the device model) requires xen-libs" req qemu-xen 'xen-libs'
check "the device model links our Xen 4.17 libraries (libxenctrl.so.4.17, libxendevicemodel, libxenstore)" sh -c \
	"rpm -qp --requires '$(rpm_of qemu-xen)' > $tmp/qreq && grep -q '^libxenctrl.so.4.17()' $tmp/qreq && grep -q '^libxendevicemodel.so.1()' $tmp/qreq && grep -q '^libxenstore.so.4()' $tmp/qreq"
check "the device model is where libxl starts it, with Debian's patches applied (QEMU 7.2.22)" sh -c \
	"rpm -qlp '$(rpm_of qemu-xen)' | grep -qx /usr/libexec/xen/bin/qemu-system-i386 && test \"\$(rpm -qp --qf '%{VERSION}' '$(rpm_of qemu-xen)')\" = 7.2.22"
check "pvgrub carries the PV and PVH GRUB images" sh -c \
	"rpm -qlp '$(rpm_of pvgrub)' | grep -qx /usr/lib/xen/boot/grub-x86_64-xen.bin && rpm -qlp '$(rpm_of pvgrub)' | grep -qx /usr/lib/xen/boot/grub-i386-xen_pvh.bin"
check "ovmf-xen carries OVMF for Xen where libxl loads it (a 2 MiB firmware volume)" sh -c \
	"rpm -qlvp '$(rpm_of ovmf-xen)' | awk '\$NF == \"/usr/lib/xen/boot/ovmf.bin\" { print \$5 }' | grep -qx 2097152"
check "pygrub reads ext4 through libext2fs (the xenfsimage ext2fs-lib plugin: files with extent trees)" sh -c \
	"rpm -qlp '$(rpm_of xen-python)' | grep -qx /usr/lib/xenfsimage/ext2fs-lib/fsimage.so"
check "xen-python installs pygrub and its modules where Debian's python3 finds them" sh -c \
	"rpm -qlp '$(rpm_of xen-python)' | grep -q '^/usr/lib/python3/dist-packages/grub/GrubConf.py$' && ! rpm -qlp '$(rpm_of xen-python)' | grep -q '^/usr/local'"
check "kernel-drivers-storage requires the matching kernel" req kernel-drivers-storage "kernel = $(rpm -qp --qf '%{VERSION}-%{RELEASE}' "$(rpm_of kernel)")"
check "kernel-drivers-net requires the matching kernel" req kernel-drivers-net "kernel = $(rpm -qp --qf '%{VERSION}-%{RELEASE}' "$(rpm_of kernel)")"

# --- the kernel: release string, config, and drivers in the right packages
rpm_extract "$(rpm_of kernel)" "$tmp/kernel"
krel=$(ls "$tmp/kernel/usr/lib/modules" 2>/dev/null)
check "kernel release string is <version>-xenhost" test "$krel" = "$(rpm -qp --qf '%{VERSION}' "$(rpm_of kernel)")-xenhost"
check "kernel config has every option of packages/kernel/xenhost.config" \
	"$XH_TOP/packages/kernel/check-config" "$XH_TOP/packages/kernel/xenhost.config" "$tmp/kernel/boot/config-$krel"
check "kernel package has vmlinuz, System.map and config" \
	test -s "$tmp/kernel/boot/vmlinuz-$krel" -a -s "$tmp/kernel/boot/System.map-$krel" -a -s "$tmp/kernel/boot/config-$krel"
# (grep without -q: under pipefail an early exit of grep would fail rpm with SIGPIPE)
has_mod() { rpm -qlp "$(rpm_of "$1")" | grep "/$2.ko\$" > /dev/null; }
for m in ahci ata_piix nvme virtio_blk megaraid_sas mpt3sas hpsa smartpqi aacraid usb-storage; do
	check "kernel-drivers-storage carries $m" has_mod kernel-drivers-storage "$m"
done
for m in e1000 e1000e igb ixgbe i40e ice bnxt_en tg3 mlx4_en mlx5_core virtio_net; do
	check "kernel-drivers-net carries $m" has_mod kernel-drivers-net "$m"
done
check "openvswitch is a module of the kernel package" has_mod kernel openvswitch

# --- xen: the hypervisor boots by multiboot2 and by EFI; the toolstack is complete
rpm_extract "$(rpm_of xen-hypervisor)" "$tmp/xen"
rpm_extract "$(rpm_of xen-tools)" "$tmp/xentools"
rpm_extract "$(rpm_of xen-libs)" "$tmp/xenlibs"
mb2() { # a multiboot2 header: magic, arch 0, length, checksum, 8-aligned in the first 32 KiB
	python3 - "$1" <<'PY'
import gzip, struct, sys
data = gzip.open(sys.argv[1]).read()[:32768]
for off in range(0, len(data) - 16, 8):
    magic, arch, length, csum = struct.unpack_from("<IIII", data, off)
    if magic == 0xE85250D6 and (magic + arch + length + csum) & 0xFFFFFFFF == 0:
        print("multiboot2 header at offset", off); sys.exit(0)
sys.exit("no multiboot2 header in the first 32 KiB of " + sys.argv[1])
PY
}
check "xen.gz carries a multiboot2 header" mb2 "$(ls "$tmp"/xen/boot/xen-*.gz | head -n 1)"
check "xen.efi is a PE/COFF EFI application" sh -c "head -c 2 $tmp/xen/usr/lib/efi/xen.efi | grep -q MZ"
for f in usr/sbin/xl usr/sbin/xenstored usr/sbin/xenconsoled usr/libexec/xen/bin/xen-init-dom0 \
         usr/lib/systemd/system/xenstored.service usr/lib/systemd/system/xenconsoled.service \
         usr/lib/systemd/system/xen-init-dom0.service usr/lib/systemd/system/xendomains.service \
         usr/lib/systemd/system/xen-watchdog.service; do
	check "xen-tools ships /$f" test -e "$tmp/xentools/$f"
done
check "xen-libs ships libxenlight" sh -c "ls $tmp/xenlibs/usr/lib/libxenlight.so.* >/dev/null"

# --- the installer is built hardened: PIE, full RELRO, stack protector, FORTIFY, no executable stack
rpm_extract "$(rpm_of xenhost-installer)" "$tmp/installer"
hardened() {
	local f=$1 why="" h d l syms   # (each tool's output read whole: grep -q would close the pipe early)
	h=$(readelf -hW "$f") d=$(readelf -dW "$f") l=$(readelf -lW "$f") syms=$(nm -D "$f")
	grep -q 'Type: *DYN' <<<"$h" || why="$why not PIE;"
	grep -q 'FLAGS.*BIND_NOW' <<<"$d" && grep -q GNU_RELRO <<<"$l" || why="$why no full RELRO (relro + now);"
	grep -q ' U __stack_chk_fail' <<<"$syms" || why="$why no stack protector;"
	grep -Eq ' U __[a-z]+_chk(@|$)' <<<"$syms" || why="$why no _FORTIFY_SOURCE;"
	grep GNU_STACK <<<"$l" | grep -q ' RW ' || why="$why executable stack;"
	[ -z "$why" ] || { echo "$f:$why"; return 1; }
}
check "the installer binary is PIE with full RELRO, stack protector, FORTIFY and a non-executable stack" \
	hardened "$tmp/installer/usr/sbin/xenhost-installer"

# --- the package stage: cache hits, and clean refusals
check "a second build of a package is a cache hit" sh -c \
	"'$XH_TOP/packages/build' xenhost-release | grep -q 'cache hit'"

# A scratch tree (a copy of the recipe, not of build/) with a scratch cache.
mk_tree() {
	rm -rf "$tmp/tree" "$tmp/build" "$tmp/cache"
	mkdir -p "$tmp/tree" "$tmp/cache/downloads"
	cp -a "$XH_TOP/ci" "$XH_TOP/packages" "$XH_TOP/VERSION" "$tmp/tree/"
	mkdir -p "$tmp/tree/packages/broken"
	cat > "$tmp/tree/packages/broken/broken.spec" <<'SPEC'
Name: broken
Version: 1
Release: 1
Summary: test package
License: MIT
Source0: upstream.tar.xz
%description
test
%files
SPEC
}
in_tree() { env XH_TOP="$tmp/tree" XH_BUILD="$tmp/build" XH_CACHE="$tmp/cache" SOURCE_DATE_EPOCH=1700000000 "$@"; }

mk_tree
echo "not the real tarball" > "$tmp/cache/downloads/upstream.tar.xz"
echo "upstream.tar.xz 0000000000000000000000000000000000000000000000000000000000000000 xen=4.17.5+72-g01140da4e8-1" \
	> "$tmp/tree/packages/broken/sources"
expect_fail "a source with the wrong sha256 stops the build, naming file and both sums" \
	"upstream.tar.xz.*does not match.*expected sha256 0{64}.*actual +sha256 [0-9a-f]{64}" \
	in_tree "$tmp/tree/packages/build" broken
check "... and leaves no RPMs and no cache entry" sh -c "! ls $tmp/build/rpms/broken/*.rpm 2>/dev/null && ! ls -d $tmp/cache/rpm-broken/*/ 2>/dev/null"

mk_tree
echo "missing.tar.xz 0000000000000000000000000000000000000000000000000000000000000000 xenhost-no-such-source=1.0-1" \
	> "$tmp/tree/packages/broken/sources"
expect_fail "a source Debian does not serve stops the build with what to do" \
	"source missing.tar.xz of package 'broken'.*did not provide it" \
	in_tree "$tmp/tree/packages/build" broken
check "... and leaves no RPMs" sh -c "! ls $tmp/build/rpms/broken/*.rpm 2>/dev/null"

mk_tree
echo "xenhost-no-such-build-dependency" > "$tmp/tree/packages/broken/build-deps"
expect_fail "a missing build dependency is named, with 'make deps' as the remedy" \
	"missing build dependencies: xenhost-no-such-build-dependency.*make deps" \
	in_tree "$tmp/tree/packages/build" broken

# The key of a package depends on its own inputs only: changing one spec changes its key
# and no other.
key_of() { in_tree "$tmp/tree/packages/build" "$1" --key; }
mk_tree
k_rel=$(key_of xenhost-release); k_xen=$(key_of xen); k_kern=$(key_of kernel)
echo "# a change" >> "$tmp/tree/packages/xenhost-release/xenhost-release.spec"
check "a changed spec changes that package's key" test "$(key_of xenhost-release)" != "$k_rel"
check "... and not the keys of the others" test "$(key_of xen)" = "$k_xen" -a "$(key_of kernel)" = "$k_kern"
# A package built against another's RPMs (qemu-xen against xen-devel): their bytes are in its key
mkdir -p "$tmp/build/rpms"; cp -a "$XH_BUILD/rpms/xen" "$tmp/build/rpms/xen"
k_q=$(key_of qemu-xen)
check "the device model's key covers the xen-devel and xen-libs RPMs it is built against" sh -c \
	"[ -n '$k_q' ] && echo changed >> $tmp/build/rpms/xen/$(basename "$(ls "$XH_BUILD"/rpms/xen/xen-devel-*.rpm)") &&
	 k=\$(env XH_TOP=$tmp/tree XH_BUILD=$tmp/build XH_CACHE=$tmp/cache SOURCE_DATE_EPOCH=1700000000 $tmp/tree/packages/build qemu-xen --key) && [ -n \"\$k\" ] && [ \"\$k\" != '$k_q' ]"
rm -rf "$tmp/build/rpms/xen"
expect_fail "... and without them it says which package to build first" "builds against RPM 'xen-devel' of package 'xen', which is not built: run 'make rpm-xen' first" \
	in_tree "$tmp/tree/packages/build" qemu-xen --key

# A new release (a commit that changes VERSION only) rebuilds our own packages and reuses
# the platform packages: their keys and timestamps come from their own inputs.
key_git() { (cd "$tmp/tree" && env -u SOURCE_DATE_EPOCH XH_TOP="$tmp/tree" XH_BUILD="$tmp/build" XH_CACHE="$tmp/cache" packages/build "$1" --key); }
mk_tree
(cd "$tmp/tree" && git init -q && git add -A && GIT_COMMITTER_DATE=@1700000000 git -c user.name=t -c user.email=t@t commit -q -m N) || fail "a git tree for the key test" "git commit failed"
k_rel=$(key_git xenhost-release); k_xen=$(key_git xen); k_kern=$(key_git kernel)
echo 0.99.0 > "$tmp/tree/VERSION"
(cd "$tmp/tree" && git add VERSION && GIT_COMMITTER_DATE=@1700086400 git -c user.name=t -c user.email=t@t commit -q -m N+1) || fail "a git tree for the key test" "git commit failed"
check "a new VERSION changes the key of our own packages (xenhost-release)" \
	test -n "$k_rel" -a "$(key_git xenhost-release)" != "$k_rel"
check "... and keeps the keys of the platform packages (xen, kernel): the next release reuses them" \
	test -n "$k_xen" -a "$(key_git xen)" = "$k_xen" -a -n "$k_kern" -a "$(key_git kernel)" = "$k_kern"
exit 0
