/* fakesys.c: see fakesys.h. */

#include "fakesys.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_bytes(const char *path, const void *data, size_t len)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		int r = mkdir_p(dir);
		if (r < 0)
			return r;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int fakesys_write(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return write_bytes(path, content, strlen(content));
}

char *fakesys_create(void)
{
	char tmpl[] = "/tmp/xh-fakesys-XXXXXX";
	if (!mkdtemp(tmpl))
		return NULL;
	char *root = strdup(tmpl);
	char p[PATH_MAX];
	const char *dirs[] = { "sys/block", "sys/devices", "dev/disk/by-id", "proc" };
	for (size_t i = 0; root && i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		mkdir_p(p);
	}
	return root;
}

int fakesys_add_disk(const char *root, const struct fake_disk *d)
{
	char dev[PATH_MAX], blk[PATH_MAX], p[PATH_MAX], link[PATH_MAX], num[64];
	int r;

	snprintf(dev, sizeof(dev), "%s/sys/devices/%s", root, d->devpath);
	snprintf(blk, sizeof(blk), "%s/block/%s", dev, d->name);
	if ((r = mkdir_p(blk)) < 0)
		return r;
	/* sys/block/NAME -> ../devices/DEVPATH/block/NAME */
	snprintf(p, sizeof(p), "%s/sys/block/%s", root, d->name);
	snprintf(link, sizeof(link), "../devices/%s/block/%s", d->devpath, d->name);
	if (symlink(link, p) < 0)
		return -errno;
	/* block/NAME/device -> ../.. (the device directory) */
	snprintf(p, sizeof(p), "%s/device", blk);
	if (symlink("../..", p) < 0)
		return -errno;
#define W(rel, val) do { snprintf(p, sizeof(p), "%s/%s", blk, rel); \
		if ((r = write_bytes(p, val, strlen(val))) < 0) return r; } while (0)
	snprintf(num, sizeof(num), "%" PRIu64 "\n", d->size / 512);
	W("size", num);
	snprintf(num, sizeof(num), "%u\n", d->lss ? d->lss : 512);
	W("queue/logical_block_size", num);
	snprintf(num, sizeof(num), "%u\n", d->pss ? d->pss : d->lss ? d->lss : 512);
	W("queue/physical_block_size", num);
	W("queue/rotational", d->rotational ? "1\n" : "0\n");
	W("removable", d->removable ? "1\n" : "0\n");
	W("ro", d->ro ? "1\n" : "0\n");
	if (d->wwid)
		W("wwid", d->wwid);
	if (d->model) {
		snprintf(p, sizeof(p), "%s/model", dev);
		char padded[128];
		snprintf(padded, sizeof(padded), "%-16s\n", d->model);   /* sysfs pads with spaces */
		write_bytes(p, padded, strlen(padded));
	}
	if (d->vendor) {
		snprintf(p, sizeof(p), "%s/vendor", dev);
		write_bytes(p, d->vendor, strlen(d->vendor));
	}
	if (d->serial && d->serial_file) {
		W(d->serial_file, d->serial);
	} else if (d->serial) {
		unsigned char vpd[260] = { 0, 0x80, 0, 0 };
		size_t l = strlen(d->serial);
		vpd[3] = (unsigned char)(l + 4);
		memset(vpd + 4, ' ', 4);   /* leading blanks, as drives report them */
		memcpy(vpd + 8, d->serial, l);
		snprintf(p, sizeof(p), "%s/vpd_pg80", dev);
		write_bytes(p, vpd, l + 8);
	}
	for (unsigned i = 1; i <= d->partitions; i++) {
		snprintf(p, sizeof(p), "%s/%s%u/partition", blk, d->name, i);
		snprintf(num, sizeof(num), "%u\n", i);
		write_bytes(p, num, strlen(num));
	}
	for (size_t i = 0; i < 4 && d->by_id[i]; i++) {
		snprintf(p, sizeof(p), "%s/dev/disk/by-id/%s", root, d->by_id[i]);
		snprintf(link, sizeof(link), "../../%s", d->name);
		if (symlink(link, p) < 0)
			return -errno;
		/* and a partition link, which must not be taken for the disk */
		snprintf(p, sizeof(p), "%s/dev/disk/by-id/%s-part1", root, d->by_id[i]);
		snprintf(link, sizeof(link), "../../%s1", d->name);
		if (symlink(link, p) < 0)
			return -errno;
	}
#undef W
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void fakesys_destroy(char *root)
{
	if (!root)
		return;
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}
