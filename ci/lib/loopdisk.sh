# ci/lib/loopdisk.sh: disk files on loop devices, for the installer suites (sourced).
# The caller keeps the array loops (cleanup detaches them).

# attach FILE VAR: attach FILE (with partition nodes), its loop device in VAR (not in a
# subshell: the caller's cleanup detaches it). Without udev (as here) nothing makes the
# nodes of the partitions already on FILE: partx does.
attach() {
	local l; l=$(losetup -P -f --show "$1") || return 1; loops+=("$l"); printf -v "$2" '%s' "$l"
	[ -e "${l}p1" ] || partx -a "$l" 2> /dev/null
	return 0
}

# fingerprint FILE: the content of a (sparse) file: sha256 over its size and every
# 64 KiB block that is not all zeros, with its offset. Only data extents are read
# (cheap on a 64 GiB file that is mostly holes); the layout of the extents does not
# count (the filesystem holding the file may split or merge them when it writes back).
fingerprint() {
	python3 - "$1" <<-'PY'
	import hashlib, os, sys
	B = 1 << 16
	fd = os.open(sys.argv[1], os.O_RDONLY); size = os.fstat(fd).st_size; h = hashlib.sha256(str(size).encode()); off = 0
	zero = bytes(B)
	while off < size:
	    try: d = os.lseek(fd, off, os.SEEK_DATA)
	    except OSError: break
	    e = os.lseek(fd, d, os.SEEK_HOLE); d -= d % B
	    while d < e:
	        b = os.pread(fd, B, d)
	        if not b: break
	        if b != zero[:len(b)]: h.update(b"@%d" % d); h.update(b)
	        d += len(b)
	    off = max(e, d)
	print(h.hexdigest())
	PY
}

# disk_has FILE STRING: STRING is somewhere in the data extents of FILE (a sparse disk
# image), like fingerprint reading only what was written
disk_has() {
	python3 - "$1" "$2" <<-'PY'
	import os, sys
	fd = os.open(sys.argv[1], os.O_RDONLY); size = os.fstat(fd).st_size; want = sys.argv[2].encode(); off = 0; B = 1 << 22
	while off < size:
	    try: d = os.lseek(fd, off, os.SEEK_DATA)
	    except OSError: break
	    e = os.lseek(fd, d, os.SEEK_HOLE)
	    while d < e:
	        b = os.pread(fd, min(B, e - d) + len(want), d)
	        if want in b: print("found at byte", d + b.index(want)); sys.exit(0)
	        d += B
	    off = e
	sys.exit(1)
	PY
}

# loop_workdir NAME: $tmp, a new directory /var/tmp/NAME.XXXXXX, the empty array loops,
# and an EXIT trap that unmounts what is mounted under $tmp, detaches the loops, calls
# loop_on_exit when the suite defines it, and removes $tmp.
loop_workdir() {
	tmp=$(mktemp -d "/var/tmp/$1.XXXXXX") || xh_die "mktemp failed"
	loops=()
	trap loop_cleanup EXIT
}
loop_cleanup() {
	local m l
	for m in $(awk -v t="$tmp" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m"; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	if declare -F loop_on_exit > /dev/null; then loop_on_exit; fi
	rm -rf "$tmp"
}

# san_installer: build xenhost-installer with ASan and UBSan (they watch the executor
# too) into $O/san; $bin is the program. Returns 1 (after a FAIL line) when it does not build.
san_installer() {
	local out
	if ! out=$(make -C "$XH_TOP/installer" -j"${XH_JOBS:-2}" O="$O" "$O/san/xenhost-installer" 2>&1); then
		fail "installer builds" "$(printf '%s' "$out" | tail -n 20)"; return 1
	fi
	bin="$O/san/xenhost-installer"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export MTOOLS_SKIP_CHECK=1
}
