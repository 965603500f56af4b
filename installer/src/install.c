/* install.c: the executor (see install.h). */
#define _FILE_OFFSET_BITS 64
#include "install.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <limits.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disk.h"
#include "fetch.h"
#include "fsutil.h"
#include "run.h"
#include "validate.h"
#include "writers.h"

#include "exec.h"

/* --- helpers */
int tpath(const struct ictx *c, char *buf, size_t n, const char *rel)
{
	if (snprintf(buf, n, "%s/%s", c->root, rel[0] == '/' ? rel + 1 : rel) >= (int)n)
		return -ENAMETOOLONG;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int do_mount(struct ictx *c, const char *src, const char *dir, const char *type, unsigned long flags,
		    const char *data)
{
	int r;
	if (c->n_mounts >= MAX_MOUNTS)
		return -E2BIG;
	if ((r = mkdir_p(dir, 0755)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot make the mount point %s: %s\n", dir, strerror(-r));
		return r;
	}
	if (mount(src, dir, type, flags, data) < 0) {
		r = -errno;
		xlog_msg(c->log, "mount %s on %s (%s): %s", src, dir, type ? type : "bind", strerror(-r));
		return r;
	}
	xlog_msg(c->log, "mounted %s on %s (%s)", src, dir, type ? type : "bind");
	snprintf(c->mounts[c->n_mounts++], PATH_MAX, "%s", dir);
	return 0;
}

static int umount_one(struct ictx *c, const char *dir)
{
	for (int i = 0; i < 20; i++) {
		if (umount2(dir, 0) == 0) {
			xlog_msg(c->log, "unmounted %s", dir);
			return 0;
		}
		if (errno != EBUSY)
			break;
		sleep_ms(250);
	}
	int e = errno;
	if (umount2(dir, MNT_DETACH) == 0) {
		xlog_warn(c->log, "%s was busy (%s); detached it lazily", dir, strerror(e));
		return 0;
	}
	e = errno;
	xlog_warn(c->log, "cannot unmount %s: %s; unmount it by hand before using the disk", dir, strerror(e));
	return -e;
}

/* Unmount everything down to (and excluding) the first keep mounts, in reverse. */
int umount_to(struct ictx *c, size_t keep)
{
	int r = 0;
	sync();
	while (c->n_mounts > keep) {
		c->n_mounts--;
		int k = umount_one(c, c->mounts[c->n_mounts]);
		if (k < 0 && !r)
			r = k;
	}
	return r;
}

const struct plan_part *part_of(const struct plan_disk *pd, enum part_role role)
{
	for (size_t i = 0; i < pd->n_parts; i++)
		if (pd->parts[i].role == role)
			return &pd->parts[i];
	return NULL;
}

void part_dev(const struct ictx *c, size_t disk, enum part_role role, char *buf, size_t n)
{
	const struct plan_part *pp = part_of(&c->p->disks[disk], role);
	buf[0] = '\0';
	if (pp)
		part_devnode(&c->p->disks[disk].disk, pp->number, buf, n);
}

/* --- the image */
int read_sha256_file(const char *path, char out[65])
{
	char line[512];
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *ok = fgets(line, sizeof(line), f);
	fclose(f);
	if (!ok)
		return -EINVAL;
	for (int i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)line[i]))
			return -EINVAL;
		out[i] = (char)tolower((unsigned char)line[i]);
	}
	if (line[64] && !isspace((unsigned char)line[64]))
		return -EINVAL;
	out[64] = '\0';
	return 0;
}

int sha256_file(const char *path, char out[65], struct xlog *log)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int r = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(1 << 20);
	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		r = -ENOMEM;
		goto out;
	}
	uint64_t done = 0;
	int last = -1;
	for (;;) {
		ssize_t k = read(fd, buf, 1 << 20);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)k) != 1) {
			r = -EIO;
			goto out;
		}
		done += (uint64_t)k;
		int pct = st.st_size ? (int)(done * 100 / (uint64_t)st.st_size) : 100;
		if (log && pct != last) {
			char p[16];
			snprintf(p, sizeof(p), "%5d%% ", pct);
			xlog_progress(log, p);
			last = pct;
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		r = -EIO;
		goto out;
	}
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * (size_t)i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return r;
}

const char *install_local_image(void)
{
	static const char *const defaults[] = INSTALL_IMAGE_PATHS;
	struct stat st;
	for (size_t i = 0; defaults[i]; i++)
		if (stat(defaults[i], &st) == 0 && S_ISREG(st.st_mode))
			return defaults[i];
	return NULL;
}

int find_image(struct ictx *c)
{
	static const char *const defaults[] = INSTALL_IMAGE_PATHS;
	const char *local;
	if (c->o->image)
		return copy_str(c->image, sizeof(c->image), c->o->image);
	if (c->o->image_url) {
		if (!c->o->image_dir ||
		    snprintf(c->image, sizeof(c->image), "%s/rootfs.squashfs", c->o->image_dir) >= (int)sizeof(c->image))
			return -ENAMETOOLONG;
		return 0;
	}
	if ((local = install_local_image()))
		return copy_str(c->image, sizeof(c->image), local);
	fprintf(stderr, "xenhost-installer: no host image found (looked for");
	for (size_t i = 0; defaults[i]; i++)
		fprintf(stderr, " %s", defaults[i]);
	fprintf(stderr, "); give it with --image PATH\n");
	return -ENOENT;
}

/* The image from a URL: its checksum first (a small file: a wrong URL fails fast),
 * then the image. Both go to image_dir, in RAM in the install environment. */
int step_fetch_image(struct ictx *c, size_t arg)
{
	char url[CFG_URL_MAX + 8], sumfile[PATH_MAX + 8];
	int r;
	(void)arg;
	if ((r = mkdir_p(c->o->image_dir, 0700)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot create %s for the image: %s\n", c->o->image_dir, strerror(-r));
		return r;
	}
	snprintf(url, sizeof(url), "%s.sha256", c->o->image_url);
	snprintf(sumfile, sizeof(sumfile), "%s.sha256", c->image);
	if ((r = fetch_to_file(url, sumfile, c->o->fetch, c->log)) < 0) {
		fprintf(stderr, "xenhost-installer: no published checksum for the image at %s: an image is only "
			"installed after its sha256 has been checked; publish rootfs.squashfs.sha256 beside it\n", url);
		return r;
	}
	printf("  fetching the image %s\n", c->o->image_url);
	fflush(stdout);
	if ((r = fetch_large(c->o->image_url, c->image, c->o->fetch, c->log)) < 0)
		return r;
	struct stat st;
	if (stat(c->image, &st) == 0)
		xlog_msg(c->log, "image: %s, %.1f MiB in %s", c->o->image_url, (double)st.st_size / 1048576.0, c->image);
	return 0;
}

int step_verify(struct ictx *c, size_t arg)
{
	char sumfile[PATH_MAX + 8], want[65], got[65];
	int r;
	(void)arg;
	snprintf(sumfile, sizeof(sumfile), "%s.sha256", c->image);
	if ((r = read_sha256_file(sumfile, want)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot read the image's checksum from %s: %s; it must hold the "
			"sha256sum line of the image\n", sumfile, r == -EINVAL ? "not a sha256sum line" : strerror(-r));
		return r;
	}
	if ((r = sha256_file(c->image, got, c->log)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot read the image %s: %s\n", c->image, strerror(-r));
		return r;
	}
	xlog_msg(c->log, "image %s sha256 %s, expected %s", c->image, got, want);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "xenhost-installer: the image %s is damaged: its sha256 is %s but %s says %s; nothing "
			"was written. Use an intact image (check the boot medium)\n", c->image, got, sumfile, want);
		return -EBADMSG;
	}
	return 0;
}

int step_check_disks(struct ictx *c, size_t arg)
{
	char why[512];
	(void)arg;
	for (size_t i = 0; i < c->p->n_disks; i++) {
		int r = disk_check_unused(c->o->sysfs, &c->p->disks[i].disk, why, sizeof(why));
		if (r < 0) {
			fprintf(stderr, "xenhost-installer: disk %s is in use (%s); nothing was written. Unmount it or "
				"choose another disk\n", c->p->disks[i].disk.devnode, why);
			return -EBUSY;
		}
	}
	return 0;
}

/* --- disks */
/* The disk is locked from here to the end of its partitioning (disk_lock): udev neither
 * probes it nor re-reads its table meanwhile, so nothing holds a partition that the
 * kernel must drop or add. What udev queued before is finished first. */
static int step_wipe(struct ictx *c, size_t d)
{
	const struct plan_disk *pd = &c->p->disks[d];
	int r;
	disk_settle(c->log);
	if ((r = disk_lock(c->log, pd->disk.devnode, &c->disk_lock[d])) < 0)
		return r;
	c->disks_written = true;
	return disk_wipe(c->log, c->o->sysfs, pd);
}

static int step_partition(struct ictx *c, size_t d)
{
	const struct plan_disk *pd = &c->p->disks[d];
	char dev[96];
	int r = disk_partition(c->log, c->o->sysfs, pd);
	for (size_t i = 0; r == 0 && i < pd->n_parts; i++) {
		part_devnode(&pd->disk, pd->parts[i].number, dev, sizeof(dev));
		r = dev_wipe_signatures(c->log, dev);
	}
	disk_unlock(c->log, pd->disk.devnode, &c->disk_lock[d]);
	if (r == 0)
		disk_settle(c->log);   /* udev probes the new partitions now: let it finish */
	return r;
}

static int mkfs_part(struct ictx *c, const struct plan_disk *pd, const struct plan_part *pp)
{
	char dev[96], label[40];
	part_devnode(&pd->disk, pp->number, dev, sizeof(dev));
	fs_label(pp, c->p->suffix, label, sizeof(label));
	switch (pp->fs) {
	case FS_EXT4: {
		const char *argv[] = { "mkfs.ext4", "-F", "-q", "-L", label, dev, NULL };
		return run_argv(c->log, NULL, argv, NULL);
	}
	case FS_XFS: {
		const char *argv[] = { "mkfs.xfs", "-f", "-q", "-L", label, dev, NULL };
		return run_argv(c->log, NULL, argv, NULL);
	}
	case FS_VFAT: {
		const char *argv[] = { "mkfs.vfat", "-F", "32", "-n", label, dev, NULL };
		return run_argv(c->log, NULL, argv, NULL);
	}
	case FS_SWAP: {
		const char *argv[] = { "mkswap", "-L", label, dev, NULL };
		return run_argv(c->log, NULL, argv, NULL);
	}
	case FS_NONE:
		break;
	}
	return 0;
}

static int step_mkfs(struct ictx *c, size_t d)
{
	const struct plan_disk *pd = &c->p->disks[d];
	for (size_t i = 0; i < pd->n_parts; i++) {
		if (!pd->parts[i].mkfs)
			continue;
		int r = mkfs_part(c, pd, &pd->parts[i]);
		if (r < 0) {
			char dev[96];
			part_devnode(&pd->disk, pd->parts[i].number, dev, sizeof(dev));
			fprintf(stderr, "xenhost-installer: making the %s filesystem of the %s partition %s failed\n",
				fs_name(pd->parts[i].fs), part_role_name(pd->parts[i].role), dev);
			return r;
		}
	}
	return 0;
}

/* --- mount, unpack */
static int step_mount(struct ictx *c, size_t arg)
{
	char dev[96], dir[PATH_MAX];
	int r;
	(void)arg;
	if ((r = mkdir_p(c->o->target, 0755)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot make the target directory %s: %s\n", c->o->target, strerror(-r));
		return r;
	}
	part_dev(c, 0, PART_ROOT, dev, sizeof(dev));
	if ((r = do_mount(c, dev, c->o->target, "ext4", 0, NULL)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot mount the root filesystem %s on %s: %s\n", dev, c->o->target,
			strerror(-r));
		return r;
	}
	part_dev(c, 0, PART_LOGS, dev, sizeof(dev));
	if ((r = tpath(c, dir, sizeof(dir), "var/log")) < 0 || (r = do_mount(c, dev, dir, "ext4", MS_NODEV | MS_NOSUID, NULL)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot mount the logs filesystem %s on %s: %s\n", dev, dir, strerror(-r));
		return r;
	}
	c->logs_mounted = true;
	return 0;
}

struct unsq_progress {
	struct xlog *log;
	int last;
};

static void unsq_output(void *ud, const char *buf, size_t n)
{
	struct unsq_progress *u = ud;
	/* the progress bar: "\r[====|   ] 1234/5678  21%" */
	for (size_t i = n; i-- > 0;) {
		if (buf[i] != '%')
			continue;
		size_t s = i;
		while (s > 0 && isdigit((unsigned char)buf[s - 1]))
			s--;
		if (s < i) {
			int pct = atoi(buf + s);
			if (pct != u->last) {
				char p[16];
				snprintf(p, sizeof(p), "%5d%% ", pct);
				xlog_progress(u->log, p);
				if (pct % 10 == 0)
					xlog_msg(u->log, "unpacked %d%%", pct);
				u->last = pct;
			}
		}
		break;
	}
}

int step_unpack(struct ictx *c, size_t arg)
{
	struct unsq_progress u = { c->log, -1 };
	struct run_opts o = { .on_output = unsq_output, .ud = &u };
	const char *argv[] = { "unsquashfs", "-f", "-d", c->o->target, c->image, NULL };
	(void)arg;
	int r = run_argv(c->log, &o, argv, NULL);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: unpacking the image %s onto %s failed\n", c->image, c->o->target);
	return r;
}

int step_mount_esp(struct ictx *c, size_t arg)
{
	char dir[PATH_MAX];
	int r;
	(void)arg;
	part_dev(c, 0, PART_ESP, c->esp_dev, sizeof(c->esp_dev));
	if ((r = tpath(c, dir, sizeof(dir), "boot/efi")) < 0)
		return r;
	r = do_mount(c, c->esp_dev, dir, "vfat", MS_NODEV | MS_NOSUID, "umask=0077");
	if (r == -ENODEV && have_program(NULL, "mcopy")) {
		/* This kernel has no vfat (a build machine running the integration tests): stage the
		 * ESP's files in a tmpfs whose source is the ESP (so that grub-install finds the FAT
		 * partition behind it), then copy them onto the ESP with mtools. */
		xlog_warn(c->log, "this kernel cannot mount vfat: the ESP %s is filled with mtools instead", c->esp_dev);
		if ((r = do_mount(c, c->esp_dev, dir, "tmpfs", MS_NODEV | MS_NOSUID, "mode=0700")) == 0)
			c->esp_staged = true;
	}
	if (r < 0)
		fprintf(stderr, "xenhost-installer: cannot mount the ESP %s on %s: %s\n", c->esp_dev, dir, strerror(-r));
	return r;
}

/* --- configuration */
int find_krel(struct ictx *c)
{
	char dir[PATH_MAX], p[PATH_MAX + 300];
	struct stat st;
	int r;
	if ((r = tpath(c, dir, sizeof(dir), "boot")) < 0)
		return r;
	DIR *dh = opendir(dir);
	if (!dh)
		return -errno;
	struct dirent *e;
	c->facts->krel[0] = '\0';
	while ((e = readdir(dh))) {
		if (strncmp(e->d_name, "vmlinuz-", 8) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/initrd.img-%s", dir, e->d_name + 8);
		if (stat(p, &st) == 0 && strcmp(e->d_name + 8, c->facts->krel) > 0)
			snprintf(c->facts->krel, sizeof(c->facts->krel), "%s", e->d_name + 8);
	}
	closedir(dh);
	if (!c->facts->krel[0]) {
		fprintf(stderr, "xenhost-installer: the image has no /boot/vmlinuz-<release> with its "
			"/boot/initrd.img-<release>: it is not a Xenhost host image\n");
		return -ENOENT;
	}
	snprintf(p, sizeof(p), "%s/xen.gz", dir);
	if (stat(p, &st) < 0) {
		fprintf(stderr, "xenhost-installer: the image has no /boot/xen.gz: it is not a Xenhost host image\n");
		return -ENOENT;
	}
	xlog_msg(c->log, "image: kernel %s, /boot/xen.gz", c->facts->krel);
	return 0;
}

static int fs_uuid_of(struct ictx *c, size_t disk, enum part_role role, char *uuid)
{
	char dev[96];
	part_dev(c, disk, role, dev, sizeof(dev));
	if (!dev[0])
		return 0;
	int r = dev_fs_uuid(dev, uuid, UUID_STR, NULL, 0);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: cannot read the filesystem UUID of %s (%s)\n", dev, part_role_name(role));
	return r;
}

static int collect_facts(struct ictx *c)
{
	struct target_facts *t = c->facts;
	const struct install_plan *p = c->p;
	int r;

	t->plan = p;
	t->cfg = p->cfg;
	snprintf(t->product_version, sizeof(t->product_version), "%s", XENHOST_VERSION);
	xlog_utc(time(NULL), t->install_date);
	if ((r = uuid_random(t->installation_uuid)) < 0 || (r = uuid_random(t->dom0_uuid)) < 0)
		return r;
	const struct disk_info *d0 = &p->disks[0].disk;
	snprintf(t->primary_disk, sizeof(t->primary_disk), "%s", d0->n_by_id ? d0->by_id[0] : d0->devnode);
	if ((r = fs_uuid_of(c, 0, PART_ROOT, t->root_uuid)) < 0 || (r = fs_uuid_of(c, 0, PART_LOGS, t->logs_uuid)) < 0 ||
	    (r = fs_uuid_of(c, 0, PART_ESP, t->esp_uuid)) < 0 || (r = fs_uuid_of(c, 0, PART_SWAP, t->swap_uuid)) < 0)
		return r;
	for (size_t d = 0; d < p->n_disks && !t->storage_uuid[0]; d++) {
		const struct plan_part *pp = part_of(&p->disks[d], PART_STORAGE);
		if (!pp)
			continue;
		if ((r = fs_uuid_of(c, d, PART_STORAGE, t->storage_uuid)) < 0)
			return r;
		snprintf(t->storage_label, sizeof(t->storage_label), "%s", pp->label);
	}
	if ((r = find_krel(c)) < 0)
		return r;
	if (probe_nics(c->o->sysfs, t->nics, NIC_MAX, &t->n_nics) < 0)
		t->n_nics = 0;
	for (size_t i = 0; i < t->n_nics; i++)
		xlog_msg(c->log, "NIC %s (%s, %s, %s) is %s on the host", t->nics[i].kname, t->nics[i].mac,
			 t->nics[i].driver, t->nics[i].sortkey, t->nics[i].name);
	if (nics_find_admin(t) < 0)
		xlog_warn(c->log, "the management interface %s is not a NIC of this machine; its configuration is "
			  "written for %s anyway", p->cfg->admin.name[0] ? p->cfg->admin.name : p->cfg->admin.hwaddr,
			  t->admin_name);
	return 0;
}

int write_in_target(struct ictx *c, const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int r;
	if ((r = tpath(c, path, sizeof(path), rel)) < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		if ((r = mkdir_p(dir, 0755)) < 0)
			goto fail;
	}
	if ((r = write_file(path, text, strlen(text), mode)) < 0)
		goto fail;
	xlog_msg(c->log, "wrote /%s", rel);
	return 0;
fail:
	fprintf(stderr, "xenhost-installer: cannot write %s: %s\n", path, strerror(-r));
	return r;
}

static int step_configure(struct ictx *c, size_t arg)
{
	struct gen_files *g = calloc(1, sizeof(*g));
	char path[PATH_MAX], zone[PATH_MAX], link[PATH_MAX];
	struct stat st;
	int r;
	(void)arg;
	if (!g)
		return -ENOMEM;
	if ((r = collect_facts(c)) < 0)
		goto out;
	if ((r = gen_all(c->facts, g)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot generate the configuration files: %s\n", strerror(-r));
		goto out;
	}
	if (c->p->cfg->n_ssh_keys) {
		/* root's .ssh is private (sshd's StrictModes wants it not writable by others) */
		if ((r = tpath(c, path, sizeof(path), "root/.ssh")) < 0)
			goto out;
		if ((r = mkdir_p(path, 0700)) < 0 || chmod(path, 0700) < 0) {
			if (r >= 0)
				r = -errno;
			fprintf(stderr, "xenhost-installer: cannot make %s: %s\n", path, strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < g->n; i++)
		if ((r = write_in_target(c, g->v[i].path, g->v[i].text, g->v[i].mode)) < 0)
			goto out;
	/* time zone */
	const char *tz = c->p->cfg->timezone;
	snprintf(link, sizeof(link), "../usr/share/zoneinfo/%s", tz);
	if ((r = tpath(c, path, sizeof(path), "etc/localtime")) < 0 || (r = tpath(c, zone, sizeof(zone), "usr/share/zoneinfo")) < 0)
		goto out;
	if (snprintf(zone + strlen(zone), sizeof(zone) - strlen(zone), "/%s", tz) < 0 || stat(zone, &st) < 0)
		xlog_warn(c->log, "the image has no zoneinfo for %s (/usr/share/zoneinfo/%s); /etc/localtime points at "
			  "it anyway", tz, tz);
	if ((unlink(path) < 0 && errno != ENOENT) || symlink(link, path) < 0) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot link %s to %s: %s\n", path, link, strerror(-r));
		goto out;
	}
	/* machine-id: empty, so that the first boot makes one */
	if ((r = write_in_target(c, "etc/machine-id", "", 0444)) < 0)
		goto out;
	r = 0;
out:
	gen_files_free(g);
	free(g);
	return r;
}

static int step_password(struct ictx *c, size_t arg)
{
	const struct install_config *cfg = c->p->cfg;
	char hash[CFG_PASSWORD_MAX], path[PATH_MAX];
	char *in = NULL, *out = NULL;
	struct stat st;
	int r;
	(void)arg;
	if (cfg->root_password_type == PW_HASH)
		r = copy_str(hash, sizeof(hash), cfg->root_password);
	else if (cfg->root_password_type == PW_PLAINTEXT)
		r = hash_password(cfg->root_password, hash, sizeof(hash));
	else {
		fprintf(stderr, "xenhost-installer: no root password in the configuration\n");
		return -EINVAL;
	}
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: cannot hash the root password: %s\n", strerror(-r));
		goto out;
	}
	if ((r = tpath(c, path, sizeof(path), "etc/shadow")) < 0)
		goto out;
	if ((r = read_file(path, &in)) < 0 || stat(path, &st) < 0) {
		fprintf(stderr, "xenhost-installer: cannot read %s: %s\n", path, strerror(r < 0 ? -r : errno));
		r = r < 0 ? r : -errno;
		goto out;
	}
	if ((r = shadow_set_root(in, hash, (long)(time(NULL) / 86400), &out)) < 0) {
		fprintf(stderr, "xenhost-installer: %s has no root entry: the image is broken\n", path);
		goto out;
	}
	if ((r = write_file(path, out, strlen(out), st.st_mode & 07777)) < 0 || chown(path, st.st_uid, st.st_gid) < 0) {
		r = r < 0 ? r : -errno;
		fprintf(stderr, "xenhost-installer: cannot write %s: %s\n", path, strerror(-r));
		goto out;
	}
	xlog_msg(c->log, "root password set in /etc/shadow (%s)",
		 cfg->root_password_type == PW_HASH ? "the given hash" : "SHA-512 hash of the given password");
out:
	explicit_bzero(hash, sizeof(hash));
	if (out)
		explicit_bzero(out, strlen(out));
	free(in);
	free(out);
	return r;
}

static int systemctl(struct ictx *c, const char *verb, const char *unit)
{
	char root[PATH_MAX + 16];
	snprintf(root, sizeof(root), "--root=%s", c->root);
	const char *argv[] = { "systemctl", root, "--quiet", verb, "--", unit, NULL };
	int r = run_argv(c->log, NULL, argv, NULL);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: cannot %s the service %s on the target: is it in the image?\n", verb, unit);
	return r;
}

static int step_services(struct ictx *c, size_t arg)
{
	const struct install_config *cfg = c->p->cfg;
	int r;
	(void)arg;
	if (cfg->ntp == NTP_NONE && (r = systemctl(c, "disable", "chrony.service")) < 0)
		return r;
	for (size_t i = 0; i < cfg->n_services; i++)
		if ((r = systemctl(c, cfg->services[i].enabled ? "enable" : "disable", cfg->services[i].name)) < 0)
			return r;
	return 0;
}

/* --- bootloader, run inside the target with its own GRUB */
int chroot_prepare(struct ictx *c)
{
	char dir[PATH_MAX];
	struct stat st;
	int r;
	if (c->chroot_ready)
		return 0;
	if ((r = tpath(c, dir, sizeof(dir), "dev")) < 0 || (r = do_mount(c, "/dev", dir, NULL, MS_BIND, NULL)) < 0 ||
	    (r = tpath(c, dir, sizeof(dir), "proc")) < 0 || (r = do_mount(c, "proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) < 0 ||
	    (r = tpath(c, dir, sizeof(dir), "sys")) < 0 || (r = do_mount(c, "/sys", dir, NULL, MS_BIND, NULL)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot mount /dev, /proc and /sys in the target %s: %s\n", c->root,
			strerror(-r));
		return r;
	}
	if (stat("/sys/firmware/efi/efivars", &st) == 0 && tpath(c, dir, sizeof(dir), "sys/firmware/efi/efivars") == 0 &&
	    do_mount(c, "efivarfs", dir, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		xlog_msg(c->log, "efivarfs not mounted in the target; the NVRAM entry may fail");
	c->chroot_ready = true;
	return 0;
}

int step_grub_bios(struct ictx *c, size_t arg)
{
	struct run_opts o = { .chroot = c->root };
	const char *argv[] = { "grub-install", "--target=i386-pc", "--boot-directory=/boot", c->p->disks[0].disk.devnode, NULL };
	int r;
	(void)arg;
	if ((r = chroot_prepare(c)) < 0)
		return r;
	if ((r = run_argv(c->log, &o, argv, NULL)) < 0)
		fprintf(stderr, "xenhost-installer: installing GRUB for BIOS on %s failed\n", c->p->disks[0].disk.devnode);
	return r;
}

static int esp_copy(struct ictx *c)
{
	char dir[PATH_MAX], src[PATH_MAX + 8];
	int r;
	if ((r = tpath(c, dir, sizeof(dir), "boot/efi")) < 0)
		return r;
	snprintf(src, sizeof(src), "%s/EFI", dir);
	const char *argv[] = { "mcopy", "-s", "-o", "-i", c->esp_dev, src, "::/", NULL };
	if (setenv("MTOOLS_SKIP_CHECK", "1", 1) < 0)
		return -errno;
	if ((r = run_argv(c->log, NULL, argv, NULL)) < 0)
		fprintf(stderr, "xenhost-installer: copying the EFI files onto the ESP %s with mcopy failed\n", c->esp_dev);
	return r;
}

int step_grub_uefi(struct ictx *c, size_t arg)
{
	struct run_opts o = { .chroot = c->root };
	const char *removable[] = { "grub-install", "--target=x86_64-efi", "--efi-directory=/boot/efi",
				    "--boot-directory=/boot", "--removable", "--no-nvram", NULL };
	const char *named[] = { "grub-install", "--target=x86_64-efi", "--efi-directory=/boot/efi",
				"--boot-directory=/boot", "--bootloader-id=xenhost", "--no-nvram", NULL };
	int r;
	(void)arg;
	if ((r = chroot_prepare(c)) < 0)
		return r;
	if ((r = run_argv(c->log, &o, removable, NULL)) < 0 || (r = run_argv(c->log, &o, named, NULL)) < 0) {
		fprintf(stderr, "xenhost-installer: installing GRUB for UEFI on the ESP %s failed\n", c->esp_dev);
		return r;
	}
	if (c->esp_staged)
		return esp_copy(c);
	return 0;
}

static int step_boot_entry(struct ictx *c, size_t arg)
{
	struct run_opts o = { .chroot = c->root, .quiet_fail = true };
	const struct plan_part *esp = part_of(&c->p->disks[0], PART_ESP);
	char num[16];
	(void)arg;
	snprintf(num, sizeof(num), "%u", esp ? esp->number : 4);
	const char *argv[] = { "efibootmgr", "--create", "--disk", c->p->disks[0].disk.devnode, "--part", num,
			       "--label", "Xenhost", "--loader", "\\EFI\\xenhost\\grubx64.efi", NULL };
	if (run_argv(c->log, &o, argv, NULL) < 0)
		xlog_warn(c->log, "could not add the UEFI boot entry (efibootmgr failed; see the log): the machine "
			  "still boots EFI/BOOT/BOOTX64.EFI from %s", c->p->disks[0].disk.devnode);
	return 0;
}

/* --- the end */
int write_redacted_answerfile(const char *in, const char *out)
{
	xmlDocPtr doc = xmlReadFile(in, NULL, XML_PARSE_NONET);
	int r = 0;
	if (!doc)
		return -EINVAL;
	xmlNodePtr stack[64];
	size_t n = 0;
	if (xmlDocGetRootElement(doc))
		stack[n++] = xmlDocGetRootElement(doc);
	while (n) {
		xmlNodePtr node = stack[--n];
		for (; node; node = node->next) {
			if (node->type != XML_ELEMENT_NODE)
				continue;
			if (!xmlStrcmp(node->name, BAD_CAST "root-password"))
				xmlNodeSetContent(node, BAD_CAST "(redacted by xenhost-installer)");
			else if (node->children && n < 64)
				stack[n++] = node->children;
		}
	}
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		xmlFreeDoc(doc);
		return r;
	}
	if (fchmod(fd, 0600) < 0)
		r = -errno;
	xmlSaveCtxtPtr s = xmlSaveToFd(fd, "UTF-8", 0);
	if (!s || xmlSaveDoc(s, doc) < 0)
		r = -EIO;
	if (s && xmlSaveClose(s) < 0)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	xmlFreeDoc(doc);
	return r;
}

int save_log(struct ictx *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	int r;
	if (!c->logs_mounted || !c->o->log_path)
		return 0;
	if ((r = tpath(c, dir, sizeof(dir), "var/log/installer")) < 0 || (r = mkdir_p(dir, 0700)) < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", dir, c->log_name ? c->log_name : "install.log");
	if (c->log->f)
		fflush(c->log->f);
	return copy_file(c->o->log_path, path, 0600);
}

static int step_save(struct ictx *c, size_t arg)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	int r;
	(void)arg;
	if ((r = tpath(c, dir, sizeof(dir), "var/log/installer")) < 0 || (r = mkdir_p(dir, 0700)) < 0)
		goto fail;
	if (c->o->answerfile) {
		snprintf(path, sizeof(path), "%s/answerfile.xml", dir);
		if ((r = write_redacted_answerfile(c->o->answerfile, path)) < 0)
			goto fail;
		xlog_msg(c->log, "saved the answer file (root password redacted) as /var/log/installer/answerfile.xml");
	}
	xlog_msg(c->log, "installation complete in %.1f s; saving this log as /var/log/installer/install.log",
		 xlog_now() - c->log->t0);
	if ((r = save_log(c)) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "xenhost-installer: cannot save the install log and answer file in %s: %s\n", dir, strerror(-r));
	return r;
}

static int step_scripts(struct ictx *c, size_t stage)
{
	return c->o->scripts(c->o->scripts_ud, (enum script_stage)stage,
			     stage == STAGE_FILESYSTEM_POPULATED ? c->o->target : NULL);
}

static int step_unmount(struct ictx *c, size_t arg)
{
	(void)arg;
	int r = umount_to(c, 0);
	c->logs_mounted = false;
	return r;
}

void add_step(struct step *v, size_t *n, step_fn fn, size_t arg, const char *fmt, ...)
{
	if (*n >= MAX_STEPS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v[*n].title, sizeof(v[*n].title), fmt, ap);
	va_end(ap);
	v[*n].fn = fn;
	v[*n].arg = arg;
	(*n)++;
}

#ifdef XH_TEST_FAULTS
/* Test builds only (the sanitizer build the test suites run; never the product):
 * XH_TEST_FAIL_STEP=N makes step N fail with EIO after it has done its work, so that
 * the tests see the cleanup after a failure at every step. */
static int injected_fault(struct ictx *c, size_t i)
{
	const char *v = getenv("XH_TEST_FAIL_STEP");
	if (!v || strtoul(v, NULL, 10) != i + 1)
		return 0;
	xlog_msg(c->log, "XH_TEST_FAIL_STEP=%s: step %zu fails here (fault injection of a test build)", v, i + 1);
	return -EIO;
}
#endif

static volatile sig_atomic_t interrupted;
static void on_signal(int sig)
{
	interrupted = sig;
	run_forward_signal(sig);   /* the running program is in a process group of its own */
}

/* Run the steps in order; on a failure, unmount everything (after saving the log on
 * the logs partition when it is mounted) and say what the failure means. */
enum install_result exec_steps(struct ictx *c, const struct step *steps, size_t n, size_t verify_idx)
{
	enum install_result res = INSTALL_OK;
	char dev[96];
	c->log->n_steps = (unsigned)n;
	/* A signal stops the install between steps (the running program gets it too), so
	 * that the cleanup below still unmounts everything. */
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	sigemptyset(&sa.sa_mask);
	for (int k = 0; k < 3; k++)
		sigaction(sigs[k], &sa, &old[k]);
	for (size_t d = 0; d < PLAN_MAX_DISKS; d++)
		c->disk_lock[d] = -1;
	for (size_t i = 0; i < n; i++) {
		xlog_step_begin(c->log, "%s", steps[i].title);
		int r = steps[i].fn(c, steps[i].arg);
#ifdef XH_TEST_FAULTS
		if (r >= 0)
			r = injected_fault(c, i);
#endif
		if (interrupted && r >= 0) {
			fprintf(stderr, "xenhost-installer: interrupted by signal %d\n", (int)interrupted);
			r = -EINTR;
		}
		xlog_step_end(c->log, r >= 0);
		if (r < 0) {
			xlog_msg(c->log, "step %zu (%s) failed: %s", i + 1, steps[i].title, strerror(-r));
			snprintf(c->o->failed_step, sizeof(c->o->failed_step), "%s", steps[i].title);
			c->o->failed_errno = -r;
			if (!c->disks_written)
				res = steps[i].fn == step_scripts ? INSTALL_REFUSED_SCRIPT :
				      steps[i].fn == step_check_disks ||
				      ((i <= verify_idx || steps[i].fn == step_wipe) && r == -EBUSY) ? INSTALL_REFUSED_BUSY :
				      INSTALL_REFUSED_IMAGE;
			else
				res = INSTALL_FAILED;
			fprintf(stderr, "xenhost-installer: step %zu/%zu (%s) failed: %s%s\n", i + 1, n, steps[i].title,
				strerror(-r), c->disks_written ? "" : "; nothing was written");
			if (c->disks_written) {
				/* keep the log on the target when its logs filesystem is mounted */
				umount_to(c, c->logs_mounted ? 2 : 0);
				if (c->logs_mounted && save_log(c) == 0)
					fprintf(stderr, "xenhost-installer: the log is %s, and a copy is in "
						"/var/log/installer/%s on the logs partition (%s)\n",
						c->o->log_path ? c->o->log_path : "not written", c->log_name,
						(part_dev(c, 0, PART_LOGS, dev, sizeof(dev)), dev));
				else
					fprintf(stderr, "xenhost-installer: the install log is %s\n",
						c->o->log_path ? c->o->log_path : "not written (no --log)");
			}
			umount_to(c, 0);
			break;
		}
	}
	for (size_t d = 0; d < c->p->n_disks && d < PLAN_MAX_DISKS; d++)
		disk_unlock(c->log, c->p->disks[d].disk.devnode, &c->disk_lock[d]);
	for (int k = 0; k < 3; k++)
		sigaction(sigs[k], &old[k], NULL);
	return res;
}

enum install_result install_run(const struct install_plan *p, struct install_opts *o, struct xlog *log)
{
	struct ictx c = { .p = p, .o = o, .log = log, .root = o->target, .log_name = "install.log" };
	struct step *steps = calloc(MAX_STEPS, sizeof(*steps));
	size_t n = 0, verify_idx = 1;
	enum install_result res;
	char dev[96];

	c.facts = calloc(1, sizeof(*c.facts));
	if (!steps || !c.facts) {
		free(steps);
		free(c.facts);
		return INSTALL_FAILED;
	}
	if (find_image(&c) < 0) {
		free(steps);
		free(c.facts);
		return INSTALL_REFUSED_IMAGE;
	}
	add_step(steps, &n, step_check_disks, 0, "check that the disks are not in use");
	if (o->image_url)
		add_step(steps, &n, step_fetch_image, 0, "fetch the image from %s", o->image_url);
	verify_idx = n;
	add_step(steps, &n, step_verify, 0, "verify the image %s (sha256)", c.image);
	bool start_scripts = false, populated_scripts = false;
	for (size_t i = 0; o->scripts && i < p->cfg->n_scripts; i++) {
		start_scripts |= p->cfg->scripts[i].stage == STAGE_INSTALLATION_START;
		populated_scripts |= p->cfg->scripts[i].stage == STAGE_FILESYSTEM_POPULATED;
	}
	if (start_scripts)
		add_step(steps, &n, step_scripts, STAGE_INSTALLATION_START, "run the installation-start scripts");
	for (size_t d = 0; d < p->n_disks; d++)
		add_step(steps, &n, step_wipe, d, "wipe old signatures on %s", p->disks[d].disk.devnode);
	for (size_t d = 0; d < p->n_disks; d++)
		add_step(steps, &n, step_partition, d, "partition %s (GPT, %zu partitions)", p->disks[d].disk.devnode,
			 p->disks[d].n_parts);
	for (size_t d = 0; d < p->n_disks; d++)
		add_step(steps, &n, step_mkfs, d, "make filesystems on %s", p->disks[d].disk.devnode);
	add_step(steps, &n, step_mount, 0, "mount the target on %s", o->target);
	add_step(steps, &n, step_unpack, 0, "unpack the image");
	part_dev(&c, 0, PART_ESP, dev, sizeof(dev));
	add_step(steps, &n, step_mount_esp, 0, "mount the ESP %s", dev);
	add_step(steps, &n, step_configure, 0, "write the configuration");
	add_step(steps, &n, step_password, 0, "set the root password");
	if (p->cfg->n_services || p->cfg->ntp == NTP_NONE)
		add_step(steps, &n, step_services, 0, "enable and disable services");
	add_step(steps, &n, step_grub_bios, 0, "install GRUB for BIOS on %s", p->disks[0].disk.devnode);
	add_step(steps, &n, step_grub_uefi, 0, "install GRUB for UEFI on %s", dev);
	if (p->firmware == FW_UEFI && p->write_boot_entry)
		add_step(steps, &n, step_boot_entry, 0, "add the UEFI boot entry");
	if (populated_scripts)
		add_step(steps, &n, step_scripts, STAGE_FILESYSTEM_POPULATED, "run the filesystem-populated scripts");
	add_step(steps, &n, step_save, 0, "save the install log and the answer file");
	add_step(steps, &n, step_unmount, 0, "unmount the target");

	xlog_msg(log, "xenhost-installer %s: %zu steps; image %s; target %s", XENHOST_VERSION, n, c.image, o->target);
	res = exec_steps(&c, steps, n, verify_idx);
	free(steps);
	explicit_bzero(c.facts, sizeof(*c.facts));
	free(c.facts);
	return res;
}
