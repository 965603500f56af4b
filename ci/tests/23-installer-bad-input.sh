#!/usr/bin/env bash
# The bad-input catalogue (installer/tests/bad-answerfiles.txt): malformed and hostile
# answer files (broken XML, huge files, deep nesting, entity expansion, external
# entities, unknown elements, wrong types, out-of-range values, conflicting options,
# disks that do not exist, the boot medium as the target). Each is given to the
# installer (built with ASan and UBSan) for a real install, not a dry run, with a 64 GiB
# loop disk as its target, and must be refused with its exit code and its own message;
# the disks (the target, a 20 GiB disk, the boot medium) must be byte-identical after
# every one. The catalogue's "control" entry is the file the others spoil: it must get
# as far as the image's checksum, so that each refusal is the entry's own defect.
. "$(dirname "$0")/../lib/test.sh"
. "$(dirname "$0")/../lib/loopdisk.sh"
O="$XH_BUILD/installer"
cat_file="$XH_TOP/installer/tests/bad-answerfiles.txt"

if [ "$(id -u)" -ne 0 ] || ! command -v losetup >/dev/null; then
	echo "SKIP: $T_SUITE: needs root and losetup"; exit 0
fi
loop_workdir xh-bad
san_installer || exit 0

# --- the disks: the target (with an old table and a filesystem), a small one, the medium
truncate -s 64G "$tmp/disk.img" && truncate -s 20G "$tmp/small.img" && truncate -s 256M "$tmp/medium.img" ||
	{ fail "sparse disk files" "truncate failed"; exit 0; }
printf 'label: gpt\n,1G,L\n' | sfdisk -q "$tmp/disk.img" > /dev/null 2>&1
mkfs.ext4 -q -L XENHOST-MEDIUM "$tmp/medium.img" || { fail "the boot medium's filesystem" "mkfs.ext4 failed"; exit 0; }
attach "$tmp/disk.img" loop && attach "$tmp/small.img" small && attach "$tmp/medium.img" medium ||
	{ fail "loop devices" "losetup -P -f failed"; exit 0; }
mkfs.ext4 -q -L OLDFS "${loop}p1" > /dev/null 2>&1
mkdir -p "$tmp/live" && mount -o ro "$medium" "$tmp/live" || { fail "mount the boot medium" "mount failed"; exit 0; }
L=${loop#/dev/} S=${small#/dev/} M=${medium#/dev/}
settle() { local d; for d in "$loop" "$loop"p* "$small"; do [ -b "$d" ] && { blkid -p "$d" > /dev/null 2>&1; blockdev --flushbufs "$d"; }; done; sync; }
settle
prints() { echo "$(fingerprint "$tmp/disk.img") $(fingerprint "$tmp/small.img") $(fingerprint "$tmp/medium.img")"; }
before=$(prints)

# A fake image whose checksum never matches: the control entry stops there.
mkdir -p "$tmp/img/boot" && echo fake > "$tmp/img/boot/xen.gz"
mksquashfs "$tmp/img" "$tmp/fake.squashfs" -quiet -no-progress -noappend > /dev/null 2>&1
echo "0000000000000000000000000000000000000000000000000000000000000000  fake.squashfs" > "$tmp/fake.squashfs.sha256"
: > "$tmp/cmdline"

# generate KIND FILE: the entries too big or too binary to keep in the catalogue.
control_head() { printf '<?xml version="1.0" encoding="UTF-8"?>\n<installation mode="fresh">\n  <primary-disk>%s</primary-disk>\n' "$L"; }
control_tail() { printf '  <root-password type="plaintext">Xh-plain-Secret-42</root-password>\n  <admin-interface name="eth0" proto="dhcp"/>\n</installation>\n'; }
generate() {
	case $1 in
	empty) : > "$2" ;;
	bad-utf8) { control_head; printf '  <hostname>caf\xc3\x28</hostname>\n'; control_tail; } > "$2" ;;
	nul) { control_head; printf '  <hostname>a\0b</hostname>\n'; control_tail; } > "$2" ;;
	utf16) { control_head; control_tail; } | sed 's/UTF-8/UTF-16/' | iconv -f UTF-8 -t UTF-16 > "$2" ;;
	huge) { control_head; printf '  <!-- '; head -c 64M /dev/zero | tr '\0' 'x'; printf ' -->\n'; control_tail; } > "$2" ;;
	deep) { control_head; for _ in $(seq 1 100000); do printf '<a>'; done; for _ in $(seq 1 100000); do printf '</a>'; done; printf '\n'; control_tail; } > "$2" ;;
	many) { control_head; for _ in $(seq 1 20000); do printf '<name-server>192.0.2.1</name-server>\n'; done; control_tail; } > "$2" ;;
	long-value) { control_head; printf '  <hostname>'; head -c 900K /dev/zero | tr '\0' 'a'; printf '</hostname>\n'; control_tail; } > "$2" ;;
	boot-medium) { printf '<?xml version="1.0" encoding="UTF-8"?>\n<installation mode="fresh">\n  <primary-disk>%s</primary-disk>\n' "$M"; control_tail; } > "$2" ;;
	*) return 1 ;;
	esac
}

# The catalogue, split: entry i is $tmp/cat/i.xml with i.name, i.exit and i.expect.
mkdir -p "$tmp/cat"
awk -v dir="$tmp/cat" -v L="$L" -v S="$S" '
	/^## / { n++; base = sprintf("%s/%03d", dir, n); print substr($0, 4) > (base ".name"); close(base ".name"); printf "" > (base ".xml"); next }
	n == 0 { next }
	/^# exit: / { print substr($0, 9) > (base ".exit"); close(base ".exit"); next }
	/^# expect: / { print substr($0, 11) > (base ".expect"); close(base ".expect"); next }
	/^@generate / { print $2 > (base ".generate"); close(base ".generate"); next }
	{ gsub(/@DISK@/, L); gsub(/@SMALL@/, S); print >> (base ".xml"); close(base ".xml") }
' "$cat_file" || { fail "read the catalogue" "awk failed on $cat_file"; exit 0; }
for f in "$tmp"/cat/*.xml; do   # drop the blank lines that end each entry
	b=${f%.xml}
	if [ -f "$b.generate" ]; then generate "$(cat "$b.generate")" "$f" || fail "generate $(cat "$b.generate")" "unknown kind"
	else sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$f"; fi
done
n=$(ls "$tmp"/cat/*.name | wc -l)

refused=0
for b in $(ls "$tmp"/cat/*.name | sed 's/\.name$//' | LC_ALL=C sort); do
	name=$(cat "$b.name"); want=$(cat "$b.exit"); pat=$(sed -e "s/@DISK@/$L/g" -e "s/@SMALL@/$S/g" "$b.expect")
	"$bin" --disk-allow-loop --cmdline "$tmp/cmdline" --host-ram 16GiB --host-cpus 4 --live-dir "$tmp/live" \
		--target-root "$tmp/target" --run-dir "$tmp/run" --log "$tmp/install.log" \
		--answerfile "$b.xml" --image "$tmp/fake.squashfs" < /dev/null > "$b.out" 2>&1
	rc=$?
	settle
	now=$(prints)
	why=""
	[[ $rc =~ ^($want)$ ]] || why="exit $rc, expected $want"
	grep -Eq -- "$pat" <<<"$(tr '\n' ' ' < "$b.out")" || why="${why:+$why; }no message matching /$pat/"
	grep -q 'AddressSanitizer\|runtime error:' "$b.out" && why="${why:+$why; }a sanitizer report"
	if [ "$now" != "$before" ]; then
		changed=$(paste -d' ' <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$now") <(printf '%s\n' target small medium) | awk '$1 != $2 { printf "%s ", $3 }')
		why="${why:+$why; }a disk was written (${changed% })"; before=$now
	fi
	if [ -z "$why" ]; then
		pass "$name: exit $rc, $(grep -m1 -E 'error:|damaged|refused|never an install target' "$b.out" | sed "s|$tmp/cat/||" | cut -c1-150)"
		[ "$name" = control ] || refused=$((refused + 1))
	else
		fail "$name" "$why: $(sed "s|$tmp/cat/||" "$b.out" | head -c 600)"
	fi
done
check "the catalogue has at least 50 bad answer files ($((n - 1)))" test $((n - 1)) -ge 50
echo "    bad answer files: $refused of $((n - 1)) refused with their message, no disk written"
exit 0
