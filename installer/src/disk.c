/* disk.c: wiping and partitioning the plan's disks (see disk.h). */
#include "disk.h"

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdisk/libfdisk.h>
#include <limits.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

static int read_devnum(const char *path, dev_t *dev)
{
	unsigned ma, mi;
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	int k = fscanf(f, "%u:%u", &ma, &mi);
	fclose(f);
	if (k != 2)
		return -EINVAL;
	*dev = makedev(ma, mi);
	return 0;
}

static bool dir_nonempty(const char *path)
{
	DIR *dh = opendir(path);
	struct dirent *e;
	bool r = false;
	if (!dh)
		return false;
	while ((e = readdir(dh)))
		if (e->d_name[0] != '.') {
			r = true;
			break;
		}
	closedir(dh);
	return r;
}

static bool dev_mounted(dev_t dev, char *where, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool r = false;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned ma, mi;
		char mp[2048];
		if (sscanf(line, "%*u %*u %u:%u %*s %2047s", &ma, &mi, mp) == 3 && makedev(ma, mi) == dev) {
			snprintf(where, n, "%s", mp);
			r = true;
			break;
		}
	}
	fclose(f);
	return r;
}

static bool dev_swap(dev_t dev)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[4096], path[2048];
	struct stat st;
	bool r = false;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%2047s", path) == 1 && stat(path, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev) {
			r = true;
			break;
		}
	fclose(f);
	return r;
}

int disk_check_unused(const char *sysfs, const struct disk_info *d, char *why, size_t n)
{
	char parts[64][64], path[PATH_MAX], where[2048];
	size_t np = probe_partitions(sysfs, d->name, parts, 64);
	dev_t dev = 0;

	for (size_t i = 0; i <= np; i++) {
		const char *name = i < np ? parts[i] : d->name;
		if (i < np)
			snprintf(path, sizeof(path), "%s/block/%s/%s/dev", sysfs, d->name, name);
		else
			snprintf(path, sizeof(path), "%s/block/%s/dev", sysfs, name);
		if (read_devnum(path, &dev) < 0)
			continue;
		if (dev_mounted(dev, where, sizeof(where))) {
			snprintf(why, n, "/dev/%s is mounted on %s", name, where);
			return -EBUSY;
		}
		if (dev_swap(dev)) {
			snprintf(why, n, "/dev/%s is in use as swap", name);
			return -EBUSY;
		}
		if (i < np)
			snprintf(path, sizeof(path), "%s/block/%s/%s/holders", sysfs, d->name, name);
		else
			snprintf(path, sizeof(path), "%s/block/%s/holders", sysfs, name);
		if (dir_nonempty(path)) {
			snprintf(why, n, "/dev/%s is held by device mapper or RAID (%s is not empty)", name, path);
			return -EBUSY;
		}
	}
	int fd = open(d->devnode, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, n, "%s cannot be opened exclusively: %s", d->devnode, strerror(e));
		return e == EBUSY ? -EBUSY : -e;
	}
	close(fd);
	return 0;
}

static int wipe_fd(struct xlog *log, const char *dev, int fd)
{
	blkid_probe pr = blkid_new_probe();
	int r = 0;
	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		blkid_free_probe(pr);
		fprintf(stderr, "xenhost-installer: cannot probe %s for signatures\n", dev);
		return -EIO;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_TYPE | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	for (int i = 0; i < 256 && blkid_do_probe(pr) == 0; i++) {
		const char *type = NULL, *off = NULL;
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0)
			blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL);
		if (blkid_probe_lookup_value(pr, "SBMAGIC_OFFSET", &off, NULL) < 0)
			blkid_probe_lookup_value(pr, "PTMAGIC_OFFSET", &off, NULL);
		xlog_msg(log, "%s: wiping the %s signature at offset %s", dev, type ? type : "unknown", off ? off : "?");
		if (blkid_do_wipe(pr, 0) < 0) {
			r = -errno ? -errno : -EIO;
			fprintf(stderr, "xenhost-installer: cannot wipe the %s signature on %s: %s\n", type ? type : "?", dev,
				strerror(-r));
			break;
		}
	}
	blkid_free_probe(pr);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

int dev_wipe_signatures(struct xlog *log, const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC | O_EXCL);
	if (fd < 0) {
		int e = errno;
		fprintf(stderr, "xenhost-installer: cannot open %s to wipe it: %s\n", dev, strerror(e));
		return -e;
	}
	int r = wipe_fd(log, dev, fd);
	close(fd);
	return r;
}

static int zero_range(int fd, uint64_t off, uint64_t len)
{
	static const char zero[65536];
	while (len) {
		size_t c = len < sizeof(zero) ? (size_t)len : sizeof(zero);
		ssize_t w = pwrite(fd, zero, c, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

int disk_wipe(struct xlog *log, const char *sysfs, const struct plan_disk *pd)
{
	char parts[64][64], dev[128];
	size_t np = probe_partitions(sysfs, pd->disk.name, parts, 64);
	int r;

	for (size_t i = 0; i < np; i++) {
		snprintf(dev, sizeof(dev), "/dev/%s", parts[i]);
		struct stat st;
		if (stat(dev, &st) < 0)
			continue;   /* no node: the whole-disk wipe below still removes its table */
		if ((r = dev_wipe_signatures(log, dev)) < 0)
			return r;
	}
	int fd = open(pd->disk.devnode, O_RDWR | O_CLOEXEC | O_EXCL);
	if (fd < 0) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot open %s to wipe it: %s\n", pd->disk.devnode, strerror(-r));
		return r;
	}
	r = wipe_fd(log, pd->disk.devnode, fd);
	uint64_t size = pd->disk.size, z = size < 2 * MiB ? size : MiB;
	if (r == 0 && (r = zero_range(fd, 0, z)) == 0 && (r = zero_range(fd, size - z, z)) == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0)
		fprintf(stderr, "xenhost-installer: wiping %s failed: %s\n", pd->disk.devnode, strerror(-r));
	else
		xlog_msg(log, "%s: first and last %" PRIu64 " bytes zeroed", pd->disk.devnode, z);
	/* the kernel forgets the old partitions (ignored: a busy disk was refused before) */
	if (ioctl(fd, BLKRRPART) < 0)
		xlog_msg(log, "%s: BLKRRPART: %s", pd->disk.devnode, strerror(errno));
	close(fd);
	return r;
}

static int fdisk_fail(struct fdisk_context *c, const char *what, const char *dev, int r)
{
	fprintf(stderr, "xenhost-installer: %s on %s failed: %s\n", what, dev, strerror(r < 0 ? -r : EIO));
	if (c)
		fdisk_unref_context(c);
	return r < 0 ? r : -EIO;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait for /dev/<part>; make it from sysfs when no udev or devtmpfs does. */
static int wait_node(struct xlog *log, const char *sysfs, const struct plan_disk *pd, unsigned number)
{
	char dev[96], path[PATH_MAX];
	struct stat st;
	dev_t want = 0;
	part_devnode(&pd->disk, number, dev, sizeof(dev));
	snprintf(path, sizeof(path), "%s/block/%s/%s/dev", sysfs, pd->disk.name, dev + 5);
	for (int i = 0; i < 100; i++) {
		bool known = read_devnum(path, &want) == 0;
		if (stat(dev, &st) == 0 && S_ISBLK(st.st_mode) && (!known || st.st_rdev == want))
			return 0;
		if (known && i >= 20) {
			unlink(dev);
			if (mknod(dev, S_IFBLK | 0660, want) == 0) {
				xlog_msg(log, "%s: made the device node (%u:%u) from sysfs", dev, major(want), minor(want));
				return 0;
			}
		}
		sleep_ms(100);
	}
	fprintf(stderr, "xenhost-installer: the kernel did not make %s after partitioning %s: check dmesg; is the "
		"disk in use?\n", dev, pd->disk.devnode);
	return -ENODEV;
}

static bool kernel_has_part(const char *sysfs, const struct plan_disk *pd, unsigned number)
{
	char dev[96], path[PATH_MAX];
	struct stat st;
	part_devnode(&pd->disk, number, dev, sizeof(dev));
	snprintf(path, sizeof(path), "%s/block/%s/%s/partition", sysfs, pd->disk.name, dev + 5);
	return stat(path, &st) == 0;
}

static int blkpg(int fd, int op, unsigned number, uint64_t start, uint64_t len)
{
	struct blkpg_partition part = { .start = (long long)start, .length = (long long)len, .pno = (int)number };
	struct blkpg_ioctl_arg arg = { .op = op, .datalen = sizeof(part), .data = &part };
	return ioctl(fd, BLKPG, &arg) < 0 ? -errno : 0;
}

/* Make the kernel see the new table: BLKRRPART, and where that does nothing (or the
 * disk is busy), delete the old partitions and add the new ones with BLKPG, as partx
 * does. */
static int kernel_update(struct xlog *log, const char *sysfs, const struct plan_disk *pd)
{
	char parts[64][64];
	int fd = open(pd->disk.devnode, O_RDONLY | O_CLOEXEC);
	int r = 0;
	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKRRPART) < 0)
		xlog_msg(log, "%s: BLKRRPART: %s; using BLKPG", pd->disk.devnode, strerror(errno));
	bool all = true;
	for (size_t i = 0; i < pd->n_parts; i++)
		all = all && kernel_has_part(sysfs, pd, pd->parts[i].number);
	if (!all) {
		size_t np = probe_partitions(sysfs, pd->disk.name, parts, 64);
		for (size_t i = 0; i < np; i++) {
			size_t l = strlen(parts[i]);
			while (l && parts[i][l - 1] >= '0' && parts[i][l - 1] <= '9')
				l--;
			unsigned num = (unsigned)strtoul(parts[i] + l, NULL, 10);
			if (num && blkpg(fd, BLKPG_DEL_PARTITION, num, 0, 0) < 0)
				xlog_msg(log, "%s: BLKPG delete partition %u: %s", pd->disk.devnode, num, strerror(errno));
		}
		for (size_t i = 0; i < pd->n_parts && r == 0; i++) {
			const struct plan_part *pp = &pd->parts[i];
			r = blkpg(fd, BLKPG_ADD_PARTITION, pp->number, pp->start, pp->size);
			if (r < 0)
				fprintf(stderr, "xenhost-installer: the kernel refused partition %u of %s (BLKPG): %s; is the "
					"disk in use?\n", pp->number, pd->disk.devnode, strerror(-r));
		}
		if (r == 0)
			xlog_msg(log, "%s: partitions added with BLKPG", pd->disk.devnode);
	}
	close(fd);
	return r;
}

int disk_partition(struct xlog *log, const char *sysfs, const struct plan_disk *pd)
{
	const char *devn = pd->disk.devnode;
	struct fdisk_context *c = fdisk_new_context();
	int r;

	if (!c)
		return -ENOMEM;
	fdisk_disable_dialogs(c, 1);
	if ((r = fdisk_assign_device(c, devn, 0)) < 0)
		return fdisk_fail(c, "opening the disk", devn, r);
	if ((r = fdisk_create_disklabel(c, "gpt")) < 0)
		return fdisk_fail(c, "creating a GPT", devn, r);
	for (size_t i = 0; i < pd->n_parts; i++) {
		const struct plan_part *pp = &pd->parts[i];
		struct fdisk_partition *pa = fdisk_new_partition();
		struct fdisk_parttype *t = fdisk_new_parttype();
		if (!pa || !t) {
			fdisk_unref_partition(pa);
			fdisk_unref_parttype(t);
			return fdisk_fail(c, "allocating a partition", devn, -ENOMEM);
		}
		r = fdisk_parttype_set_typestr(t, pp->type_guid);
		if (r == 0)
			r = fdisk_partition_set_type(pa, t);
		if (r == 0)
			r = fdisk_partition_set_start(pa, pp->start_lba);
		if (r == 0)
			r = fdisk_partition_set_size(pa, pp->n_lba);
		if (r == 0)
			r = fdisk_partition_set_partno(pa, pp->number - 1);
		if (r == 0)
			r = fdisk_partition_set_name(pa, pp->label);
		if (r == 0)
			r = fdisk_add_partition(c, pa, NULL);
		fdisk_unref_partition(pa);
		fdisk_unref_parttype(t);
		if (r < 0) {
			char what[96];
			snprintf(what, sizeof(what), "adding partition %u (%s)", pp->number, pp->label);
			return fdisk_fail(c, what, devn, r);
		}
		xlog_msg(log, "%s: partition %u %s start LBA %" PRIu64 ", %" PRIu64 " sectors, type %s", devn, pp->number,
			 pp->label, pp->start_lba, pp->n_lba, pp->type_guid);
	}
	if ((r = fdisk_write_disklabel(c)) < 0)
		return fdisk_fail(c, "writing the partition table", devn, r);
	if ((r = fdisk_deassign_device(c, 0)) < 0)
		return fdisk_fail(c, "closing the disk", devn, r);
	fdisk_unref_context(c);
	if ((r = kernel_update(log, sysfs, pd)) < 0)
		return r;

	if (access("/run/udev/control", F_OK) == 0 && have_program(NULL, "udevadm")) {
		const char *argv[] = { "udevadm", "settle", "--timeout=30", NULL };
		struct run_opts o = { .quiet_fail = true };
		run_argv(log, &o, argv, NULL);
	}
	for (size_t i = 0; i < pd->n_parts; i++)
		if ((r = wait_node(log, sysfs, pd, pd->parts[i].number)) < 0)
			return r;
	return 0;
}

int dev_fs_uuid(const char *dev, char *uuid, size_t n, char *type, size_t tn)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *v = NULL;
	int r = -ENOENT;
	if (!pr)
		return -errno ? -errno : -EIO;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0 && v) {
		snprintf(uuid, n, "%s", v);
		r = 0;
		if (type && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0 && v)
			snprintf(type, tn, "%s", v);
	}
	blkid_free_probe(pr);
	return r;
}
