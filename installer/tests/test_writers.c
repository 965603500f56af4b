/* test_writers.c: the configuration files the executor writes, against expected
 * text: fstab, hosts, networkd files (DHCP, static, VLAN, IPv6), .link files and NIC
 * naming, the inventory, grub.cfg, chrony; password hashing (round trip through
 * crypt()), /etc/shadow editing, labels, UUIDs, the image checksum and the redacted
 * answer file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answerfile.h"
#include "fsutil.h"
#include "fakesys.h"
#include "install.h"
#include "plan.h"
#include "writers.h"

struct fx {
	struct install_config *c;
	struct install_plan *p;
	struct target_facts *t;
	struct diag_list d;
	struct disk_info disk;
	char *tmp;
};

static int fixed_suffix(void *ud, char *out)
{
	(void)ud;
	strcpy(out, "0123abcd");
	return 0;
}

/* A plan for a 100 GiB disk "sda" and facts as the executor would find them. */
static void make_plan(struct fx *f)
{
	struct plan_host host = { .ram = 16 * GiB, .cpus = 4 };
	struct plan_opts opts = { .suffix = fixed_suffix };
	memset(&f->disk, 0, sizeof(f->disk));
	strcpy(f->disk.name, "sda");
	strcpy(f->disk.devnode, "/dev/sda");
	f->disk.size = 100 * GiB;
	f->disk.logical_sector = f->disk.physical_sector = 512;
	strcpy(f->disk.by_id[0], "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001");
	f->disk.n_by_id = 1;
	assert_int_equal(plan_make(f->c, &f->disk, 1, &host, &opts, f->p, &f->d), 0);
	struct target_facts *t = f->t;
	memset(t, 0, sizeof(*t));
	t->plan = f->p;
	t->cfg = f->c;
	strcpy(t->root_uuid, "11111111-1111-4111-8111-111111111111");
	strcpy(t->logs_uuid, "55555555-5555-4555-8555-555555555555");
	strcpy(t->esp_uuid, "ABCD-1234");
	strcpy(t->swap_uuid, "66666666-6666-4666-8666-666666666666");
	strcpy(t->storage_uuid, "33333333-3333-4333-8333-333333333333");
	strcpy(t->storage_label, "xh-storage-0123abcd");
	strcpy(t->installation_uuid, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
	strcpy(t->dom0_uuid, "dddddddd-dddd-4ddd-8ddd-dddddddddddd");
	strcpy(t->install_date, "2024-05-01T12:00:00Z");
	strcpy(t->product_version, "0.1.0");
	strcpy(t->primary_disk, "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001");
	strcpy(t->krel, "6.1.0-xenhost");
	struct nic n0 = { .kname = "enp0s4", .mac = "52:54:00:00:00:02", .sortkey = "/sys/devices/pci0000:00/0000:00:04.0",
			  .driver = "e1000" };
	struct nic n1 = { .kname = "enp0s3", .mac = "52:54:00:00:00:01", .sortkey = "/sys/devices/pci0000:00/0000:00:03.0",
			  .driver = "virtio_net" };
	t->nics[0] = n0;
	t->nics[1] = n1;
	t->n_nics = 2;
	nics_name(t->nics, t->n_nics);
	nics_find_admin(t);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->c = calloc(1, sizeof(*f->c));
	f->p = calloc(1, sizeof(*f->p));
	f->t = calloc(1, sizeof(*f->t));
	config_init(f->c);
	strcpy(f->c->primary_disk.path, "/dev/sda");
	f->c->primary_disk.kind = DISK_SEL_PATH;
	strcpy(f->c->admin.name, "eth0");
	strcpy(f->c->hostname, "host1.example.com");
	f->c->root_password_type = PW_PLAINTEXT;
	strcpy(f->c->root_password, "secret");
	diag_init(&f->d, "test.xml");
	f->tmp = fakesys_create();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	diag_free(&f->d);
	fakesys_destroy(f->tmp);
	free(f->c);
	free(f->p);
	free(f->t);
	free(f);
	return 0;
}

/* Load one of the worked examples into f->c. */
static void load_example(struct fx *f, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", XH_ANSWERFILES, name);
	config_init(f->c);
	assert_int_equal(answerfile_parse_file(path, f->c, &f->d), 0);
	f->c->primary_disk.kind = DISK_SEL_PATH;
	strcpy(f->c->primary_disk.path, "/dev/sda");
	f->c->n_guest_disks = 0;
}

typedef void (*writer_fn)(FILE *, const struct target_facts *);
static char *render(writer_fn fn, const struct target_facts *t)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	fn(f, t);
	fclose(f);
	return buf;
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		print_error("--- got:\n%s\n--- want:\n%s\n", got, want);
		fail();
	}
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		print_error("--- no \"%s\" in:\n%s\n", needle, hay);
		fail();
	}
}

static const char *file_of(const struct gen_files *g, const char *path)
{
	const struct gen_file *gf = gen_find(g, path);
	if (!gf)
		print_error("no generated file %s\n", path);
	assert_non_null(gf);
	return gf->text;
}

static void test_fstab(void **state)
{
	struct fx *f = *state;
	make_plan(f);
	char *s = render(gen_fstab, f->t);
	assert_text(s,
		"# /etc/fstab of this Xenhost host, written by xenhost-installer " XENHOST_VERSION ".\n"
		"# The local storage is mounted by xenhost-firstboot (STORAGE_UUID in /etc/xenhost-inventory).\n"
		"# <file system>                           <mount point> <type> <options>              <dump> <pass>\n"
		"UUID=11111111-1111-4111-8111-111111111111 /             ext4   errors=remount-ro      0      1\n"
		"UUID=55555555-5555-4555-8555-555555555555 /var/log      ext4   defaults,nodev,nosuid  0      2\n"
		"UUID=ABCD-1234                            /boot/efi     vfat   umask=0077,nofail      0      2\n"
		"UUID=66666666-6666-4666-8666-666666666666 none          swap   sw                     0      0\n");
	assert_null(strstr(s, "33333333"));   /* the local storage is not in fstab */
	free(s);
}

static void test_hosts(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	gen_hosts(f, "host1.example.com");
	fclose(f);
	assert_text(buf, "127.0.0.1\tlocalhost\n127.0.1.1\thost1.example.com host1\n\n"
			 "::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n");
	free(buf);
}

static void test_network_dhcp(void **state)
{
	struct fx *f = *state;
	struct gen_files g = { 0 };
	make_plan(f);
	assert_int_equal(gen_network(f->t, &g), 0);
	assert_int_equal(g.n, 5);   /* netdev, NIC network, bridge network, two .link files */
	assert_text(file_of(&g, "etc/systemd/network/10-xenbr0.netdev"),
		    "# The management bridge, written by xenhost-installer.\n[NetDev]\nName=xenbr0\nKind=bridge\n"
		    "MACAddress=52:54:00:00:00:01\n\n[Bridge]\nSTP=no\n");
	assert_text(file_of(&g, "etc/systemd/network/20-eth0.network"),
		    "# The management NIC, in xenbr0.\n[Match]\nName=eth0\n\n[Network]\nBridge=xenbr0\n"
		    "LinkLocalAddressing=no\nIPv6AcceptRA=no\n");
	assert_text(file_of(&g, "etc/systemd/network/30-xenbr0.network"),
		    "# The management address (DHCP), written by xenhost-installer.\n[Match]\nName=xenbr0\n\n[Network]\n"
		    "DHCP=ipv4\nIPv6AcceptRA=no\nLinkLocalAddressing=no\n\n[DHCPv4]\nClientIdentifier=mac\nUseHostname=no\n");
	gen_files_free(&g);
}

static void test_network_static_vlan_ipv6(void **state)
{
	struct fx *f = *state;
	struct gen_files g = { 0 };
	load_example(f, "static-vlan-ipv6.xml");
	make_plan(f);
	assert_string_equal(f->t->admin_name, "eth1");
	assert_int_equal(gen_network(f->t, &g), 0);
	assert_text(file_of(&g, "etc/systemd/network/10-eth1.42.netdev"),
		    "# The management VLAN on eth1, enslaved to xenbr0.\n[NetDev]\nName=eth1.42\nKind=vlan\n\n[VLAN]\nId=42\n");
	assert_text(file_of(&g, "etc/systemd/network/20-eth1.network"),
		    "# The management NIC, carrying the management VLAN.\n[Match]\nName=eth1\n\n[Network]\nVLAN=eth1.42\n"
		    "LinkLocalAddressing=no\nIPv6AcceptRA=no\n");
	assert_text(file_of(&g, "etc/systemd/network/20-eth1.42.network"),
		    "[Match]\nName=eth1.42\n\n[Network]\nBridge=xenbr0\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n");
	assert_text(file_of(&g, "etc/systemd/network/30-xenbr0.network"),
		    "# The management address (static IPv4, IPv6 static), written by xenhost-installer.\n[Match]\n"
		    "Name=xenbr0\n\n[Network]\nDHCP=no\nAddress=192.0.2.10/24\nGateway=192.0.2.1\n"
		    "Address=2001:db8:42::10/64\nGateway=fe80::1\nIPv6AcceptRA=no\nLinkLocalAddressing=ipv6\n"
		    "DNS=192.0.2.53\nDNS=2001:db8:42::53\n");
	/* the bridge takes the MAC of eth1 (PCI 00:04.0) */
	assert_contains(file_of(&g, "etc/systemd/network/10-xenbr0.netdev"), "MACAddress=52:54:00:00:00:02\n");
	gen_files_free(&g);
}

static void test_network_ipv6_modes(void **state)
{
	struct fx *f = *state;
	struct gen_files g = { 0 };
	make_plan(f);
	f->c->admin.protov6 = PROTO6_AUTOCONF;
	assert_int_equal(gen_network(f->t, &g), 0);
	const char *s = file_of(&g, "etc/systemd/network/30-xenbr0.network");
	assert_contains(s, "DHCP=ipv4\nIPv6AcceptRA=yes\nLinkLocalAddressing=ipv6\n");
	gen_files_free(&g);
	f->c->admin.protov6 = PROTO6_DHCP;
	f->c->admin.proto = PROTO4_NONE;
	strcpy(f->c->nameservers[0], "2001:db8::53");
	f->c->n_nameservers = 1;
	assert_int_equal(gen_network(f->t, &g), 0);
	s = file_of(&g, "etc/systemd/network/30-xenbr0.network");
	assert_contains(s, "(no IPv4, IPv6 DHCP)");
	assert_contains(s, "DHCP=ipv6\nIPv6AcceptRA=yes\nLinkLocalAddressing=ipv6\nDNS=2001:db8::53\n\n[DHCPv6]\nUseDNS=no\n");
	assert_null(strstr(s, "[DHCPv4]"));
	gen_files_free(&g);
}

static void test_network_by_hwaddr(void **state)
{
	struct fx *f = *state;
	struct gen_files g = { 0 };
	f->c->admin.name[0] = '\0';
	strcpy(f->c->admin.hwaddr, "52:54:00:00:00:02");
	make_plan(f);
	assert_int_equal(f->t->admin_nic, 1);
	assert_string_equal(f->t->admin_name, "eth1");
	/* an unknown MAC: matched by MAC, a warning for the executor */
	strcpy(f->c->admin.hwaddr, "52:54:00:99:99:99");
	assert_int_equal(nics_find_admin(f->t), -ENODEV);
	assert_int_equal(gen_network(f->t, &g), 0);
	assert_contains(file_of(&g, "etc/systemd/network/20-eth2.network"), "[Match]\nPermanentMACAddress=52:54:00:99:99:99\n");
	gen_files_free(&g);
}

static void test_link_files_pci_order(void **state)
{
	struct fx *f = *state;
	struct gen_files g = { 0 };
	make_plan(f);
	/* sorted by PCI path: 00:03.0 is eth0 although the kernel listed 00:04.0 first */
	assert_string_equal(f->t->nics[0].kname, "enp0s3");
	assert_string_equal(f->t->nics[0].name, "eth0");
	assert_string_equal(f->t->nics[1].name, "eth1");
	assert_int_equal(gen_network(f->t, &g), 0);
	assert_text(file_of(&g, "etc/systemd/network/10-xenhost-eth0.link"),
		    "# Written by xenhost-installer: 52:54:00:00:00:01 (enp0s3, virtio_net at install time) is always eth0.\n"
		    "[Match]\nPermanentMACAddress=52:54:00:00:00:01\n\n[Link]\nName=eth0\n");
	assert_contains(file_of(&g, "etc/systemd/network/10-xenhost-eth1.link"), "PermanentMACAddress=52:54:00:00:00:02\n\n[Link]\nName=eth1\n");
	gen_files_free(&g);
	/* two ports of one PCI function: by dev_port */
	struct nic v[3] = {
		{ .kname = "b", .mac = "00:00:00:00:00:0b", .sortkey = "/pci/0000:01:00.0", .dev_port = 1 },
		{ .kname = "c", .mac = "00:00:00:00:00:0c", .sortkey = "/pci/0000:02:00.0", .dev_port = 0 },
		{ .kname = "a", .mac = "00:00:00:00:00:0a", .sortkey = "/pci/0000:01:00.0", .dev_port = 0 },
	};
	nics_name(v, 3);
	assert_string_equal(v[0].kname, "a");
	assert_string_equal(v[1].kname, "b");
	assert_string_equal(v[2].kname, "c");
	assert_string_equal(v[2].name, "eth2");
}

static void test_probe_nics(void **state)
{
	struct fx *f = *state;
	char sys[512];
	struct nic v[8];
	size_t n;
	/* two PCI NICs (kernel names in the wrong order), a bridge and lo (virtual) */
	assert_int_equal(fakesys_write(f->tmp, "sys/devices/pci0000:00/0000:00:05.0/net/ens5/address", "52:54:00:aa:00:05\n"), 0);
	assert_int_equal(fakesys_write(f->tmp, "sys/devices/pci0000:00/0000:00:05.0/net/ens5/type", "1\n"), 0);
	assert_int_equal(fakesys_write(f->tmp, "sys/devices/pci0000:00/0000:00:02.0/net/ens2/address", "52:54:00:AA:00:02\n"), 0);
	assert_int_equal(fakesys_write(f->tmp, "sys/devices/pci0000:00/0000:00:02.0/net/ens2/type", "1\n"), 0);
	assert_int_equal(fakesys_write(f->tmp, "sys/devices/virtual/net/xenbr0/address", "52:54:00:aa:00:02\n"), 0);
	assert_int_equal(fakesys_write(f->tmp, "sys/devices/virtual/net/xenbr0/type", "1\n"), 0);
	assert_int_equal(fakesys_write(f->tmp, "sys/class/net/.keep", ""), 0);
	char link[512], target[512];
	const char *names[] = { "ens5", "ens2", "xenbr0" };
	const char *paths[] = { "pci0000:00/0000:00:05.0", "pci0000:00/0000:00:02.0", "virtual" };
	for (int i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "%s/sys/class/net/%s", f->tmp, names[i]);
		snprintf(target, sizeof(target), "../../devices/%s/net/%s", paths[i], names[i]);
		assert_int_equal(symlink(target, link), 0);
		if (i < 2) {
			snprintf(link, sizeof(link), "%s/sys/devices/%s/net/%s/device", f->tmp, paths[i], names[i]);
			assert_int_equal(symlink("../..", link), 0);
		}
	}
	snprintf(sys, sizeof(sys), "%s/sys", f->tmp);
	assert_int_equal(probe_nics(sys, v, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].kname, "ens2");
	assert_string_equal(v[0].name, "eth0");
	assert_string_equal(v[0].mac, "52:54:00:aa:00:02");
	assert_string_equal(v[1].kname, "ens5");
	assert_string_equal(v[1].name, "eth1");
}

static void test_inventory(void **state)
{
	struct fx *f = *state;
	make_plan(f);
	char *s = render(gen_inventory, f->t);
	assert_text(s,
		"# Written by xenhost-installer " XENHOST_VERSION ". KEY='value' lines; read by xenhost-firstboot and upgrades.\n"
		"PRODUCT_VERSION='0.1.0'\n"
		"INSTALLATION_UUID='aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'\n"
		"CONTROL_DOMAIN_UUID='dddddddd-dddd-4ddd-8ddd-dddddddddddd'\n"
		"INSTALL_DATE='2024-05-01T12:00:00Z'\n"
		"BOOT_MODE='bios'\n"
		"PRIMARY_DISK='/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001'\n"
		"PARTITION_SUFFIX='0123abcd'\n"
		"ROOT_LABEL='xh-root-0123abcd'\n"
		"BACKUP_LABEL='xh-backup-0123abcd'\n"
		"LOGS_LABEL='xh-logs-0123abcd'\n"
		"SWAP_LABEL='xh-swap-0123abcd'\n"
		"ESP_LABEL='xh-esp-0123abcd'\n"
		"BIOSBOOT_LABEL='xh-biosboot-0123abcd'\n"
		"STORAGE_LABEL='xh-storage-0123abcd'\n"
		"STORAGE_TYPE='ext4'\n"
		"STORAGE_UUID='33333333-3333-4333-8333-333333333333'\n"
		"ROOT_UUID='11111111-1111-4111-8111-111111111111'\n"
		"LOGS_UUID='55555555-5555-4555-8555-555555555555'\n"
		"DOM0_MEM='1843'\n"
		"DOM0_VCPUS='4'\n"
		"MANAGEMENT_INTERFACE='xenbr0'\n"
		"MANAGEMENT_NIC='eth0'\n"
		"MANAGEMENT_MAC='52:54:00:00:00:01'\n"
		"MANAGEMENT_ADDRESS_TYPE='dhcp'\n"
		"MANAGEMENT_ADDRESS_TYPE_V6='none'\n");
	free(s);
	/* XFS, UEFI, a VLAN; quotes never end up in a value */
	f->c->sr_type = SR_XFS;
	f->c->firmware = FW_UEFI;
	f->c->admin.vlan = 7;
	make_plan(f);
	strcpy(f->t->product_version, "0.1'0");
	s = render(gen_inventory, f->t);
	assert_contains(s, "BOOT_MODE='uefi'\n");
	assert_contains(s, "STORAGE_TYPE='xfs'\n");
	assert_contains(s, "MANAGEMENT_VLAN='7'\n");
	assert_contains(s, "PRODUCT_VERSION='0.10'\n");
	free(s);
}

static void test_grub_cfg(void **state)
{
	struct fx *f = *state;
	make_plan(f);
	char *s = render(gen_grub_cfg, f->t);
	assert_contains(s, "set default=xenhost\n");
	assert_contains(s, "serial --unit=0 --speed=115200");
	assert_contains(s, "menuentry 'Xenhost 0.1.0' --id xenhost {\n"
			   "\tsearch --no-floppy --fs-uuid --set=root 11111111-1111-4111-8111-111111111111\n"
			   "\techo 'Loading Xen ...'\n"
			   "\tmultiboot2 /boot/xen.gz dom0_mem=1843M,max:1843M dom0_max_vcpus=4 com1=115200,8n1 console=com1,vga\n"
			   "\techo 'Loading Linux 6.1.0-xenhost ...'\n"
			   "\tmodule2 /boot/vmlinuz-6.1.0-xenhost root=UUID=11111111-1111-4111-8111-111111111111 ro console=hvc0 console=tty0\n"
			   "\techo 'Loading the initial ramdisk ...'\n"
			   "\tmodule2 /boot/initrd.img-6.1.0-xenhost\n}\n");
	assert_contains(s, "menuentry 'Xenhost 0.1.0 (serial console)' --id xenhost-serial {");
	assert_contains(s, "ro console=tty0 console=hvc0\n");
	assert_contains(s, "menuentry 'Xenhost 0.1.0 (safe mode)' --id xenhost-safe {");
	assert_contains(s, "nosmp noreboot iommu=0 x2apic=0 max_cstate=1 cpufreq=none numa=off\n");
	assert_contains(s, "console=hvc0 console=tty0 nomodeset\n");
	free(s);
	/* dom0 sizing from the answer file */
	f->c->dom0_memory = 4 * GiB;
	f->c->dom0_vcpus = 2;
	make_plan(f);
	s = render(gen_grub_cfg, f->t);
	assert_contains(s, "dom0_mem=4096M,max:4096M dom0_max_vcpus=2 ");
	free(s);
}

static void test_chrony(void **state)
{
	struct fx *f = *state;
	char *buf = NULL;
	size_t len;
	FILE *m;
	load_example(f, "static-vlan-ipv6.xml");
	m = open_memstream(&buf, &len);
	assert_int_equal(gen_chrony(m, f->c), 0);
	fclose(m);
	assert_text(buf, "# NTP servers from the answer file, written by xenhost-installer.\n"
			 "server ntp1.example.com iburst\nserver 192.0.2.123 iburst\n");
	free(buf);
	f->c->ntp = NTP_NONE;
	m = open_memstream(&buf, &len);
	assert_int_equal(gen_chrony(m, f->c), -ENOENT);
	fclose(m);
	free(buf);
	config_init(f->c);   /* default: the image's chrony configuration */
	m = open_memstream(&buf, &len);
	assert_int_equal(gen_chrony(m, f->c), -ENOENT);
	fclose(m);
	free(buf);
}

static void test_gen_all(void **state)
{
	struct fx *f = *state;
	struct gen_files g;
	make_plan(f);
	assert_int_equal(gen_all(f->t, &g), 0);
	const char *want[] = { "etc/fstab", "etc/hostname", "etc/hosts", "etc/vconsole.conf", "etc/timezone",
			       "etc/xenhost-inventory", "boot/grub/grub.cfg", "etc/systemd/network/10-xenbr0.netdev",
			       "etc/systemd/network/30-xenbr0.network", "etc/systemd/network/10-xenhost-eth0.link" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(gen_find(&g, want[i]));
	assert_string_equal(file_of(&g, "etc/hostname"), "host1.example.com\n");
	assert_string_equal(file_of(&g, "etc/vconsole.conf"), "KEYMAP=us\n");
	assert_string_equal(file_of(&g, "etc/timezone"), "Etc/UTC\n");
	assert_null(gen_find(&g, "etc/chrony/sources.d/xenhost.sources"));
	for (size_t i = 0; i < g.n; i++)
		assert_null(strstr(g.v[i].text, "secret"));   /* the password is in no file */
	gen_files_free(&g);
	/* no hostname: none written (DHCP names the host) */
	f->c->hostname[0] = '\0';
	assert_int_equal(gen_all(f->t, &g), 0);
	assert_null(gen_find(&g, "etc/hostname"));
	/* SSH: by key only unless allowed; no keys, no authorized_keys */
	assert_null(gen_find(&g, "etc/ssh/sshd_config.d/40-xenhost-root-password.conf"));
	assert_null(gen_find(&g, "root/.ssh/authorized_keys"));
	gen_files_free(&g);
	f->c->ssh_root_password = true;
	strcpy(f->c->ssh_keys[0], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1Mqns4pSx8HJj1z7xTZHO a@b");
	strcpy(f->c->ssh_keys[1], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1Mqns4pSx8HJj1z7xTZHO c@d");
	f->c->n_ssh_keys = 2;
	assert_int_equal(gen_all(f->t, &g), 0);
	const struct gen_file *pl = gen_find(&g, "etc/ssh/sshd_config.d/40-xenhost-root-password.conf");
	assert_non_null(pl);
	assert_non_null(strstr(pl->text, "\nPermitRootLogin yes\n"));
	const struct gen_file *ak = gen_find(&g, "root/.ssh/authorized_keys");
	assert_non_null(ak);
	assert_int_equal(ak->mode, 0600);
	assert_string_equal(ak->text, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1Mqns4pSx8HJj1z7xTZHO a@b\n"
				      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1Mqns4pSx8HJj1z7xTZHO c@d\n");
	gen_files_free(&g);
}

static void test_password_round_trip(void **state)
{
	(void)state;
	char h1[256], h2[256];
	assert_int_equal(hash_password("correct horse", h1, sizeof(h1)), 0);
	assert_int_equal(hash_password("correct horse", h2, sizeof(h2)), 0);
	assert_memory_equal(h1, "$6$", 3);
	assert_int_equal(strlen(h1), 3 + 16 + 1 + 86);
	assert_string_not_equal(h1, h2);   /* random salts */
	assert_string_equal(crypt("correct horse", h1), h1);
	assert_string_not_equal(crypt("wrong horse", h1), h1);
	assert_null(strstr(h1, "correct"));
	/* a fixed salt gives the reference value (the same as mkpasswd -m sha-512 -S) */
	assert_int_equal(hash_password_salt("secret", "xenhostsaltxenho", h1, sizeof(h1)), 0);
	assert_string_equal(h1, crypt("secret", "$6$xenhostsaltxenho"));
	/* an output buffer too small */
	assert_int_equal(hash_password("x", h1, 20), -ENAMETOOLONG);
}

static void test_shadow(void **state)
{
	(void)state;
	char *out = NULL;
	const char *in = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nrootless:!:1::::::\n";
	assert_int_equal(shadow_set_root(in, "$6$s$h", 20000, &out), 0);
	assert_string_equal(out, "root:$6$s$h:20000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nrootless:!:1::::::\n");
	free(out);
	assert_int_equal(shadow_set_root("root:x\n", "$6$s$h", 1, &out), 0);
	assert_string_equal(out, "root:$6$s$h:1::::::\n");
	free(out);
	out = NULL;
	assert_int_equal(shadow_set_root("daemon:*:1:::::\n", "$6$s$h", 1, &out), -ENOENT);
	assert_null(out);
}

static void test_labels_uuid(void **state)
{
	struct fx *f = *state;
	char l[40], u[UUID_STR], u2[UUID_STR];
	make_plan(f);
	const struct plan_disk *pd = &f->p->disks[0];
	for (size_t i = 0; i < pd->n_parts; i++) {
		fs_label(&pd->parts[i], f->p->suffix, l, sizeof(l));
		switch (pd->parts[i].role) {
		case PART_ROOT: assert_string_equal(l, "xh-root-0123abcd"); break;
		case PART_ESP: assert_string_equal(l, "XHESP0123AB"); break;
		case PART_STORAGE: assert_string_equal(l, "xh-sr-0123abcd"); break;
		case PART_SWAP: assert_string_equal(l, "xh-sw-0123abcd"); break;
		default: assert_true(strlen(l) <= 16); break;
		}
	}
	struct plan_part xfs = { .role = PART_STORAGE, .fs = FS_XFS, .label = "xh-storage2-0123abcd" };
	fs_label(&xfs, "0123abcd", l, sizeof(l));
	assert_string_equal(l, "sr2-0123abcd");   /* XFS: 12 characters at most */
	assert_int_equal(uuid_random(u), 0);
	assert_int_equal(uuid_random(u2), 0);
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '4');
	assert_true(strchr("89ab", u[19]) != NULL);
	assert_string_not_equal(u, u2);
}

static void test_sha256(void **state)
{
	struct fx *f = *state;
	char path[512], sum[512], got[65], want[65];
	snprintf(path, sizeof(path), "%s/image", f->tmp);
	snprintf(sum, sizeof(sum), "%s/image.sha256", f->tmp);
	assert_int_equal(fakesys_write(f->tmp, "image", "abc"), 0);
	assert_int_equal(sha256_file(path, got, NULL), 0);
	assert_string_equal(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(fakesys_write(f->tmp, "image.sha256",
				       "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  image\n"), 0);
	assert_int_equal(read_sha256_file(sum, want), 0);
	assert_string_equal(want, got);
	assert_int_equal(fakesys_write(f->tmp, "image.sha256", "ba7816bf not a sum\n"), 0);
	assert_int_equal(read_sha256_file(sum, want), -EINVAL);
	snprintf(path, sizeof(path), "%s/missing", f->tmp);
	assert_int_equal(sha256_file(path, got, NULL), -ENOENT);
}

static void test_redacted_answerfile(void **state)
{
	struct fx *f = *state;
	char in[512], out[512], *text = NULL;
	struct stat st;
	snprintf(in, sizeof(in), "%s/af.xml", f->tmp);
	snprintf(out, sizeof(out), "%s/af-saved.xml", f->tmp);
	assert_int_equal(fakesys_write(f->tmp, "af.xml",
				       "<installation>\n  <primary-disk>sda</primary-disk>\n"
				       "  <root-password type=\"plaintext\">hunter2-very-secret</root-password>\n"
				       "  <hostname>h</hostname>\n</installation>\n"), 0);
	assert_int_equal(write_redacted_answerfile(in, out), 0);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	FILE *fp = fopen(out, "r");
	size_t len = 0;
	assert_non_null(fp);
	assert_int_equal(getdelim(&text, &len, '\0', fp) > 0, 1);
	fclose(fp);
	assert_null(strstr(text, "hunter2"));
	assert_contains(text, "<root-password type=\"plaintext\">(redacted by xenhost-installer)</root-password>");
	assert_contains(text, "<hostname>h</hostname>");
	free(text);
}

/* The last lines of a log: trailing newlines dropped, empty lines kept, fewer lines whole. */
static void test_read_file_tail(void **state)
{
	(void)state;
	char path[] = "/tmp/xh-tail.XXXXXX", *t = NULL;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a\n\nb\nc\n\n", 8), 8);
	close(fd);
	assert_int_equal(read_file_tail(path, 2, &t), 0);
	assert_string_equal(t, "b\nc");
	free(t);
	assert_int_equal(read_file_tail(path, 3, &t), 0);
	assert_string_equal(t, "\nb\nc");
	free(t);
	assert_int_equal(read_file_tail(path, 10, &t), 0);
	assert_string_equal(t, "a\n\nb\nc");
	free(t);
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(read_file_tail(path, 10, &t), 0);
	assert_string_equal(t, "");
	free(t);
	unlink(path);
	assert_int_equal(read_file_tail(path, 10, &t), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fstab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_dhcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_static_vlan_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_ipv6_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_by_hwaddr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_files_pci_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_nics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inventory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grub_cfg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chrony, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shadow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels_uuid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sha256, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redacted_answerfile, setup, teardown),
		cmocka_unit_test(test_read_file_tail),
	};
	return cmocka_run_group_tests_name("writers", tests, NULL, NULL);
}
