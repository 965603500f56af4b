/* plan.c: config + hardware -> struct install_plan (see plan.h). */
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "validate.h"

uint64_t dom0_memory_for(uint64_t ram)
{
	uint64_t m = GiB + ram / 20;
	if (m > 8 * GiB)
		m = 8 * GiB;
	return m / MiB * MiB;
}

unsigned dom0_vcpus_for(unsigned cpus)
{
	if (cpus == 0)
		return 1;
	return cpus < 16 ? cpus : 16;
}

/* GPT: 128 entries of 128 bytes after the header at LBA 1, mirrored at the end. */
static uint64_t gpt_entry_sectors(unsigned ss)
{
	return (128 * 128 + ss - 1) / ss;
}

static uint64_t fixed_bytes(const struct install_config *c)
{
	const struct part_sizes *s = &c->sizes;
	return PLAN_BIOSBOOT_SIZE + s->esp + s->root + s->backup + s->logs + s->swap;
}

uint64_t plan_min_disk_size(const struct install_config *c, unsigned ss, bool primary)
{
	uint64_t need = PLAN_ALIGN;   /* the first partition starts at 1 MiB */
	if (primary)
		need += fixed_bytes(c) + (c->guest_storage ? PLAN_MIN_STORAGE : 0);
	else
		need += PLAN_MIN_STORAGE;
	/* the backup GPT header and entries follow the last aligned MiB */
	return need + (1 + gpt_entry_sectors(ss)) * ss;
}

static int default_suffix(void *ud, char *out)
{
	unsigned char b[PLAN_SUFFIX_LEN / 2];
	(void)ud;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -errno ? -errno : -EIO;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static bool valid_suffix(const char *s)
{
	if (strlen(s) != PLAN_SUFFIX_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static void geometry(struct plan_disk *pd)
{
	unsigned ss = pd->disk.logical_sector;
	uint64_t e = gpt_entry_sectors(ss);
	pd->n_sectors = pd->disk.size / ss;
	pd->first_usable_lba = 2 + e;
	pd->last_usable_lba = pd->n_sectors - 2 - e;
}

/* The end (bytes) of the usable area, rounded down to the alignment. */
static uint64_t usable_end(const struct plan_disk *pd)
{
	uint64_t end = (pd->last_usable_lba + 1) * pd->disk.logical_sector;
	return end / PLAN_ALIGN * PLAN_ALIGN;
}

static void add_part(struct plan_disk *pd, const struct install_plan *p, unsigned number, enum part_role role,
		     uint64_t *cursor, uint64_t size, const char *label_role)
{
	struct plan_part *pp = &pd->parts[pd->n_parts++];
	unsigned ss = pd->disk.logical_sector;

	memset(pp, 0, sizeof(*pp));
	pp->number = number;
	pp->role = role;
	pp->start = *cursor;
	pp->size = size;
	pp->start_lba = pp->start / ss;
	pp->n_lba = pp->size / ss;
	snprintf(pp->label, sizeof(pp->label), "xh-%s-%s", label_role, p->suffix);
	pp->type_guid = GPT_TYPE_LINUX_DATA;
	pp->mkfs = true;
	switch (role) {
	case PART_ROOT: pp->fs = FS_EXT4; pp->mountpoint = "/"; break;
	case PART_BACKUP: pp->fs = FS_EXT4; pp->mkfs = false; break;
	case PART_STORAGE: pp->fs = p->sr_type == SR_XFS ? FS_XFS : FS_EXT4; break;
	case PART_ESP: pp->fs = FS_VFAT; pp->mountpoint = "/boot/efi"; pp->type_guid = GPT_TYPE_ESP; break;
	case PART_LOGS: pp->fs = FS_EXT4; pp->mountpoint = "/var/log"; break;
	case PART_SWAP: pp->fs = FS_SWAP; pp->type_guid = GPT_TYPE_SWAP; break;
	case PART_BIOSBOOT: pp->fs = FS_NONE; pp->type_guid = GPT_TYPE_BIOS_BOOT; pp->mkfs = false; break;
	}
	*cursor += size;
}

static int check_disk_usable(const struct disk_info *di, struct src_pos pos, struct diag_list *d)
{
	if (di->logical_sector != 512 && di->logical_sector != 4096) {
		diag_error(d, pos, "disk %s has %u-byte sectors; Xenhost installs on disks with 512 or 4096-byte "
			   "sectors", di->devnode, di->logical_sector);
		return -EINVAL;
	}
	if (di->readonly) {
		diag_error(d, pos, "disk %s is read-only; check its write-protect switch or controller, or choose "
			   "another disk", di->devnode);
		return -EROFS;
	}
	return 0;
}

static int too_small(const struct plan_disk *pd, uint64_t min, const char *role, struct diag_list *d)
{
	char have[32], need[32];
	diag_error(d, pd->pos, "disk %s (%s) is %s (%llu bytes), but the %s layout needs at least %s (%llu bytes): "
		   "use a larger disk%s", pd->disk.devnode, pd->disk.model[0] ? pd->disk.model : "no model",
		   fmt_size(pd->disk.size, have, sizeof(have)), (unsigned long long)pd->disk.size, role,
		   fmt_size(min, need, sizeof(need)), (unsigned long long)min,
		   pd->primary ? ", or make the partitions smaller with <partition-sizes>" : "");
	return -ENOSPC;
}

static int layout_primary(struct install_plan *p, struct plan_disk *pd, struct diag_list *d)
{
	const struct install_config *c = p->cfg;
	const struct part_sizes *s = &c->sizes;
	uint64_t min = plan_min_disk_size(c, pd->disk.logical_sector, true);
	uint64_t cur = PLAN_ALIGN, end;

	if (pd->disk.size < min)
		return too_small(pd, min, "primary disk", d);
	geometry(pd);
	end = usable_end(pd);
	add_part(pd, p, 7, PART_BIOSBOOT, &cur, PLAN_BIOSBOOT_SIZE, "biosboot");
	add_part(pd, p, 4, PART_ESP, &cur, s->esp, "esp");
	add_part(pd, p, 1, PART_ROOT, &cur, s->root, "root");
	add_part(pd, p, 2, PART_BACKUP, &cur, s->backup, "backup");
	if (c->guest_storage && !c->sr_at_end) {
		uint64_t storage = end - cur - s->logs - s->swap;
		add_part(pd, p, 3, PART_STORAGE, &cur, storage, "storage");
	}
	add_part(pd, p, 5, PART_LOGS, &cur, s->logs, "logs");
	add_part(pd, p, 6, PART_SWAP, &cur, s->swap, "swap");
	if (c->guest_storage && c->sr_at_end)
		add_part(pd, p, 3, PART_STORAGE, &cur, end - cur, "storage");
	pd->unused = end - cur;
	return 0;
}

static int layout_guest(struct install_plan *p, struct plan_disk *pd, unsigned index, struct diag_list *d)
{
	uint64_t min = plan_min_disk_size(p->cfg, pd->disk.logical_sector, false);
	uint64_t cur = PLAN_ALIGN;
	char role[16];

	if (pd->disk.size < min)
		return too_small(pd, min, "local storage", d);
	geometry(pd);
	snprintf(role, sizeof(role), "storage%u", index);
	add_part(pd, p, 1, PART_STORAGE, &cur, usable_end(pd) - cur, role);
	return 0;
}

/* Resolve a selector and take the disk into the plan, refusing a disk taken twice. */
static int take_disk(struct install_plan *p, const struct disk_selector *sel, const char *what,
		     const struct disk_info *disks, size_t n, int *taken, struct diag_list *d)
{
	int i = disk_select(sel, disks, n, what, d);
	if (i < 0)
		return i;
	for (size_t k = 0; k < p->n_disks; k++)
		if (taken[k] == i) {
			const struct src_pos *f = &p->disks[k].pos;
			diag_error(d, sel->pos, "%s is %s, which is already used (named at line %u, column %u): name each "
				   "disk once", what, disks[i].devnode, f->line, f->col);
			return -EEXIST;
		}
	int r = check_disk_usable(&disks[i], sel->pos, d);
	if (r < 0)
		return r;
	struct plan_disk *pd = &p->disks[p->n_disks];
	memset(pd, 0, sizeof(*pd));
	pd->disk = disks[i];
	pd->pos = sel->pos;
	taken[p->n_disks++] = i;
	return 0;
}

static int plan_dom0(struct install_plan *p, struct diag_list *d)
{
	const struct install_config *c = p->cfg;
	const struct src_pos none = { 0, 0 };
	char b1[32], b2[32];
	int r = 0;

	if (p->host.ram == 0 || p->host.cpus == 0) {
		diag_error(d, none, "the host's memory or CPU count is unknown; cannot size dom0");
		return -EINVAL;
	}
	p->dom0_memory_auto = c->dom0_memory == 0;
	p->dom0_vcpus_auto = c->dom0_vcpus == 0;
	p->dom0_memory = c->dom0_memory ? c->dom0_memory : dom0_memory_for(p->host.ram);
	p->dom0_vcpus = c->dom0_vcpus ? c->dom0_vcpus : dom0_vcpus_for(p->host.cpus);
	if (p->dom0_memory >= p->host.ram) {
		diag_error(d, none, "dom0 memory %s is not less than the host's RAM (%s): lower <dom0 memory=>",
			   fmt_size(p->dom0_memory, b1, sizeof(b1)), fmt_size(p->host.ram, b2, sizeof(b2)));
		r = -EINVAL;
	}
	if (p->dom0_vcpus > p->host.cpus)
		diag_warn(d, none, "dom0 gets %u vCPUs but the host has %u CPUs", p->dom0_vcpus, p->host.cpus);
	return r;
}

int plan_make(const struct install_config *c, const struct disk_info *disks, size_t n, const struct plan_host *host,
	      const struct plan_opts *opts, struct install_plan *p, struct diag_list *d)
{
	int taken[PLAN_MAX_DISKS];
	int r = 0, k;

	for (size_t i = 0; i < PLAN_MAX_DISKS; i++)
		taken[i] = -1;

	memset(p, 0, sizeof(*p));
	p->cfg = c;
	p->mode = c->mode;
	p->host = *host;
	p->sr_type = c->sr_type;
	p->write_boot_entry = c->write_boot_entry;
	p->firmware_forced = c->firmware != FW_AUTO;
	p->firmware = c->firmware != FW_AUTO ? c->firmware : host->uefi ? FW_UEFI : FW_BIOS;

	plan_suffix_fn fn = opts && opts->suffix ? opts->suffix : default_suffix;
	if ((k = fn(opts ? opts->suffix_ud : NULL, p->suffix)) < 0)
		return k;
	if (!valid_suffix(p->suffix))
		return -EINVAL;

	switch (c->mode) {
	case MODE_UPGRADE:
		/* The layout is the existing one; reading it is the upgrade step's job. */
		return take_disk(p, &c->existing_installation, "<existing-installation>", disks, n, taken, d);
	case MODE_RESTORE:
		if (c->backup_disk.kind == DISK_SEL_NONE)
			return 0;   /* the restore step finds the backup */
		return take_disk(p, &c->backup_disk, "<backup-disk>", disks, n, taken, d);
	case MODE_FRESH:
	case MODE_REINSTALL:
		break;
	}

	if ((k = take_disk(p, &c->primary_disk, "<primary-disk>", disks, n, taken, d)) < 0)
		r = k;
	else
		p->disks[0].primary = true;
	for (size_t i = 0; i < c->n_guest_disks; i++)
		if ((k = take_disk(p, &c->guest_disks[i], "<guest-disk>", disks, n, taken, d)) < 0 && !r)
			r = k;
	if (r < 0 && !(p->n_disks && p->disks[0].primary))
		return r;   /* without the primary disk there is nothing to lay out */

	p->min_primary_size = plan_min_disk_size(c, p->disks[0].disk.logical_sector, true);
	if ((k = layout_primary(p, &p->disks[0], d)) < 0 && !r)
		r = k;
	for (size_t i = 1; i < p->n_disks; i++)
		if ((k = layout_guest(p, &p->disks[i], (unsigned)i + 1, d)) < 0 && !r)
			r = k;
	if (!c->guest_storage && p->n_disks == 1)
		diag_warn(d, c->primary_disk.pos, "no local storage will be made: guest-storage=\"false\" and no "
			  "<guest-disk>");
	if ((k = plan_dom0(p, d)) < 0 && !r)
		r = k;
	return r;
}
