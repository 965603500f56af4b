#!/usr/bin/env bash
# End to end: the host's management API, libvirt's libxl driver, used from the build
# machine with Debian's own clients (virsh from libvirt-clients, virt-install from
# virtinst) over SSH, as an operator's workstation does: xen+ssh://root@HOST/system with
# the answer file's key, through the harness's SSH forward. On the host that
# 55-e2e-install installed (install-bios-ext4; a qcow2 overlay keeps 55's disk as it was):
#   - virsh lists the capabilities (xen: PV, PVH, HVM), the pools local and iso, the
#     network xenbr0 that first boot defined
#   - a volume made on "local" (vol-create-as) receives the test guest disk (vol-upload,
#     ci/lib/guest-image); virt-install --import defines and starts a PV guest on it (pygrub,
#     network xenbr0): it reaches its prompt on `virsh console`, gets an address on
#     xenbr0, stops on `virsh shutdown`; `virsh undefine --remove-all-storage` removes it
#     and its volume
#   - a guest marked `virsh autostart` runs again after the host reboots
# Figures: virt-install (define and start) to the guest's "up" line. Logs in build/e2e/libvirt/.
. "$(dirname "$0")/../lib/test.sh"
qemu="$XH_TOP/ci/qemu"
work="$XH_BUILD/e2e"
d="$work/libvirt"
. "$XH_TOP/ci/lib/e2e.sh"
installed_host_ready || exit 0
FAILS=$XH_BOOT_FAILS
# (about 420 s on 2 CPUs, 2026-12-03, with a margin)
budget_allows 720 "libvirt on the installed host" || exit 0
for c in virsh virt-install script; do command -v "$c" > /dev/null || xh_die "$c is missing: run 'make deps'"; done
rm -rf "$d"; mkdir -p "$d/home"
host_overlay_and_guest_disk "$d" || exit 0
port=$(free_port)
# the workstation: its own HOME (known_hosts), the answer file's key, no host key prompt
export HOME="$d/home"
URI="xen+ssh://root@127.0.0.1:$port/system?keyfile=$key&no_verify=1&no_tty=1"
V() { timeout 300 virsh -q -c "$URI" "$@"; }
start_host() {
	"$qemu" start "$1" --boot-disk --disk "$d/host.qcow2" --ssh "$port" --dhcp-start 10.0.2.20 --timeout 3000 --no-reboot || return 1
	"$qemu" wait "$1" '^[a-z0-9.-]+ login: *$' 900 --stall "${XH_E2E_STALL:-420}" --fail "$FAILS"
}
if ! out=$(start_host "$d/vm" 2>&1); then
	fail "the installed host boots" "$out"; "$qemu" stop "$d/vm"; exit 0
fi
on_host "$port" 'for i in $(seq 1 60); do systemctl is-active -q sshd && break; sleep 2; done' > /dev/null 2>&1
clog() { on_host "$port" "cat /var/log/xen/console/guest-$1.log 2>/dev/null"; }

# 1. what the host offers
V capabilities > "$d/capabilities.xml" 2> "$d/virsh.err"
check "virsh over SSH (xen+ssh://) reads the host's capabilities: Xen PV, PVH and HVM guests" sh -c \
	"grep -q '<os_type>xen</os_type>' '$d/capabilities.xml' && grep -q '<os_type>xenpvh</os_type>' '$d/capabilities.xml' && grep -q '<os_type>hvm</os_type>' '$d/capabilities.xml' || { cat '$d/virsh.err'; exit 1; }"
V pool-list --all --details > "$d/pools.txt" 2>&1
check "the pools local and iso are defined, running and autostarted ($(tr -s ' ' < "$d/pools.txt" | tr '\n' ';' | cut -c1-120))" sh -c \
	"grep -Eq '^ *local +running +yes' '$d/pools.txt' && grep -Eq '^ *iso +running +yes' '$d/pools.txt'"
V net-list --all > "$d/nets.txt" 2>&1
check "the network xenbr0 is active and autostarted" grep -Eq '^ *xenbr0 +active +yes' "$d/nets.txt"
V pool-dumpxml local > "$d/pool-local.xml" 2>&1
check "the pool local is the local storage's images/" grep -Eq '<path>/srv/xenhost/storage/[0-9a-f-]+/images</path>' "$d/pool-local.xml"

# 2. a volume, the guest disk uploaded into it, a PV guest made with virt-install
V vol-create-as local lv-pv.img 64M --format raw > "$d/vol.txt" 2>&1
V vol-upload --pool local lv-pv.img "$d/guest.img" >> "$d/vol.txt" 2>&1
volpath=$(V vol-path --pool local lv-pv.img 2>/dev/null)
check "vol-create-as and vol-upload put the guest disk on the local pool ($volpath)" sh -c \
	"[ -n '$volpath' ] && [ \"\$(timeout 60 virsh -q -c '$URI' vol-info --pool local lv-pv.img --bytes | awk '/Capacity/ { print \$2 }')\" = 67108864 ]"
t0=$(date +%s.%N)
timeout 600 virt-install --connect "$URI" --name lv-pv --import --paravirt --memory 256 --vcpus 1 \
	--disk "vol=local/lv-pv.img,bus=xen" --network network=xenbr0,mac=00:16:3e:5a:00:11 \
	--boot bootloader=pygrub --osinfo detect=on,require=off --graphics none --noautoconsole \
	> "$d/virt-install.log" 2>&1
check "virt-install --import defines and starts a PV guest (pygrub, the local pool, network xenbr0)" sh -c \
	"grep -q 'Domain creation completed' '$d/virt-install.log' || { tail -n 8 '$d/virt-install.log'; exit 1; }"
up=""
for _ in $(seq 1 60); do
	up=$(clog lv-pv | grep -a -m 1 'xenhost-guest: up,') && break
	sleep 5
done
if [ -n "$up" ]; then
	pass "the PV guest started by libvirt comes up ($up)"
	# (virt-install defines and starts it: against 59's guests.pv.create_to_up, xl create)
	figure libvirt.pv.virt_install_to_up "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" s
fi
check "... with an address on xenbr0 from DHCP" sh -c "echo '$up' | grep -Eq 'type PV,.* address 10\\.0\\.2\\.[0-9]+/24'"
(sleep 4; printf 'echo virsh-console-$((6 * 7))\r'; sleep 5) |
	timeout 25 script -q -e -c "virsh -c '$URI' console lv-pv --force" /dev/null > "$d/console.txt" 2>&1
check "a command typed on 'virsh console' answers" grep -aq '^virsh-console-42' <(tr -d '\r' < "$d/console.txt")
V list --all > "$d/list.txt" 2>&1
on_host "$port" 'xl list' > "$d/xl-list.txt" 2>&1
check "virsh and xl both list the guest" sh -c "grep -Eq ' lv-pv +running' '$d/list.txt' && grep -q '^lv-pv ' '$d/xl-list.txt'"
V shutdown lv-pv > /dev/null 2>&1
for _ in $(seq 1 60); do V domstate lv-pv 2>/dev/null | grep -q 'shut off' && break; sleep 2; done
clog lv-pv > "$d/console-log.txt"
check "virsh shutdown stops it cleanly (its init's shutdown actions ran)" sh -c \
	"timeout 60 virsh -q -c '$URI' domstate lv-pv | grep -q 'shut off' && grep -q 'xenhost-guest: clean shutdown' '$d/console-log.txt'"
V undefine lv-pv --remove-all-storage > "$d/undefine.txt" 2>&1
check "virsh undefine --remove-all-storage removes the guest and its volume" sh -c \
	"! timeout 60 virsh -q -c '$URI' dominfo lv-pv > /dev/null 2>&1 && ! timeout 60 virsh -q -c '$URI' vol-info --pool local lv-pv.img > /dev/null 2>&1"

# 3. autostart across a host reboot
V vol-create-as local lv-auto.img 64M --format raw > /dev/null 2>&1 && V vol-upload --pool local lv-auto.img "$d/guest.img" > /dev/null 2>&1 &&
timeout 600 virt-install --connect "$URI" --name lv-auto --import --paravirt --memory 256 --vcpus 1 \
	--disk "vol=local/lv-auto.img,bus=xen" --network network=xenbr0,mac=00:16:3e:5a:00:12 \
	--boot bootloader=pygrub --osinfo detect=on,require=off --graphics none --noautoconsole > "$d/virt-install-auto.log" 2>&1 &&
V autostart lv-auto > /dev/null 2>&1
V dominfo lv-auto > "$d/dominfo-auto.txt" 2>&1
check "a guest marked with virsh autostart" grep -Eq '^Autostart: +enable' "$d/dominfo-auto.txt"
"$qemu" mark "$d/vm"
on_host "$port" 'systemctl reboot' > /dev/null 2>&1
"$qemu" wait "$d/vm" 'Hardware Dom0 shutdown: rebooting|reboot: Restarting system|Preparing to enter system sleep state S5' 600 --new > /dev/null
"$qemu" wait "$d/vm" 'no such line' 30 > /dev/null 2>&1
"$qemu" stop "$d/vm"; "$qemu" text "$d/vm" > "$d/vm-serial.txt"
if out=$(start_host "$d/vm2" 2>&1); then
	st=""
	for _ in $(seq 1 40); do st=$(V domstate lv-auto 2>/dev/null) && [ "$st" = running ] && break; sleep 5; done
	check "... runs again after the host rebooted (libvirt's autostart)" test "$st" = running
else
	fail "the host boots again" "$out"
fi
"$qemu" stop "$d/vm2"; "$qemu" text "$d/vm2" > "$d/vm2-serial.txt" 2>/dev/null
exit 0
