/* nicprobe.c: the host's physical Ethernet NICs, from <sysfs>/class/net. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate.h"
#include "writers.h"

static int read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int probe_nics(const char *sysfs, struct nic *v, size_t max, size_t *n)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], buf[PATH_MAX];
	DIR *dh;
	struct dirent *e;

	*n = 0;
	snprintf(dir, sizeof(dir), "%s/class/net", sysfs);
	if (!(dh = opendir(dir)))
		return -errno;
	while ((e = readdir(dh)) && *n < max) {
		struct nic *nc = &v[*n];
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(nc->kname))
			continue;
		snprintf(path, sizeof(path), "%s/%s/device", dir, e->d_name);
		if (!realpath(path, buf))
			continue;   /* virtual: lo, bridges, VLANs, vifs */
		memset(nc, 0, sizeof(*nc));
		if (copy_str(nc->sortkey, sizeof(nc->sortkey), buf) < 0)
			continue;
		snprintf(nc->kname, sizeof(nc->kname), "%s", e->d_name);
		snprintf(path, sizeof(path), "%s/%s/type", dir, e->d_name);
		if (read_line(path, buf, sizeof(buf)) < 0 || strcmp(buf, "1") != 0)
			continue;   /* not Ethernet */
		snprintf(path, sizeof(path), "%s/%s/address", dir, e->d_name);
		if (read_line(path, buf, sizeof(buf)) < 0 || parse_mac(buf, nc->mac) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s/dev_port", dir, e->d_name);
		if (read_line(path, buf, sizeof(buf)) == 0)
			nc->dev_port = (unsigned)strtoul(buf, NULL, 10);
		snprintf(path, sizeof(path), "%s/%s/device/driver", dir, e->d_name);
		ssize_t l = readlink(path, buf, sizeof(buf) - 1);
		if (l > 0) {
			buf[l] = '\0';
			const char *b = strrchr(buf, '/');
			if (copy_str(nc->driver, sizeof(nc->driver), b ? b + 1 : buf) < 0)
				nc->driver[0] = '\0';
		}
		(*n)++;
	}
	closedir(dh);
	nics_name(v, *n);
	return 0;
}
