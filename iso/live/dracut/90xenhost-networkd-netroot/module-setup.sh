#!/bin/bash
# dracut module xenhost-networkd-netroot: PXE boots of the install environment
# (root=live:http://...) with systemd-networkd as dracut's network handler.
#
# In dracut 059 (Debian 12) the systemd-networkd module brings the interfaces up (ip=dhcp
# through systemd-network-generator) but nothing then runs the netroot handlers, so
# livenet never downloads the image and the boot waits for /dev/root until it gives up.
# The network-manager and network-legacy handlers do it themselves (nm-run.sh, ifup);
# this module's initqueue hook does the same for networkd.

check() {
    return 255   # only when asked for (add_dracutmodules)
}

depends() {
    echo systemd-networkd livenet
    return 0
}

install() {
    inst_hook initqueue/settled 99 "$moddir/networkd-netroot.sh"
}
