# ci/lib/image.sh: a writable, throwaway view of the host image for tests (sourced).
#   image_open IMG DIR   mount IMG (squashfs) at DIR with a tmpfs overlay, plus /proc, /sys, /dev
#   image_close DIR      undo it
#   in_image DIR CMD...  run CMD chrooted in DIR with a clean environment

image_open() {
	local img=$1 dir=$2
	mkdir -p "$dir.lower" "$dir.rw" "$dir" || return 1
	mount -t squashfs -o loop,ro "$img" "$dir.lower" || { echo "cannot mount $img" >&2; return 1; }
	mount -t tmpfs tmpfs "$dir.rw" && mkdir -p "$dir.rw/u" "$dir.rw/w" &&
	mount -t overlay overlay -o "lowerdir=$dir.lower,upperdir=$dir.rw/u,workdir=$dir.rw/w" "$dir" &&
	mount -t proc proc "$dir/proc" && mount -t sysfs sysfs "$dir/sys" && mount --bind /dev "$dir/dev" ||
		{ echo "cannot make a writable overlay of $img at $dir" >&2; image_close "$dir"; return 1; }
}

image_close() {
	local dir=$1 m
	for m in $(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m"
	done
	for m in "$dir.rw" "$dir.lower"; do mountpoint -q "$m" && umount -l "$m"; done
	return 0
}

in_image() { local d=$1; shift; chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
