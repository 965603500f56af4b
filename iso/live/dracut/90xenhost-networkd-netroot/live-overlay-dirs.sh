#!/bin/sh
# cmdline hook (sourced): the RAM overlay's directories for a live boot without a
# persistent overlay (rd.live.overlay=), before systemd mounts /sysroot on them.
if getargbool 0 rd.live.image && [ -z "$(getarg rd.live.overlay=)" ]; then
    mkdir -m 0755 -p /run/overlayfs /run/ovlwork
fi
