#!/bin/bash
# dracut module xenhost-networkd-netroot: what the live initramfs of the install
# environment needs on top of dmsquash-live and livenet in dracut 059 (Debian 12) with
# systemd (the name is from its first fix; the rootfs stage includes it by this name):
#
# 1. live-overlay-dirs.sh (cmdline hook): the image is a plain squashfs of the root file
#    system, for which dmsquash-live mounts / as overlayfs with its upper and work
#    directories in /run/overlayfs and /run/ovlwork -- but with systemd in the initramfs
#    nothing creates them (only the non-systemd mount hook does; dracut issue #1820,
#    dracut-ng #431), so sysroot.mount fails ("overlayfs: failed to resolve
#    '/run/overlayfs': -2") and the boot ends in the emergency shell.
# 2. networkd-netroot.sh (initqueue/settled hook): with systemd-networkd as the network
#    handler, interfaces come up (ip=dhcp, systemd-network-generator) but nothing runs
#    the netroot handlers, so livenet never downloads root=live:http://... The
#    network-manager and network-legacy handlers do it themselves (nm-run.sh, ifup).

check() {
    return 255   # only when asked for (add_dracutmodules)
}

depends() {
    echo dmsquash-live livenet systemd-networkd
    return 0
}

install() {
    inst_hook cmdline 99 "$moddir/live-overlay-dirs.sh"
    inst_hook initqueue/settled 99 "$moddir/networkd-netroot.sh"
}
