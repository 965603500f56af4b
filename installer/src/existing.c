/* existing.c: an installation already on a disk (see existing.h). */
#define _FILE_OFFSET_BITS 64
#include "existing.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "disk.h"
#include "fsutil.h"
#include "upgrade.h"
#include "validate.h"

static const char *const role_tag[PLAN_MAX_PARTS] = {
	[PART_ROOT] = "root", [PART_BACKUP] = "backup", [PART_STORAGE] = "storage", [PART_ESP] = "esp",
	[PART_LOGS] = "logs", [PART_SWAP] = "swap", [PART_BIOSBOOT] = "biosboot",
};

void inv_get(const char *text, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	out[0] = '\0';
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, kl) != 0 || l[kl] != '=')
			continue;
		const char *v = l + kl + 1, *end = strchr(v, '\n');
		size_t len = end ? (size_t)(end - v) : strlen(v);
		if (len >= 2 && v[0] == '\'' && v[len - 1] == '\'') {
			v++;
			len -= 2;
		}
		snprintf(out, n, "%.*s", (int)len, v);   /* the last line of a key wins */
	}
}

int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (*a == '~' || *b == '~') {
			if (*a != '~')
				return 1;
			if (*b != '~')
				return -1;
			a++, b++;
			continue;
		}
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la, b += lb;
			continue;
		}
		if (!*a || !*b)   /* 1.0 < 1.0.1 */
			return *a ? 1 : -1;
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++, b++;
	}
	return 0;
}

/* The partitions named xh-<role>-<suffix>, by role. */
static int find_parts(const struct disk_info *d, struct existing *e)
{
	struct part_entry v[PROBE_MAX_PARTITIONS];
	int n = probe_table(d->devnode, v, PROBE_MAX_PARTITIONS);
	if (n < 0) {
		fprintf(stderr, "xenhost-installer: cannot read the partition table of %s: %s\n", d->devnode, strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++) {
		const char *name = v[i].name;
		if (strncmp(name, "xh-", 3) != 0)
			continue;
		for (int r = 0; r < PLAN_MAX_PARTS; r++) {
			size_t tl = strlen(role_tag[r]);
			if (strncmp(name + 3, role_tag[r], tl) != 0 || name[3 + tl] != '-' || e->dev[r][0])
				continue;
			if (r == PART_ROOT && copy_str(e->suffix, sizeof(e->suffix), name + 4 + tl) < 0)
				continue;
			part_devnode(d, v[i].number, e->dev[r], sizeof(e->dev[r]));
			e->num[r] = v[i].number;
			e->size[r] = v[i].size;
		}
	}
	return e->dev[PART_ROOT][0] ? 0 : -ENOENT;
}

static void newest_krel(const char *root, char *out, size_t n)
{
	char dir[PATH_MAX], p[PATH_MAX + 300];
	struct stat st;
	out[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/boot", root);
	DIR *dh = opendir(dir);
	if (!dh)
		return;
	struct dirent *de;
	while ((de = readdir(dh))) {
		if (strncmp(de->d_name, "vmlinuz-", 8) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/initrd.img-%s", dir, de->d_name + 8);
		if (stat(p, &st) == 0 && version_cmp(de->d_name + 8, out) > 0)
			snprintf(out, n, "%s", de->d_name + 8);
	}
	closedir(dh);
}

static unsigned inv_uint(const char *text, const char *key)
{
	char v[32];
	inv_get(text, key, v, sizeof(v));
	return (unsigned)strtoul(v, NULL, 10);
}

static int accept_path(void *ud, const char *rel)
{
	(void)ud;
	(void)rel;
	return 0;
}

void existing_read_inventory(const char *inv, struct existing *e, struct existing_root *rt, bool backup)
{
	rt->present = true;
	inv_get(inv, "PRODUCT_VERSION", rt->version, sizeof(rt->version));
	rt->dom0_mem_mib = inv_uint(inv, "DOM0_MEM");
	rt->dom0_vcpus = inv_uint(inv, "DOM0_VCPUS");
	inv_get(inv, "XEN_CMDLINE_EXTRA", rt->xen_options, sizeof(rt->xen_options));
	inv_get(inv, "DOM0_CMDLINE_EXTRA", rt->dom0_options, sizeof(rt->dom0_options));
	if (!backup) {
		inv_get(inv, "INSTALLATION_UUID", e->installation_uuid, sizeof(e->installation_uuid));
		inv_get(inv, "BOOT_MODE", e->boot_mode, sizeof(e->boot_mode));
	}
}

void existing_read_marker(const char *marker, struct existing *e)
{
	inv_get(marker, "BACKUP_DATE", e->backup_date, sizeof(e->backup_date));
	inv_get(marker, "BACKUP_OF_VERSION", e->backup_of, sizeof(e->backup_of));
	inv_get(marker, "BACKUP_OF_ROOT", e->backup_of_root, sizeof(e->backup_of_root));
}

/* Mount dev read-only on mnt and read one root; not present when it has no inventory. */
static int read_root(struct xlog *log, const char *dev, const char *mnt, struct existing *e, struct existing_root *rt,
		     bool backup)
{
	char path[PATH_MAX + 64], *inv = NULL, *marker = NULL;
	struct stat st;
	struct statvfs sv;
	int r;
	memset(rt, 0, sizeof(*rt));
	if (dev_fs_uuid(dev, rt->fs_uuid, sizeof(rt->fs_uuid), NULL, 0) < 0)
		rt->fs_uuid[0] = '\0';
	if ((r = mkdir_p(mnt, 0700)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot make the mount point %s: %s\n", mnt, strerror(-r));
		return r;
	}
	if (mount(dev, mnt, "ext4", MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, "noload") < 0) {
		r = -errno;
		xlog_msg(log, "%s (%s) cannot be mounted read-only: %s", dev, backup ? "backup" : "root", strerror(-r));
		return backup ? 0 : r;   /* an unformatted backup partition: no backup yet */
	}
	snprintf(path, sizeof(path), "%s/etc/xenhost-inventory", mnt);
	if (read_file(path, &inv) == 0) {
		existing_read_inventory(inv, e, rt, backup);
		newest_krel(mnt, rt->krel, sizeof(rt->krel));
		/* the operator's preserve.d lists are checked before anything is written */
		if (!backup && preserve_lists(mnt, accept_path, NULL, e->preserve_error, sizeof(e->preserve_error)) == 0)
			e->preserve_error[0] = '\0';
		snprintf(path, sizeof(path), "%s/" FIRSTBOOT_DONE, mnt);
		rt->firstboot_done = stat(path, &st) == 0;
		snprintf(path, sizeof(path), "%s/" FIRSTBOOT_STATE "/upgrade", mnt);
		rt->upgraded = stat(path, &st) == 0;
		if (statvfs(mnt, &sv) == 0)
			rt->used = (uint64_t)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
	}
	if (backup) {
		snprintf(path, sizeof(path), "%s/" BACKUP_MARKER, mnt);
		if (read_file(path, &marker) == 0) {
			existing_read_marker(marker, e);
		} else {
			rt->present = false;   /* a filesystem, but not a completed backup */
		}
	}
	free(inv);
	free(marker);
	if (umount2(mnt, 0) < 0) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot unmount %s (%s): %s\n", mnt, dev, strerror(-r));
		return r;
	}
	return 0;
}

int existing_probe(struct xlog *log, const struct disk_info *d, const char *mnt, struct existing *e)
{
	int r;
	memset(e, 0, sizeof(*e));
	snprintf(e->disk, sizeof(e->disk), "%s", d->devnode);
	if ((r = find_parts(d, e)) < 0)
		return r;
	/* a root that cannot be mounted may still be restored from the backup */
	if ((r = read_root(log, e->dev[PART_ROOT], mnt, e, &e->root, false)) < 0) {
		e->root_error = -r;
		xlog_warn(log, "the root partition %s of the installation on %s cannot be mounted read-only: %s",
			  e->dev[PART_ROOT], d->devnode, strerror(-r));
	}
	if (e->dev[PART_BACKUP][0] && (r = read_root(log, e->dev[PART_BACKUP], mnt, e, &e->backup, true)) < 0)
		return r;
	xlog_msg(log, "installation on %s: suffix %s, version %s, first boot %s, root %s (%" PRIu64 " MiB used), "
		 "backup %s%s", d->devnode, e->suffix, e->root.present ? e->root.version : "(no inventory)",
		 e->root.firstboot_done ? "done" : "not done", e->dev[PART_ROOT], e->root.used / MiB,
		 e->backup.present ? "of version " : "none", e->backup.present ? e->backup.version : "");
	return 0;
}

bool existing_resume(struct existing *e)
{
	bool incomplete = e->root_error || !e->root.present || !e->root.version[0] || !e->root.krel[0] ||
			  (e->root.upgraded && !e->root.firstboot_done);
	if (!incomplete || !e->backup.present || !e->backup.firstboot_done || !e->backup.krel[0] || !e->backup_of_root[0])
		return false;
	if (e->root.fs_uuid[0] && strcmp(e->root.fs_uuid, e->backup_of_root) != 0)
		return false;   /* the backup is of another root filesystem */
	e->root = e->backup;
	snprintf(e->root.fs_uuid, sizeof(e->root.fs_uuid), "%s", e->backup_of_root);
	e->root_error = 0;
	e->resume = true;
	return true;
}

int existing_check(const struct existing *e, enum install_mode mode, bool force, const char *ours, char *why, size_t n)
{
	static const enum part_role needed[] = { PART_ROOT, PART_BACKUP, PART_ESP, PART_LOGS };
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!e->dev[needed[i]][0]) {
			snprintf(why, n, "the installation on %s has an unknown layout: no xh-%s-%s partition; it cannot "
				 "be %s. Back up what you need and make a fresh install", e->disk, role_tag[needed[i]],
				 e->suffix, mode == MODE_UPGRADE ? "upgraded" : "restored");
			return -EPERM;
		}
	if (mode == MODE_RESTORE) {
		if (!e->backup.present) {
			snprintf(why, n, "there is no backup to restore on %s: the backup partition %s holds no completed "
				 "backup (one is made by an upgrade)", e->disk, e->dev[PART_BACKUP]);
			return -EPERM;
		}
		return 0;
	}
	if (e->root_error) {
		snprintf(why, n, "the root partition %s of the installation on %s cannot be mounted (%s); it cannot be "
			 "upgraded. Check it with e2fsck from the shell on tty2, or restore the backup", e->dev[PART_ROOT],
			 e->disk, strerror(e->root_error));
		return -EPERM;
	}
	if (!e->root.present) {
		snprintf(why, n, "%s is not a Xenhost installation this installer knows: its root %s has no "
			 "/etc/xenhost-inventory; it cannot be upgraded. Make a fresh install", e->disk, e->dev[PART_ROOT]);
		return -EPERM;
	}
	if (!e->root.version[0] || !e->root.krel[0]) {
		snprintf(why, n, "the installation on %s is incomplete (%s); it cannot be upgraded. Make a fresh install",
			 e->disk, !e->root.version[0] ? "no PRODUCT_VERSION in its inventory" : "no kernel in its /boot");
		return -EPERM;
	}
	if (e->preserve_error[0]) {
		snprintf(why, n, "on %s, %s: fix it on the host (or boot the shell on tty2 and fix it on the root "
			 "partition %s), then upgrade again", e->disk, e->preserve_error, e->dev[PART_ROOT]);
		return -EPERM;
	}
	if (!e->root.firstboot_done) {
		snprintf(why, n, "the installation on %s (version %s) never completed its first boot (no /%s); boot it "
			 "once until it says it is ready, or make a fresh install", e->disk, e->root.version, FIRSTBOOT_DONE);
		return -EPERM;
	}
	if (version_cmp(e->root.version, ours) > 0 && !force) {
		snprintf(why, n, "the installation on %s is version %s, newer than this installer's %s: an upgrade "
			 "would be a downgrade. Use the installer of %s or newer, or write <existing-installation "
			 "force=\"true\"> to downgrade anyway", e->disk, e->root.version, ours, e->root.version);
		return -EPERM;
	}
	/* the file-level copy needs the root's used space, plus 5% and 64 MiB for the
	 * filesystem's own metadata */
	uint64_t need = e->root.used + e->root.used / 20 + 64 * MiB;
	if (e->size[PART_BACKUP] < need) {
		snprintf(why, n, "the backup partition %s (%" PRIu64 " MiB) is too small for a copy of the root %s "
			 "(%" PRIu64 " MiB in use, %" PRIu64 " MiB needed): nothing was changed. Free space on the "
			 "root (old logs, images in /root) and try again", e->dev[PART_BACKUP], e->size[PART_BACKUP] / MiB,
			 e->dev[PART_ROOT], e->root.used / MiB, need / MiB);
		return -EPERM;
	}
	return 0;
}

void existing_print(const struct existing *e, FILE *out)
{
	fprintf(out, "installation on %s (partitions xh-*-%s)\n", e->disk, e->suffix);
	fprintf(out, "  version %s, %s boot, host UUID %s, first boot %s\n", e->root.version[0] ? e->root.version : "?",
		e->boot_mode[0] ? e->boot_mode : "?", e->installation_uuid[0] ? e->installation_uuid : "?",
		e->root.firstboot_done ? "completed" : "NOT completed");
	fprintf(out, "  root    %s, kernel %s, %" PRIu64 " MiB in use\n", e->dev[PART_ROOT],
		e->root.krel[0] ? e->root.krel : "?", e->root.used / MiB);
	if (e->backup.present)
		fprintf(out, "  backup  %s: version %s, made %s\n", e->dev[PART_BACKUP], e->backup.version,
			e->backup_date[0] ? e->backup_date : "?");
	else
		fprintf(out, "  backup  %s: empty (%" PRIu64 " MiB)\n", e->dev[PART_BACKUP][0] ? e->dev[PART_BACKUP] : "none",
			e->size[PART_BACKUP] / MiB);
}
