/* probe.c: disks and host figures from sysfs (see probe.h). */
#include "probe.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid/blkid.h>

#include "validate.h"

/* Read a small file into buf, trimmed of surrounding white space. 0 or -errno. */
static int read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t l = read(fd, buf, n - 1);
	int e = errno;
	close(fd);
	if (l < 0)
		return -e;
	buf[l] = '\0';
	char *s = buf;
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t k = strlen(s);
	while (k && isspace((unsigned char)s[k - 1]))
		k--;
	memmove(buf, s, k);
	buf[k] = '\0';
	return 0;
}

static int read_attr(const char *sysfs, const char *name, const char *attr, char *buf, size_t n)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/block/%s/%s", sysfs, name, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return read_small(path, buf, n);
}

static int read_u64(const char *sysfs, const char *name, const char *attr, uint64_t *v)
{
	char buf[64];
	unsigned long long x;
	int r = read_attr(sysfs, name, attr, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (parse_uint(buf, 0, ULLONG_MAX, &x) < 0)
		return -EINVAL;
	*v = x;
	return 0;
}

/* With loop_only (tests), attached loop devices are the only disks: the machine's own
 * disks are never offered, so a test that picks the wrong row cannot reach them. */
static bool skipped_name(const char *n, bool loop_only)
{
	if (loop_only)
		return strncmp(n, "loop", 4) != 0;
	static const char *const prefixes[] = { "loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd", "drbd", NULL };
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(n, prefixes[i], strlen(prefixes[i])))
			return true;
	return n[0] == '.';
}

/* The bus, from where the block device sits in the device tree. */
static void find_bus(const char *sysfs, struct disk_info *d)
{
	char path[PATH_MAX], link[PATH_MAX];
	snprintf(path, sizeof(path), "%s/block/%s", sysfs, d->name);
	ssize_t l = readlink(path, link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = '\0';
	const char *b = "";
	if (strstr(link, "/usb"))
		b = "usb";
	else if (!strncmp(d->name, "nvme", 4) || strstr(link, "/nvme"))
		b = "nvme";
	else if (!strncmp(d->name, "vd", 2))
		b = "virtio";
	else if (!strncmp(d->name, "xvd", 3) || strstr(link, "/vbd-"))
		b = "xen";
	else if (!strncmp(d->name, "mmcblk", 6) || strstr(link, "/mmc"))
		b = "mmc";
	else if (strstr(link, "/ata"))
		b = "sata";
	else if (strstr(link, "/end_device-") || strstr(link, "/sas_"))
		b = "sas";
	else if (strstr(link, "/target") || strstr(link, "/host"))
		b = "scsi";
	copy_str(d->bus, sizeof(d->bus), b);
}

/* The unit serial number from SCSI VPD page 0x80 (also what libata reports). */
static void serial_from_vpd80(const char *sysfs, struct disk_info *d)
{
	char path[PATH_MAX];
	unsigned char buf[260];
	snprintf(path, sizeof(path), "%s/block/%s/device/vpd_pg80", sysfs, d->name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t l = read(fd, buf, sizeof(buf));
	close(fd);
	if (l < 4 || buf[1] != 0x80)
		return;
	size_t len = (size_t)buf[2] << 8 | buf[3];
	if (len > (size_t)l - 4)
		len = (size_t)l - 4;
	size_t s = 4, e = 4 + len;
	while (s < e && buf[s] == ' ')
		s++;
	while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == 0))
		e--;
	size_t k = 0;
	for (size_t i = s; i < e && k + 1 < sizeof(d->serial); i++)
		if (isprint(buf[i]))
			d->serial[k++] = (char)buf[i];
	d->serial[k] = '\0';
}

static void find_by_id(const char *devroot, struct disk_info *d)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/disk/by-id", devroot);
	DIR *dh = opendir(dir);
	if (!dh)
		return;
	struct dirent *e;
	char *names[64];
	size_t n = 0;
	while ((e = readdir(dh)) && n < 64) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		ssize_t l = readlink(path, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		const char *base = strrchr(link, '/');
		base = base ? base + 1 : link;
		if (strcmp(base, d->name) == 0 && (names[n] = strdup(e->d_name)))
			n++;
	}
	closedir(dh);
	/* stable order */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (d->n_by_id < PROBE_MAX_IDS &&
		    snprintf(d->by_id[d->n_by_id], CFG_PATH_MAX, "/dev/disk/by-id/%s", names[i]) < CFG_PATH_MAX)
			d->n_by_id++;
		free(names[i]);
	}
}

size_t probe_partitions(const char *sysfs, const char *name, char parts[][64], size_t max)
{
	char dir[PATH_MAX], path[PATH_MAX + 128];
	struct stat st;
	size_t n = 0;
	snprintf(dir, sizeof(dir), "%s/block/%s", sysfs, name);
	DIR *dh = opendir(dir);
	if (!dh)
		return 0;
	struct dirent *e;
	while ((e = readdir(dh)) && n < max)
		if (!strncmp(e->d_name, name, strlen(name)) && strlen(e->d_name) < 64 &&
		    snprintf(path, sizeof(path), "%s/%s/partition", dir, e->d_name) < (int)sizeof(path) &&
		    stat(path, &st) == 0)
			snprintf(parts[n++], 64, "%s", e->d_name);
	closedir(dh);
	return n;
}

/* The GPT partition name of PART (PARTNAME= in its uevent), or "". */
static void part_name(const char *sysfs, const char *disk, const char *part, char *out, size_t n)
{
	char path[PATH_MAX], line[256];
	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/block/%s/%s/uevent", sysfs, disk, part);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "PARTNAME=", 9)) {
			line[strcspn(line, "\n")] = '\0';
			if (copy_str(out, n, line + 9) < 0)
				out[0] = '\0';
		}
	fclose(f);
}

/* The signature libblkid finds on a block device (a filesystem, swap, RAID, LVM), or "". */
static void part_signature(const char *devnode, char *out, size_t n)
{
	const char *type = NULL;
	out[0] = '\0';
	blkid_probe pr = blkid_new_probe_from_filename(devnode);
	if (!pr)
		return;   /* no device node (a fake tree), or not readable */
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 && type)
		snprintf(out, n, "%s", type);
	blkid_free_probe(pr);
}

int probe_table(const char *devnode, struct part_entry *v, size_t max)
{
	blkid_probe pr = blkid_new_probe_from_filename(devnode);
	size_t k = 0;
	if (!pr)
		return errno ? -errno : -EIO;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_partlist pl = blkid_do_fullprobe(pr) >= 0 ? blkid_probe_get_partitions(pr) : NULL;
	int n = pl ? blkid_partlist_numof_partitions(pl) : 0;
	for (int i = 0; i < n && k < max; i++) {
		blkid_partition part = blkid_partlist_get_partition(pl, i);
		int no = part ? blkid_partition_get_partno(part) : -1;
		if (no <= 0)
			continue;
		const char *name = blkid_partition_get_name(part);
		v[k].number = (unsigned)no;
		if (copy_str(v[k].name, sizeof(v[k].name), name ? name : "") < 0)
			v[k].name[0] = '\0';
		v[k].size = (uint64_t)blkid_partition_get_size(part) * 512;
		k++;
	}
	blkid_free_probe(pr);
	return (int)k;
}

/* The GPT names of the disk's partitions by number. */
#define PROBE_MAX_PARTNO 128
static void table_names(const char *devnode, char names[][40])
{
	struct part_entry *v = calloc(PROBE_MAX_PARTNO, sizeof(*v));
	int n = v ? probe_table(devnode, v, PROBE_MAX_PARTNO) : 0;
	for (int i = 0; i < n; i++)
		if (v[i].number < PROBE_MAX_PARTNO)
			memcpy(names[v[i].number], v[i].name, sizeof(v[i].name));
	free(v);
}

/* Partitions, their signatures and names, and a Xenhost installation among them. */
static void probe_contents(const struct probe_root *root, struct disk_info *d)
{
	char (*parts)[64] = calloc(PROBE_MAX_PARTITIONS, sizeof(*parts));
	char (*names)[40] = calloc(PROBE_MAX_PARTNO, sizeof(*names));
	char pname[80], sig[32], dev[PATH_MAX], one[200], path[PATH_MAX + 80];
	uint64_t no;
	if (!parts || !names)
		goto out;
	size_t n = probe_partitions(root->sysfs, d->name, parts, PROBE_MAX_PARTITIONS);
	d->n_partitions = (unsigned)n;
	snprintf(dev, sizeof(dev), "%s/%s", root->dev, d->name);
	if (n)
		table_names(dev, names);
	for (size_t i = 0; i < n; i++) {
		part_name(root->sysfs, d->name, parts[i], pname, sizeof(pname));
		snprintf(path, sizeof(path), "%s/%s", d->name, parts[i]);
		if (!pname[0] && read_u64(root->sysfs, path, "partition", &no) == 0 && no < PROBE_MAX_PARTNO)
			snprintf(pname, sizeof(pname), "%s", names[no]);
		snprintf(dev, sizeof(dev), "%s/%s", root->dev, parts[i]);
		part_signature(dev, sig, sizeof(sig));
		if (!strncmp(pname, "xh-root-", 8) && !d->xenhost_suffix[0] &&
		    copy_str(d->xenhost_suffix, sizeof(d->xenhost_suffix), pname + 8) < 0)
			d->xenhost_suffix[0] = '\0';
		snprintf(one, sizeof(one), "%s%s%s%s%s", parts[i], sig[0] ? " " : "", sig, pname[0] ? " " : "", pname);
		size_t k = strlen(d->contents);
		if (k + strlen(one) + 3 < sizeof(d->contents))
			snprintf(d->contents + k, sizeof(d->contents) - k, "%s%s", k ? ", " : "", one);
	}
out:
	free(parts);
	free(names);
}

int probe_disk(const struct probe_root *root, const char *name, struct disk_info *d)
{
	uint64_t v;
	int r;

	memset(d, 0, sizeof(*d));
	if (copy_str(d->name, sizeof(d->name), name) < 0)
		return -ENAMETOOLONG;
	snprintf(d->devnode, sizeof(d->devnode), "/dev/%s", name);
	r = read_u64(root->sysfs, name, "size", &v);
	if (r < 0)
		return r;
	if (v > UINT64_MAX / 512)
		return -ERANGE;
	d->size = v * 512;   /* sysfs counts 512-byte units whatever the sector size */
	d->logical_sector = read_u64(root->sysfs, name, "queue/logical_block_size", &v) == 0 ? (unsigned)v : 512;
	d->physical_sector = read_u64(root->sysfs, name, "queue/physical_block_size", &v) == 0 ? (unsigned)v
											      : d->logical_sector;
	d->rotational = read_u64(root->sysfs, name, "queue/rotational", &v) == 0 && v == 1;
	d->removable = read_u64(root->sysfs, name, "removable", &v) == 0 && v == 1;
	d->readonly = read_u64(root->sysfs, name, "ro", &v) == 0 && v == 1;
	read_attr(root->sysfs, name, "device/vendor", d->vendor, sizeof(d->vendor));
	read_attr(root->sysfs, name, "device/model", d->model, sizeof(d->model));
	if (read_attr(root->sysfs, name, "serial", d->serial, sizeof(d->serial)) < 0 || !d->serial[0])
		if (read_attr(root->sysfs, name, "device/serial", d->serial, sizeof(d->serial)) < 0 || !d->serial[0])
			serial_from_vpd80(root->sysfs, d);
	if (read_attr(root->sysfs, name, "wwid", d->wwn, sizeof(d->wwn)) < 0 || !d->wwn[0])
		read_attr(root->sysfs, name, "device/wwid", d->wwn, sizeof(d->wwn));
	find_bus(root->sysfs, d);
	find_by_id(root->dev, d);
	probe_contents(root, d);
	return 0;
}

static int cmp_disk(const void *a, const void *b)
{
	return strcmp(((const struct disk_info *)a)->name, ((const struct disk_info *)b)->name);
}

int probe_disks(const struct probe_root *root, struct disk_info **disks, size_t *n)
{
	char dir[PATH_MAX];
	struct disk_info *v;
	size_t k = 0;

	snprintf(dir, sizeof(dir), "%s/block", root->sysfs);
	DIR *dh = opendir(dir);
	if (!dh)
		return -errno;
	v = calloc(PROBE_MAX_DISKS, sizeof(*v));
	if (!v) {
		closedir(dh);
		return -ENOMEM;
	}
	struct dirent *e;
	while ((e = readdir(dh)) && k < PROBE_MAX_DISKS) {
		if (skipped_name(e->d_name, root->loop_only))
			continue;
		if (probe_disk(root, e->d_name, &v[k]) < 0 || v[k].size == 0)
			continue;
		k++;
	}
	closedir(dh);
	qsort(v, k, sizeof(*v), cmp_disk);
	*disks = v;
	*n = k;
	return 0;
}

static unsigned count_cpu_list(const char *s)
{
	unsigned n = 0;
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			break;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s)
				break;
		}
		if (b >= a)
			n += (unsigned)(b - a + 1);
		s = end;
		if (*s == ',')
			s++;
	}
	return n;
}

int probe_host(const struct probe_root *root, struct host_info *h)
{
	char path[PATH_MAX], buf[4096] = "";
	struct stat st;

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/firmware/efi", root->sysfs);
	h->uefi = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	snprintf(path, sizeof(path), "%s/devices/system/cpu/present", root->sysfs);
	if (read_small(path, buf, sizeof(buf)) == 0)
		h->cpus = count_cpu_list(buf);
	snprintf(path, sizeof(path), "%s/meminfo", root->proc);
	if (read_small(path, buf, sizeof(buf)) == 0) {
		const char *m = strstr(buf, "MemTotal:");
		unsigned long long kb;
		if (m && sscanf(m, "MemTotal: %llu kB", &kb) == 1)
			h->ram = (uint64_t)kb * 1024;
	}
	return 0;
}

const char *disk_describe(const struct disk_info *d, char *buf, size_t n)
{
	char sz[32];
	snprintf(buf, n, "%s: %s%s%s%s%s%s%s, %u-byte sectors%s%s%s", d->name, fmt_size(d->size, sz, sizeof(sz)),
		 d->model[0] ? ", " : "", d->model, d->serial[0] ? ", serial " : "", d->serial,
		 d->bus[0] ? ", " : "", d->bus, d->logical_sector,
		 d->xenhost_suffix[0] ? ", holds a Xenhost installation (xh-root-" : "", d->xenhost_suffix,
		 d->xenhost_suffix[0] ? ")" : "");
	return buf;
}

int probe_mark_excluded(const char *sysfs, struct disk_info *disks, size_t n, const char *dev, const char *why)
{
	char path[PATH_MAX + 16], real[PATH_MAX];
	const char *disk;
	struct stat st;

	if (!dev[0] || strchr(dev, '/'))
		return 0;
	snprintf(path, sizeof(path), "%s/class/block/%s", sysfs, dev);
	if (!realpath(path, real)) {
		snprintf(path, sizeof(path), "%s/block/%s", sysfs, dev);   /* whole disks */
		if (!realpath(path, real))
			return 0;
	}
	snprintf(path, sizeof(path), "%s/partition", real);
	if (stat(path, &st) == 0) {
		char *slash = strrchr(real, '/');
		if (!slash)
			return 0;
		*slash = '\0';   /* the partition's parent: the disk */
	}
	const char *base = strrchr(real, '/');
	disk = base ? base + 1 : real;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(disks[i].name, disk)) {
			disks[i].excluded = why;
			return 1;
		}
	return 0;
}

int probe_mounted_dev(const struct probe_root *root, const char *dir, char *name, size_t n)
{
	char path[PATH_MAX], real[PATH_MAX], line[4096];
	int r = -ENOENT;

	snprintf(path, sizeof(path), "%s/self/mountinfo", root->proc);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		char mnt[1024];
		/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
		if (sscanf(line, "%*u %*u %u:%u %*s %1023s", &maj, &min, mnt) != 3 || strcmp(mnt, dir) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/dev/block/%u:%u", root->sysfs, maj, min);
		if (!realpath(path, real))
			continue;
		const char *base = strrchr(real, '/');
		snprintf(name, n, "%s", base ? base + 1 : real);
		r = 0;
	}
	fclose(f);
	return r;
}
