# rootfs/squashfs-comp.sh: sourced by rootfs/build and ci/bench/squashfs-comp.
# xh_squashfs_comp_opts COMP: mksquashfs's options for COMP (xz, or zstd:LEVEL with LEVEL
# 1 to 22) into the array comp_opts; returns 1 for anything else.
xh_squashfs_comp_opts() {
	case $1 in
	xz) comp_opts=(-comp xz -Xbcj x86 -b 1M) ;;
	zstd:[1-9] | zstd:1[0-9] | zstd:2[0-2]) comp_opts=(-comp zstd -Xcompression-level "${1#zstd:}" -b 1M) ;;
	*) return 1 ;;
	esac
}
