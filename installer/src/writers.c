/* writers.c: the text of the files written on the target (see writers.h). */
#include "writers.h"
#include "source.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cmdline.h"
#include "validate.h"

int uuid_random(char out[UUID_STR])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -EIO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, UUID_STR, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

void inv_clean(const char *in, char *out, size_t n)
{
	size_t k = 0;
	for (; *in && k + 1 < n; in++)
		if (*in != '\'' && *in != '\\' && !iscntrl((unsigned char)*in))
			out[k++] = *in;
	out[k] = '\0';
}

void fs_label(const struct plan_part *pp, const char *suffix, char *out, size_t n)
{
	char buf[40];
	size_t max = 16;
	switch (pp->fs) {
	case FS_XFS: max = 12; break;
	case FS_VFAT: max = 11; break;
	case FS_SWAP: max = 15; break;   /* mkswap truncates at 15 */
	default: break;
	}
	if (pp->fs == FS_VFAT) {
		snprintf(buf, sizeof(buf), "XHESP%s", suffix);
		for (char *p = buf; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	} else if (pp->role == PART_SWAP) {
		snprintf(buf, sizeof(buf), "xh-sw-%s", suffix);
	} else if (pp->role == PART_STORAGE) {
		/* xh-storage-S / xh-storageN-S are too long for ext4 (16) and XFS (12) */
		const char *num = strncmp(pp->label, "xh-storage", 10) == 0 ? pp->label + 10 : "";
		size_t nl = strcspn(num, "-");
		snprintf(buf, sizeof(buf), "%s%.*s-%s", pp->fs == FS_XFS ? "sr" : "xh-sr", (int)nl, num, suffix);
	} else {
		snprintf(buf, sizeof(buf), "%s", pp->label);
	}
	if (strlen(buf) > max)
		buf[max] = '\0';
	snprintf(out, n, "%s", buf);
}

/* --- fstab */
void gen_fstab(FILE *f, const struct target_facts *t)
{
	fprintf(f, "# /etc/fstab of this Xenhost host, written by xenhost-installer %s.\n", XENHOST_VERSION);
	fprintf(f, "# The local storage is mounted by xenhost-firstboot (STORAGE_UUID in /etc/xenhost-inventory).\n");
	fprintf(f, "# <file system>                           <mount point> <type> <options>              <dump> <pass>\n");
	if (t->root_uuid[0])
		fprintf(f, "UUID=%-36s /             ext4   errors=remount-ro      0      1\n", t->root_uuid);
	if (t->logs_uuid[0])
		fprintf(f, "UUID=%-36s /var/log      ext4   defaults,nodev,nosuid  0      2\n", t->logs_uuid);
	if (t->esp_uuid[0])
		fprintf(f, "UUID=%-36s /boot/efi     vfat   umask=0077,nofail      0      2\n", t->esp_uuid);
	if (t->swap_uuid[0])
		fprintf(f, "UUID=%-36s none          swap   sw                     0      0\n", t->swap_uuid);
}

/* --- hostname, hosts */
void gen_hosts(FILE *f, const char *hostname)
{
	fprintf(f, "127.0.0.1\tlocalhost\n");
	if (hostname && hostname[0]) {
		size_t dot = strcspn(hostname, ".");
		if (hostname[dot])
			fprintf(f, "127.0.1.1\t%s %.*s\n", hostname, (int)dot, hostname);
		else
			fprintf(f, "127.0.1.1\t%s\n", hostname);
	}
	fprintf(f, "\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n");
}

/* --- NIC names */
static int cmp_nic(const void *a, const void *b)
{
	const struct nic *x = a, *y = b;
	int c = strcmp(x->sortkey, y->sortkey);
	if (c)
		return c;
	if (x->dev_port != y->dev_port)
		return x->dev_port < y->dev_port ? -1 : 1;
	return strcmp(x->mac, y->mac);
}

void nics_name(struct nic *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_nic);
	for (size_t i = 0; i < n; i++)
		snprintf(v[i].name, sizeof(v[i].name), "eth%u", (unsigned)i);
}

int nics_find_admin(struct target_facts *t)
{
	const struct net_admin *a = &t->cfg->admin;
	t->admin_nic = -1;
	t->admin_mac[0] = '\0';
	for (size_t i = 0; i < t->n_nics; i++)
		if ((a->name[0] && !strcmp(a->name, t->nics[i].name)) || (a->hwaddr[0] && !strcmp(a->hwaddr, t->nics[i].mac))) {
			t->admin_nic = (int)i;
			snprintf(t->admin_name, sizeof(t->admin_name), "%s", t->nics[i].name);
			snprintf(t->admin_mac, sizeof(t->admin_mac), "%s", t->nics[i].mac);
			return 0;
		}
	/* Not found: keep the name (the .network files then match it by name or by MAC). */
	if (a->name[0])
		snprintf(t->admin_name, sizeof(t->admin_name), "%s", a->name);
	else {
		snprintf(t->admin_name, sizeof(t->admin_name), "eth%u", (unsigned)t->n_nics);
		snprintf(t->admin_mac, sizeof(t->admin_mac), "%s", a->hwaddr);
	}
	return -ENODEV;
}

void gen_link(FILE *f, const struct nic *n)
{
	fprintf(f, "# Written by xenhost-installer: %s (%s%s%s at install time) is always %s.\n", n->mac, n->kname,
		n->driver[0] ? ", " : "", n->driver, n->name);
	fprintf(f, "[Match]\nPermanentMACAddress=%s\n\n[Link]\nName=%s\n", n->mac, n->name);
}

/* --- networkd: xenbr0 */
static int add_file(struct gen_files *g, const char *path, mode_t mode, FILE **f)
{
	if (g->n >= sizeof(g->v) / sizeof(g->v[0]))
		return -E2BIG;
	struct gen_file *gf = &g->v[g->n];
	memset(gf, 0, sizeof(*gf));
	snprintf(gf->path, sizeof(gf->path), "%s", path);
	gf->mode = mode;
	*f = open_memstream(&gf->text, &gf->len);
	if (!*f)
		return -ENOMEM;
	g->n++;
	return 0;
}

static int close_file(FILE *f)
{
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

#define NETDIR "etc/systemd/network/"

int gen_network(const struct target_facts *t, struct gen_files *g)
{
	const struct net_admin *a = &t->cfg->admin;
	const struct install_config *c = t->cfg;
	char path[160], vlandev[24];
	FILE *f;
	int r;

	snprintf(vlandev, sizeof(vlandev), "%s.%u", t->admin_name, a->vlan);
	if ((r = add_file(g, NETDIR "10-xenbr0.netdev", 0644, &f)) < 0)
		return r;
	fprintf(f, "# The management bridge, written by xenhost-installer.\n[NetDev]\nName=xenbr0\nKind=bridge\n");
	if (t->admin_mac[0])
		fprintf(f, "MACAddress=%s\n", t->admin_mac);
	fprintf(f, "\n[Bridge]\nSTP=no\n");
	if ((r = close_file(f)) < 0)
		return r;

	if (a->vlan) {
		snprintf(path, sizeof(path), NETDIR "10-%s.netdev", vlandev);
		if ((r = add_file(g, path, 0644, &f)) < 0)
			return r;
		fprintf(f, "# The management VLAN on %s, enslaved to xenbr0.\n[NetDev]\nName=%s\nKind=vlan\n\n[VLAN]\nId=%u\n",
			t->admin_name, vlandev, a->vlan);
		if ((r = close_file(f)) < 0)
			return r;
	}

	snprintf(path, sizeof(path), NETDIR "20-%s.network", t->admin_name);
	if ((r = add_file(g, path, 0644, &f)) < 0)
		return r;
	fprintf(f, "# The management NIC%s.\n[Match]\n", a->vlan ? ", carrying the management VLAN" : ", in xenbr0");
	if (t->admin_nic < 0 && !a->name[0] && t->admin_mac[0])
		fprintf(f, "PermanentMACAddress=%s\n", t->admin_mac);
	else
		fprintf(f, "Name=%s\n", t->admin_name);
	fprintf(f, "\n[Network]\n");
	if (a->vlan)
		fprintf(f, "VLAN=%s\n", vlandev);
	else
		fprintf(f, "Bridge=xenbr0\n");
	fprintf(f, "LinkLocalAddressing=no\nIPv6AcceptRA=no\n");
	if ((r = close_file(f)) < 0)
		return r;

	if (a->vlan) {
		snprintf(path, sizeof(path), NETDIR "20-%s.network", vlandev);
		if ((r = add_file(g, path, 0644, &f)) < 0)
			return r;
		fprintf(f, "[Match]\nName=%s\n\n[Network]\nBridge=xenbr0\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n", vlandev);
		if ((r = close_file(f)) < 0)
			return r;
	}

	if ((r = add_file(g, NETDIR "30-xenbr0.network", 0644, &f)) < 0)
		return r;
	const char *dhcp = "no";
	bool d4 = a->proto == PROTO4_DHCP, d6 = a->protov6 == PROTO6_DHCP;
	if (d4 && d6)
		dhcp = "yes";
	else if (d4)
		dhcp = "ipv4";
	else if (d6)
		dhcp = "ipv6";
	fprintf(f, "# The management address (%s%s%s), written by xenhost-installer.\n[Match]\nName=xenbr0\n\n[Network]\n",
		a->proto == PROTO4_DHCP ? "DHCP" : a->proto == PROTO4_STATIC ? "static IPv4" : "no IPv4",
		a->protov6 != PROTO6_NONE ? ", IPv6 " : "",
		a->protov6 == PROTO6_DHCP ? "DHCP" : a->protov6 == PROTO6_STATIC ? "static"
		: a->protov6 == PROTO6_AUTOCONF ? "autoconf" : "");
	fprintf(f, "DHCP=%s\n", dhcp);
	if (a->proto == PROTO4_STATIC) {
		fprintf(f, "Address=%s/%u\n", a->ipv4, a->prefix4);
		if (a->gateway4[0])
			fprintf(f, "Gateway=%s\n", a->gateway4);
	}
	if (a->protov6 == PROTO6_STATIC) {
		fprintf(f, "Address=%s/%u\n", a->ipv6, a->prefix6);
		if (a->gateway6[0])
			fprintf(f, "Gateway=%s\n", a->gateway6);
	}
	bool ra = a->protov6 == PROTO6_AUTOCONF || a->protov6 == PROTO6_DHCP;
	fprintf(f, "IPv6AcceptRA=%s\n", ra ? "yes" : "no");
	fprintf(f, "LinkLocalAddressing=%s\n", a->protov6 != PROTO6_NONE ? "ipv6" : "no");
	for (size_t i = 0; i < c->n_nameservers; i++)
		fprintf(f, "DNS=%s\n", c->nameservers[i]);
	if (d4) {
		fprintf(f, "\n[DHCPv4]\nClientIdentifier=mac\n");
		if (c->hostname[0])
			fprintf(f, "UseHostname=no\n");
		if (c->n_nameservers)
			fprintf(f, "UseDNS=no\n");
	}
	if (d6 && c->n_nameservers)
		fprintf(f, "\n[DHCPv6]\nUseDNS=no\n");
	if ((r = close_file(f)) < 0)
		return r;

	for (size_t i = 0; i < t->n_nics; i++) {
		snprintf(path, sizeof(path), NETDIR "10-xenhost-%s.link", t->nics[i].name);
		if ((r = add_file(g, path, 0644, &f)) < 0)
			return r;
		gen_link(f, &t->nics[i]);
		if ((r = close_file(f)) < 0)
			return r;
	}
	return 0;
}

/* --- chrony */
int gen_chrony(FILE *f, const struct install_config *c)
{
	if (c->ntp == NTP_NONE || (c->ntp != NTP_MANUAL && c->n_ntp_servers == 0))
		return -ENOENT;
	fprintf(f, "# NTP servers from the answer file, written by xenhost-installer.\n");
	for (size_t i = 0; i < c->n_ntp_servers; i++)
		fprintf(f, "server %s iburst\n", c->ntp_servers[i]);
	return 0;
}

/* --- inventory */
static void kv(FILE *f, const char *k, const char *v)
{
	char clean[512];
	inv_clean(v ? v : "", clean, sizeof(clean));
	fprintf(f, "%s='%s'\n", k, clean);
}

static const struct plan_part *find_role(const struct install_plan *p, enum part_role role)
{
	for (size_t d = 0; d < p->n_disks; d++)
		for (size_t i = 0; i < p->disks[d].n_parts; i++)
			if (p->disks[d].parts[i].role == role)
				return &p->disks[d].parts[i];
	return NULL;
}

void gen_inventory(FILE *f, const struct target_facts *t)
{
	const struct install_plan *p = t->plan;
	const struct net_admin *a = &t->cfg->admin;
	char buf[64];
	static const struct { const char *key; enum part_role role; } labels[] = {
		{ "ROOT_LABEL", PART_ROOT }, { "BACKUP_LABEL", PART_BACKUP }, { "LOGS_LABEL", PART_LOGS },
		{ "SWAP_LABEL", PART_SWAP }, { "ESP_LABEL", PART_ESP }, { "BIOSBOOT_LABEL", PART_BIOSBOOT },
	};

	fprintf(f, "# Written by xenhost-installer %s. KEY='value' lines; read by xenhost-firstboot and upgrades.\n",
		XENHOST_VERSION);
	kv(f, "PRODUCT_VERSION", t->product_version);
	kv(f, "INSTALLATION_UUID", t->installation_uuid);
	kv(f, "CONTROL_DOMAIN_UUID", t->dom0_uuid);
	kv(f, "INSTALL_DATE", t->install_date);
	kv(f, "BOOT_MODE", p->firmware == FW_UEFI ? "uefi" : "bios");
	kv(f, "PRIMARY_DISK", t->primary_disk);
	kv(f, "PARTITION_SUFFIX", p->suffix);
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		const struct plan_part *pp = find_role(p, labels[i].role);
		kv(f, labels[i].key, pp ? pp->label : "");
	}
	kv(f, "STORAGE_LABEL", t->storage_label);
	kv(f, "STORAGE_TYPE", t->storage_uuid[0] ? sr_type_name(p->sr_type) : "");
	kv(f, "STORAGE_UUID", t->storage_uuid);
	kv(f, "ROOT_UUID", t->root_uuid);
	kv(f, "LOGS_UUID", t->logs_uuid);
	snprintf(buf, sizeof(buf), "%" PRIu64, p->dom0_memory / MiB);
	kv(f, "DOM0_MEM", buf);
	snprintf(buf, sizeof(buf), "%u", p->dom0_vcpus);
	kv(f, "DOM0_VCPUS", buf);
	kv(f, "MANAGEMENT_INTERFACE", "xenbr0");
	kv(f, "MANAGEMENT_NIC", t->admin_name);
	kv(f, "MANAGEMENT_MAC", t->admin_mac);
	if (a->vlan) {
		snprintf(buf, sizeof(buf), "%u", a->vlan);
		kv(f, "MANAGEMENT_VLAN", buf);
	}
	kv(f, "MANAGEMENT_ADDRESS_TYPE", a->proto == PROTO4_DHCP ? "dhcp" : a->proto == PROTO4_STATIC ? "static" : "none");
	kv(f, "MANAGEMENT_ADDRESS_TYPE_V6", a->protov6 == PROTO6_DHCP ? "dhcp" : a->protov6 == PROTO6_STATIC ? "static"
					    : a->protov6 == PROTO6_AUTOCONF ? "autoconf" : "none");
}

/* --- grub.cfg */
static void grub_entry(FILE *f, const struct grub_os *os, const char *title, const char *id, const char *xen_extra,
		       const char *dom0_extra)
{
	fprintf(f, "menuentry '%s' --id %s {\n", title, id);
	fprintf(f, "\tsearch --no-floppy --fs-uuid --set=root %s\n", os->uuid);
	fprintf(f, "\techo 'Loading Xen ...'\n");
	fprintf(f, "\tmultiboot2 /boot/xen.gz dom0_mem=%uM,max:%uM dom0_max_vcpus=%u %s%s%s\n", os->dom0_mem_mib,
		os->dom0_mem_mib, os->dom0_vcpus, xen_extra, os->xen_options[0] ? " " : "", os->xen_options);
	fprintf(f, "\techo 'Loading Linux %s ...'\n", os->krel);
	fprintf(f, "\tmodule2 /boot/vmlinuz-%s root=UUID=%s ro %s%s%s\n", os->krel, os->uuid, dom0_extra,
		os->dom0_options[0] ? " " : "", os->dom0_options);
	fprintf(f, "\techo 'Loading the initial ramdisk ...'\n");
	fprintf(f, "\tmodule2 /boot/initrd.img-%s\n}\n\n", os->krel);
}

void gen_grub_menu(FILE *f, const struct grub_os *os, const struct grub_os *prev, const char *prev_kind, bool trial)
{
	char title[160];
	fprintf(f, "# GRUB configuration of this Xenhost host, written by xenhost-installer %s.\n"
		   "# Both firmware modes read this file: BIOS (i386-pc core in the BIOS boot partition)\n"
		   "# and UEFI (EFI/xenhost/grubx64.efi and EFI/BOOT/BOOTX64.EFI on the ESP).\n",
		XENHOST_VERSION);
	fprintf(f, "set default=xenhost\nset timeout=5\n\n");
	if (trial)
		fprintf(f, "# This version is on trial after an upgrade: each boot counts xh_trial down in the\n"
			   "# environment block; 'xenhost-upgrade confirm' (run after a healthy boot) removes it.\n"
			   "# When it reaches 0 unconfirmed, the previous version boots instead, by itself.\n"
			   "if [ -s $prefix/grubenv ]; then\n\tload_env xh_trial xh_rolled_back\nfi\n"
			   "if [ \"$xh_trial\" = 3 ]; then\n\tset xh_trial=2\n\tsave_env xh_trial\n"
			   "elif [ \"$xh_trial\" = 2 ]; then\n\tset xh_trial=1\n\tsave_env xh_trial\n"
			   "elif [ \"$xh_trial\" = 1 ]; then\n\tset xh_trial=0\n\tsave_env xh_trial\n"
			   "elif [ \"$xh_trial\" = 0 ]; then\n\tset default=previous\n\tset xh_rolled_back=1\n"
			   "\tsave_env xh_rolled_back\nfi\n\n");
	fprintf(f, "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
		   "terminal_input console serial\nterminal_output console serial\n\n");
	fprintf(f, "insmod part_gpt\ninsmod ext2\ninsmod gzio\ninsmod multiboot2\n"
		   "if [ \"$grub_platform\" = efi ]; then\n\tinsmod efi_gop\n\tinsmod efi_uga\nfi\n\n");
	snprintf(title, sizeof(title), "Xenhost %s", os->version);
	grub_entry(f, os, title, "xenhost", "com1=115200,8n1 console=com1,vga", "console=hvc0 console=tty0");
	snprintf(title, sizeof(title), "Xenhost %s (serial console)", os->version);
	grub_entry(f, os, title, "xenhost-serial", "com1=115200,8n1 console=com1,vga", "console=tty0 console=hvc0");
	snprintf(title, sizeof(title), "Xenhost %s (safe mode)", os->version);
	grub_entry(f, os, title, "xenhost-safe",
		   "com1=115200,8n1 console=com1,vga nosmp noreboot iommu=0 x2apic=0 max_cstate=1 cpufreq=none numa=off",
		   "console=hvc0 console=tty0 nomodeset");
	if (prev) {
		snprintf(title, sizeof(title), "Xenhost %s (%s, on the backup partition)", prev->version, prev_kind);
		grub_entry(f, prev, title, "previous", "com1=115200,8n1 console=com1,vga", "console=hvc0 console=tty0");
	}
}

void gen_grub_cfg(FILE *f, const struct target_facts *t)
{
	struct grub_os os = { .dom0_mem_mib = (unsigned)(t->plan->dom0_memory / MiB), .dom0_vcpus = t->plan->dom0_vcpus };
	snprintf(os.uuid, sizeof(os.uuid), "%s", t->root_uuid);
	snprintf(os.krel, sizeof(os.krel), "%s", t->krel);
	snprintf(os.version, sizeof(os.version), "%s", t->product_version);
	gen_grub_menu(f, &os, NULL, NULL, false);
}

/* --- all of them */
int gen_all(const struct target_facts *t, struct gen_files *g)
{
	const struct install_config *c = t->cfg;
	FILE *f;
	int r;

	memset(g, 0, sizeof(*g));
	if ((r = add_file(g, "etc/fstab", 0644, &f)) < 0)
		goto fail;
	gen_fstab(f, t);
	if ((r = close_file(f)) < 0)
		goto fail;
	if (c->hostname[0]) {
		if ((r = add_file(g, "etc/hostname", 0644, &f)) < 0)
			goto fail;
		fprintf(f, "%s\n", c->hostname);
		if ((r = close_file(f)) < 0)
			goto fail;
	}
	if ((r = add_file(g, "etc/hosts", 0644, &f)) < 0)
		goto fail;
	gen_hosts(f, c->hostname);
	if ((r = close_file(f)) < 0)
		goto fail;
	if ((r = gen_network(t, g)) < 0)
		goto fail;
	if ((r = add_file(g, "etc/vconsole.conf", 0644, &f)) < 0)
		goto fail;
	fprintf(f, "KEYMAP=%s\n", c->keymap);
	if ((r = close_file(f)) < 0)
		goto fail;
	if ((r = add_file(g, "etc/timezone", 0644, &f)) < 0)
		goto fail;
	fprintf(f, "%s\n", c->timezone);
	if ((r = close_file(f)) < 0)
		goto fail;
	char *text = NULL;
	size_t len;
	FILE *m = open_memstream(&text, &len);
	if (!m) {
		r = -ENOMEM;
		goto fail;
	}
	r = gen_chrony(m, c);
	if (fclose(m) != 0) {
		free(text);
		r = -ENOMEM;
		goto fail;
	}
	if (r == 0) {
		if ((r = add_file(g, "etc/chrony/sources.d/xenhost.sources", 0644, &f)) < 0) {
			free(text);
			goto fail;
		}
		fputs(text, f);
		if ((r = close_file(f)) < 0) {
			free(text);
			goto fail;
		}
	}
	free(text);
	if ((r = add_file(g, "etc/xenhost-inventory", 0644, &f)) < 0)
		goto fail;
	gen_inventory(f, t);
	if ((r = close_file(f)) < 0)
		goto fail;
	if ((r = add_file(g, "boot/grub/grub.cfg", 0644, &f)) < 0)
		goto fail;
	gen_grub_cfg(f, t);
	if ((r = close_file(f)) < 0)
		goto fail;
	if (c->ssh_root_password) {
		/* sshd takes the first value it reads; this file comes before the image's
		 * 50-xenhost.conf (PermitRootLogin prohibit-password) */
		if ((r = add_file(g, "etc/ssh/sshd_config.d/40-xenhost-root-password.conf", 0644, &f)) < 0)
			goto fail;
		fputs("# Written by the installer: the answer file allowed root to log in over SSH with its\n"
		      "# password (<root-password ssh=\"true\">). Remove this file to allow keys only.\n"
		      "PermitRootLogin yes\n", f);
		if ((r = close_file(f)) < 0)
			goto fail;
	}
	if (c->n_ssh_keys) {
		if ((r = add_file(g, "root/.ssh/authorized_keys", 0600, &f)) < 0)
			goto fail;
		for (size_t i = 0; i < c->n_ssh_keys; i++)
			fprintf(f, "%s\n", c->ssh_keys[i]);
		if ((r = close_file(f)) < 0)
			goto fail;
	}
	return 0;
fail:
	gen_files_free(g);
	return r;
}

void gen_files_free(struct gen_files *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].text);
	g->n = 0;
}

const struct gen_file *gen_find(const struct gen_files *g, const char *path)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].path, path))
			return &g->v[i];
	return NULL;
}

/* --- the root password */
int hash_password_salt(const char *pw, const char *salt16, char *out, size_t n)
{
	char setting[32];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	int r = 0;
	if (!cd)
		return -ENOMEM;
	snprintf(setting, sizeof(setting), "$6$%s", salt16);
	const char *h = crypt_r(pw, setting, cd);
	if (!h || strncmp(h, "$6$", 3) != 0)
		r = -EINVAL;
	else if (copy_str(out, n, h) < 0)
		r = -ENAMETOOLONG;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

int hash_password(const char *pw, char *out, size_t n)
{
	static const char alphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char b[16];
	char salt[17];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -EIO;
	for (size_t i = 0; i < 16; i++)
		salt[i] = alphabet[b[i] % 64];
	salt[16] = '\0';
	return hash_password_salt(pw, salt, out, n);
}

int shadow_set_root(const char *in, const char *hash, long days, char **out)
{
	size_t len;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	bool found = false;
	if (!f)
		return -ENOMEM;
	for (const char *line = in; *line;) {
		const char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		if (!found && l > 5 && !strncmp(line, "root:", 5)) {
			/* root:PASSWORD:LASTCHANGE:rest */
			const char *p2 = memchr(line + 5, ':', l - 5);
			const char *p3 = p2 ? memchr(p2 + 1, ':', l - (size_t)(p2 + 1 - line)) : NULL;
			fprintf(f, "root:%s:%ld", hash, days);
			if (p3)
				fwrite(p3, 1, l - (size_t)(p3 - line), f);
			else
				fputs("::::::", f);
			fputc('\n', f);
			found = true;
		} else {
			fwrite(line, 1, l, f);
			fputc('\n', f);
		}
		line += l + (nl ? 1 : 0);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	if (!found) {
		free(buf);
		return -ENOENT;
	}
	*out = buf;
	return 0;
}

/* --- the install environment's network (to fetch the answer file) */
static void live_match(FILE *f, const char *dev)
{
	fprintf(f, "[Match]\n");
	if (!dev[0] || !strcmp(dev, "all"))
		fprintf(f, "Type=ether\nKind=!*\n");
	else if (strchr(dev, ':'))
		fprintf(f, "PermanentMACAddress=%s\n", dev);
	else
		fprintf(f, "Name=%s\n", dev);
}

static void live_addressing(FILE *f, const struct kc_netconfig *n)
{
	if (n->mode != KC_NET_STATIC) {
		/* the answer file URL may come as a DHCP option (answerfile=auto or dhcp) */
		fprintf(f, "DHCP=yes\n\n[DHCPv4]\nRequestOptions=%d\n", ANSWER_DHCP_OPTION);
		return;
	}
	fprintf(f, "DHCP=no\nAddress=%s/%u\n", n->ip, n->prefix);
	if (n->gateway[0])
		fprintf(f, "Gateway=%s\n", n->gateway);
	for (size_t i = 0; i < n->n_dns; i++)
		fprintf(f, "DNS=%s\n", n->dns[i]);
}

int gen_live_network(const struct kernel_cmdline *k, struct gen_files *g)
{
	const struct kc_netconfig *n = &k->net;
	char vlandev[24];
	FILE *f;
	int r;

	snprintf(vlandev, sizeof(vlandev), "live.%u", n->vlan);
	if ((r = add_file(g, "90-xenhost-live.network", 0644, &f)) < 0)
		return r;
	fprintf(f, "# The install environment's network, from network_device= and network_config= on the\n"
		   "# kernel command line (written by xenhost-installer --write-live-network).\n");
	live_match(f, k->network_device);
	fprintf(f, "\n[Network]\n");
	if (n->vlan)
		fprintf(f, "LinkLocalAddressing=no\nVLAN=%s\n", vlandev);
	else
		live_addressing(f, n);
	if ((r = close_file(f)) < 0)
		return r;
	if (!n->vlan)
		return 0;
	if ((r = add_file(g, "90-xenhost-live-vlan.netdev", 0644, &f)) < 0)
		return r;
	fprintf(f, "[NetDev]\nName=%s\nKind=vlan\n\n[VLAN]\nId=%u\n", vlandev, n->vlan);
	if ((r = close_file(f)) < 0)
		return r;
	if ((r = add_file(g, "90-xenhost-live-vlan.network", 0644, &f)) < 0)
		return r;
	fprintf(f, "[Match]\nName=%s\n\n[Network]\n", vlandev);
	live_addressing(f, n);
	return close_file(f);
}
