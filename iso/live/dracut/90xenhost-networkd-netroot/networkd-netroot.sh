#!/bin/sh
# initqueue/settled hook (sourced by dracut-initqueue: no "exit" here). Once an interface
# has an IPv4 address from systemd-networkd, run the netroot handler ($netroot, e.g.
# livenet:http://...) for it, once; the handler (livenetroot) retries the download itself.
if [ -n "$netroot" ] && [ ! -e /tmp/xenhost-netroot.started ]; then
    for _xh_if in /sys/class/net/*; do
        _xh_if=${_xh_if##*/}
        [ "$_xh_if" = lo ] && continue
        ip -4 -o addr show dev "$_xh_if" scope global 2> /dev/null | grep -q ' inet ' || continue
        : > /tmp/xenhost-netroot.started
        info "xenhost: $_xh_if is configured; starting the netroot handler for $netroot"
        /sbin/netroot "$_xh_if" && break
        rm -f /tmp/xenhost-netroot.started
    done
    unset _xh_if
fi
