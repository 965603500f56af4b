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
#include <sys/file.h>
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

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Let udev finish what it has queued (a no-op where no udev runs). Never called while
 * the disk's lock is held: udev requeues the events of a locked disk, and settle would
 * wait for them until its timeout. */
void disk_settle(struct xlog *log)
{
	if (access("/run/udev/control", F_OK) != 0 || !have_program(NULL, "udevadm"))
		return;
	const char *argv[] = { "udevadm", "settle", "--timeout=30", NULL };
	struct run_opts o = { .quiet_fail = true };
	long t0 = xlog_now_ms();
	run_argv(log, &o, argv, NULL);
	xlog_msg(log, "udevadm settle: %ld ms", xlog_now_ms() - t0);
}

int disk_lock(struct xlog *log, const char *devnode, int *fdp)
{
	long t0 = xlog_now_ms(), delay = 10;
	int fd = open(devnode, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		fprintf(stderr, "xenhost-installer: cannot open %s to lock it: %s\n", devnode, strerror(e));
		return -e;
	}
	/* udev holds a shared lock while it probes the disk or a partition: wait for it */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		if (e != EWOULDBLOCK || xlog_now_ms() - t0 >= DISK_LOCK_WAIT_MS) {
			close(fd);
			fprintf(stderr, "xenhost-installer: cannot lock %s (flock) after %ld ms: %s; another program "
				"holds it: find it with 'fuser -v %s' and stop it, then install again\n", devnode,
				xlog_now_ms() - t0, strerror(e), devnode);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
		sleep_ms(delay);
		delay = delay * 2 > 100 ? 100 : delay * 2;
	}
	xlog_msg(log, "%s: locked (flock LOCK_EX) in %ld ms; udev leaves the disk alone until it is unlocked",
		 devnode, xlog_now_ms() - t0);
	*fdp = fd;
	return 0;
}

void disk_unlock(struct xlog *log, const char *devnode, int *fdp)
{
	if (*fdp < 0)
		return;
	close(*fdp);   /* drops the flock */
	*fdp = -1;
	xlog_msg(log, "%s: unlocked", devnode);
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

static int read_u64(const char *path, uint64_t *v)
{
	unsigned long long x = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	int k = fscanf(f, "%llu", &x);
	fclose(f);
	if (k != 1)
		return -EINVAL;
	*v = x;
	return 0;
}

/* The kernel's partition <number> of the disk is there with the planned start and size
 * (sysfs counts 512-byte sectors, whatever the disk's logical sector size). */
static bool kernel_part_is(const char *sysfs, const struct plan_disk *pd, const struct plan_part *pp)
{
	char dev[96], path[PATH_MAX];
	uint64_t start = 0, size = 0;
	part_devnode(&pd->disk, pp->number, dev, sizeof(dev));
	snprintf(path, sizeof(path), "%s/block/%s/%s/start", sysfs, pd->disk.name, dev + 5);
	if (read_u64(path, &start) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/block/%s/%s/size", sysfs, pd->disk.name, dev + 5);
	if (read_u64(path, &size) < 0)
		return false;
	return start * 512 == pp->start && size * 512 == pp->size;
}

static const struct plan_part *planned(const struct plan_disk *pd, unsigned number)
{
	for (size_t i = 0; i < pd->n_parts; i++)
		if (pd->parts[i].number == number)
			return &pd->parts[i];
	return NULL;
}

/* "sda4" -> 4, "loop0p12" -> 12 */
static unsigned part_number(const char *name)
{
	size_t l = strlen(name);
	while (l && name[l - 1] >= '0' && name[l - 1] <= '9')
		l--;
	return (unsigned)strtoul(name + l, NULL, 10);
}

/* The kernel has exactly the plan's partitions, each with its planned start and size. */
static bool kernel_matches_plan(const char *sysfs, const struct plan_disk *pd)
{
	char parts[64][64];
	size_t np = probe_partitions(sysfs, pd->disk.name, parts, 64);
	if (np != pd->n_parts)
		return false;
	for (size_t i = 0; i < np; i++) {
		const struct plan_part *pp = planned(pd, part_number(parts[i]));
		if (!pp || !kernel_part_is(sysfs, pd, pp))
			return false;
	}
	return true;
}

/* EBUSY is retried: a prober (udev's blkid, a monitoring agent) that opened a partition
 * closes it within milliseconds. Back-off 10, 20, 40 ... 500 ms, budget_ms in all. */
struct backoff {
	long t0, delay, budget;
	int tries;
};
static struct backoff backoff_start(long budget_ms)
{
	return (struct backoff){ .t0 = xlog_now_ms(), .delay = 10, .budget = budget_ms, .tries = 1 };
}
static bool backoff_again(struct backoff *b, int r)
{
	if (r != -EBUSY || xlog_now_ms() - b->t0 >= b->budget)
		return false;
	sleep_ms(b->delay);
	b->delay = b->delay * 2 > 500 ? 500 : b->delay * 2;
	b->tries++;
	return true;
}

/* "held open by PID 812 (blkid)", from the processes' open descriptors */
static void describe_holders(dev_t dev, char *buf, size_t n)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	size_t used = 0;
	buf[0] = '\0';
	while (proc && (e = readdir(proc)) && used + 64 < n) {
		char fddir[300], path[600], comm[64] = "?";
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", e->d_name);
		DIR *fds = opendir(fddir);
		struct dirent *f;
		bool holds = false;
		while (fds && !holds && (f = readdir(fds))) {
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", fddir, f->d_name);
			holds = f->d_name[0] != '.' && stat(path, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev;
		}
		if (fds)
			closedir(fds);
		if (!holds)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *cf = fopen(path, "re");
		if (cf) {
			if (fgets(comm, sizeof(comm), cf))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(cf);
		}
		int k = snprintf(buf + used, n - used, "%sPID %s (%s)", used ? ", " : "held open by ", e->d_name, comm);
		if (k > 0 && (size_t)k < n - used)
			used += (size_t)k;
	}
	if (proc)
		closedir(proc);
	if (!used)
		snprintf(buf, n, "no process holds it now");
}

static int blkpg(int fd, int op, unsigned number, uint64_t start, uint64_t len)
{
	struct blkpg_partition part = { .start = (long long)start, .length = (long long)len, .pno = (int)number };
	struct blkpg_ioctl_arg arg = { .op = op, .datalen = sizeof(part), .data = &part };
	return ioctl(fd, BLKPG, &arg) < 0 ? -errno : 0;
}

static int blkpg_fail(const struct plan_disk *pd, const char *what, unsigned number, const struct backoff *b, int r)
{
	char dev[96], holders[512] = "";
	struct stat st;
	part_devnode(&pd->disk, number, dev, sizeof(dev));
	if (stat(dev, &st) == 0 && S_ISBLK(st.st_mode))
		describe_holders(st.st_rdev, holders, sizeof(holders));
	fprintf(stderr, "xenhost-installer: the kernel refused to %s partition %u of %s (BLKPG) %d times in %ld ms: "
		"%s%s%s; stop what uses %s (see 'fuser -v %s') and install again\n", what, number, pd->disk.devnode,
		b->tries, xlog_now_ms() - b->t0, strerror(-r), holders[0] ? "; " : "", holders, dev, dev);
	return r;
}

/* Partition by partition, as partx does: delete what the plan does not have as it is,
 * keep a partition that already has the planned start and size (one that something
 * holds open cannot be deleted, and need not be), add the rest. */
static int blkpg_update(struct xlog *log, const char *sysfs, const struct plan_disk *pd, int fd)
{
	char parts[64][64];
	size_t np = probe_partitions(sysfs, pd->disk.name, parts, 64);
	int r;
	for (size_t i = 0; i < np; i++) {
		unsigned num = part_number(parts[i]);
		const struct plan_part *pp = planned(pd, num);
		if (!num)
			continue;
		if (pp && kernel_part_is(sysfs, pd, pp)) {
			xlog_msg(log, "%s: partition %u already has the planned start and size; kept", pd->disk.devnode, num);
			continue;
		}
		struct backoff b = backoff_start(DISK_BUSY_WAIT_MS);
		do
			r = blkpg(fd, BLKPG_DEL_PARTITION, num, 0, 0);
		while (backoff_again(&b, r));
		if (r < 0 && r != -ENXIO)
			return blkpg_fail(pd, "delete", num, &b, r);
		xlog_msg(log, "%s: partition %u deleted (BLKPG, %d tries)", pd->disk.devnode, num, b.tries);
	}
	for (size_t i = 0; i < pd->n_parts; i++) {
		const struct plan_part *pp = &pd->parts[i];
		if (kernel_part_is(sysfs, pd, pp))
			continue;
		struct backoff b = backoff_start(DISK_BUSY_WAIT_MS);
		do
			r = blkpg(fd, BLKPG_ADD_PARTITION, pp->number, pp->start, pp->size);
		while (backoff_again(&b, r));
		if (r < 0)
			return blkpg_fail(pd, "add", pp->number, &b, r);
		xlog_msg(log, "%s: partition %u added (BLKPG, %d tries)", pd->disk.devnode, pp->number, b.tries);
	}
	return 0;
}

/* Make the kernel see the new table: BLKRRPART (retried while a partition is busy), and
 * where that does not give the plan's partitions, BLKPG partition by partition. */
static int kernel_update(struct xlog *log, const char *sysfs, const struct plan_disk *pd)
{
	int fd = open(pd->disk.devnode, O_RDONLY | O_CLOEXEC);
	int r;
	if (fd < 0) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot open %s to re-read its partitions: %s\n", pd->disk.devnode,
			strerror(-r));
		return r;
	}
	struct backoff b = backoff_start(DISK_REREAD_WAIT_MS);
	do
		r = ioctl(fd, BLKRRPART) < 0 ? -errno : 0;
	while (backoff_again(&b, r));
	if (r < 0)
		xlog_msg(log, "%s: BLKRRPART: %s (%d tries in %ld ms)", pd->disk.devnode, strerror(-r), b.tries,
			 xlog_now_ms() - b.t0);
	else
		xlog_msg(log, "%s: the kernel re-read the partition table (BLKRRPART, %d tries)", pd->disk.devnode,
			 b.tries);
	bool reread = r == 0;
	r = 0;
	if (kernel_matches_plan(sysfs, pd)) {
		if (!reread)
			xlog_msg(log, "%s: the kernel's partitions already have the planned starts and sizes",
				 pd->disk.devnode);
	} else {
		xlog_msg(log, "%s: the kernel's partitions differ from the plan; updating them with BLKPG",
			 pd->disk.devnode);
		r = blkpg_update(log, sysfs, pd, fd);
	}
	if (r == 0 && !kernel_matches_plan(sysfs, pd)) {
		fprintf(stderr, "xenhost-installer: after partitioning %s the kernel's partitions still differ from the "
			"table written (see 'cat /proc/partitions'); reboot the install environment and install again\n",
			pd->disk.devnode);
		r = -EIO;
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
