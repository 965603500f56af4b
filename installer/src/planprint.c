/* planprint.c: the plan as text, for --dry-run and the install log. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "validate.h"

const char *part_role_name(enum part_role r)
{
	switch (r) {
	case PART_ROOT: return "root";
	case PART_BACKUP: return "backup";
	case PART_STORAGE: return "local storage";
	case PART_ESP: return "ESP";
	case PART_LOGS: return "logs";
	case PART_SWAP: return "swap";
	case PART_BIOSBOOT: return "BIOS boot";
	}
	return "?";
}

const char *fs_name(enum fs_kind f)
{
	switch (f) {
	case FS_NONE: return "-";
	case FS_EXT4: return "ext4";
	case FS_XFS: return "xfs";
	case FS_VFAT: return "vfat";
	case FS_SWAP: return "swap";
	}
	return "?";
}

void part_devnode(const struct disk_info *d, unsigned number, char *buf, size_t n)
{
	size_t l = strlen(d->name);
	bool digit = l && d->name[l - 1] >= '0' && d->name[l - 1] <= '9';
	snprintf(buf, n, "/dev/%s%s%u", d->name, digit ? "p" : "", number);
}

static void print_disk(const struct plan_disk *pd, FILE *out)
{
	char sz[32], desc[600], dev[64];

	fprintf(out, "\ndisk %s%s\n", disk_describe(&pd->disk, desc, sizeof(desc)), pd->primary ? " (primary)" : "");
	for (size_t i = 0; i < pd->disk.n_by_id && i < 1; i++)
		fprintf(out, "  id: %s\n", pd->disk.by_id[i]);
	if (!pd->n_parts)
		return;
	fprintf(out, "  wipe: RAID, LVM and filesystem signatures, old partition tables at both ends%s\n",
		pd->disk.n_partitions ? " (it has partitions now: they are destroyed)" : "");
	if (pd->disk.contents[0])
		fprintf(out, "  now on it: %s\n", pd->disk.contents);
	fprintf(out, "  new GPT: %" PRIu64 " sectors of %u bytes, usable LBA %" PRIu64 "-%" PRIu64 "\n",
		pd->n_sectors, pd->disk.logical_sector, pd->first_usable_lba, pd->last_usable_lba);
	fprintf(out, "  %-3s %-14s %12s %12s %10s  %-13s %-20s %-5s %s\n", "#", "device", "start LBA", "sectors",
		"size", "role", "label", "fs", "mount");
	for (size_t i = 0; i < pd->n_parts; i++) {
		const struct plan_part *pp = &pd->parts[i];
		part_devnode(&pd->disk, pp->number, dev, sizeof(dev));
		fprintf(out, "  %-3u %-14s %12" PRIu64 " %12" PRIu64 " %10s  %-13s %-20s %-5s %s%s\n", pp->number, dev,
			pp->start_lba, pp->n_lba, fmt_size(pp->size, sz, sizeof(sz)), part_role_name(pp->role),
			pp->label, fs_name(pp->fs), pp->mountpoint ? pp->mountpoint : "-",
			pp->role == PART_BACKUP ? " (made at the first upgrade)" : "");
	}
	if (pd->unused)
		fprintf(out, "  left unused at the end: %s\n", fmt_size(pd->unused, sz, sizeof(sz)));
}

static void print_files(const struct install_plan *p, FILE *out)
{
	const struct install_config *c = p->cfg;
	fprintf(out, "\nfiles written on the target:\n");
	fprintf(out, "  /etc/fstab (by UUID), /etc/hostname, /etc/hosts, /etc/machine-id (new)\n");
	fprintf(out, "  /etc/systemd/network/: xenbr0 on %s%s, %s%s%s\n",
		c->admin.name[0] ? c->admin.name : c->admin.hwaddr, c->admin.vlan ? " (VLAN)" : "",
		c->admin.proto == PROTO4_STATIC ? "static IPv4" : c->admin.proto == PROTO4_DHCP ? "DHCP" : "no IPv4",
		c->admin.protov6 != PROTO6_NONE ? ", IPv6 " : "",
		c->admin.protov6 == PROTO6_STATIC ? "static" : c->admin.protov6 == PROTO6_DHCP ? "DHCP"
							     : c->admin.protov6 == PROTO6_AUTOCONF ? "autoconf" : "");
	fprintf(out, "  /etc/systemd/network/*.link: NIC names pinned to MAC addresses\n");
	fprintf(out, "  /etc/localtime -> %s, /etc/vconsole.conf (keymap %s), /etc/chrony/ (NTP)\n", c->timezone,
		c->keymap);
	fprintf(out, "  /etc/shadow: root password (%s)\n",
		c->root_password_type == PW_HASH ? "the given hash" : "hashed with SHA-512; never stored in clear");
	fprintf(out, "  SSH: root logs in %s; %zu key(s) in /root/.ssh/authorized_keys\n",
		c->ssh_root_password ? "with a key or the password" : "with a key only", c->n_ssh_keys);
	fprintf(out, "  /etc/xenhost-inventory, /boot/grub/grub.cfg, /var/log/installer/ (log, redacted answer file)\n");
	if (c->n_services)
		fprintf(out, "  systemd: %zu services enabled or disabled\n", c->n_services);
}

void plan_print(const struct install_plan *p, FILE *out)
{
	const struct install_config *c = p->cfg;
	char b1[32], b2[32];

	fprintf(out, "Xenhost %s installation plan\n", XENHOST_VERSION);
	fprintf(out, "mode:          %s\n", mode_name(p->mode));
	fprintf(out, "firmware:      %s (%s)\n", p->firmware == FW_UEFI ? "UEFI" : "BIOS",
		p->firmware_forced ? "forced by the answer file" : "detected");
	if (p->mode == MODE_UPGRADE || p->mode == MODE_RESTORE) {
		if (p->n_disks)
			print_disk(&p->disks[0], out);
		fprintf(out, "\n%s: the partitions are kept; the %s step reads the existing layout.\n",
			p->mode == MODE_UPGRADE ? "upgrade" : "restore", mode_name(p->mode));
		return;
	}
	fprintf(out, "local storage: %s", sr_type_name(p->sr_type));
	for (size_t i = 0; i < p->n_disks; i++)
		for (size_t k = 0; k < p->disks[i].n_parts; k++)
			if (p->disks[i].parts[k].role == PART_STORAGE) {
				char dev[64];
				part_devnode(&p->disks[i].disk, p->disks[i].parts[k].number, dev, sizeof(dev));
				fprintf(out, " %s", dev);
			}
	fprintf(out, "\n");
	fprintf(out, "dom0:          %" PRIu64 " MiB memory (%s), %u vCPUs (%s); host: %s RAM, %u CPUs\n",
		p->dom0_memory / MiB, p->dom0_memory_auto ? "1 GiB + 5% of RAM, at most 8 GiB" : "set",
		p->dom0_vcpus, p->dom0_vcpus_auto ? "min(CPUs, 16)" : "set", fmt_size(p->host.ram, b2, sizeof(b2)),
		p->host.cpus);
	fprintf(out, "hostname:      %s\n", c->hostname[0] ? c->hostname : "(from DHCP)");
	fprintf(out, "source:        %s\n", c->source == SOURCE_URL ? c->source_url : "the boot medium's image");
	fprintf(out, "minimum size of the primary disk for this layout: %s (%" PRIu64 " bytes)\n",
		fmt_size(p->min_primary_size, b1, sizeof(b1)), p->min_primary_size);
	for (size_t i = 0; i < p->n_disks; i++)
		print_disk(&p->disks[i], out);
	if (p->n_disks) {
		char esp[64];
		part_devnode(&p->disks[0].disk, 4, esp, sizeof(esp));
		fprintf(out, "\nbootloader: GRUB 2, both firmware modes:\n");
		fprintf(out, "  BIOS: i386-pc on %s (core image in the BIOS boot partition)\n", p->disks[0].disk.devnode);
		fprintf(out, "  UEFI: x86_64-efi on the ESP %s, with EFI/BOOT/BOOTX64.EFI%s\n", esp,
			p->firmware == FW_UEFI && p->write_boot_entry ? ", and an NVRAM boot entry (efibootmgr)" : "");
		fprintf(out, "  entries: Xenhost, serial console (com1, 115200), safe mode\n");
	}
	print_files(p, out);
	if (c->n_scripts)
		fprintf(out, "\nscripts: %zu (run at their stages)\n", c->n_scripts);
	fprintf(out, "\nafter the install: %s%s%s\n", post_action_name(c->post_action),
		c->report_url[0] ? "; report to " : "", c->report_url);
}
