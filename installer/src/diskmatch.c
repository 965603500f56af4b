/* diskmatch.c: choosing the disks an answer file names (see probe.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "validate.h"

static bool glob_ok(const char *pattern, const char *value)
{
	return !pattern[0] || fnmatch(pattern, value, FNM_CASEFOLD) == 0;
}

bool disk_filter_matches(const struct disk_filter *f, const struct disk_info *d)
{
	if (!glob_ok(f->model, d->model) || !glob_ok(f->serial, d->serial) || !glob_ok(f->wwn, d->wwn))
		return false;
	if (f->bus[0] && strcmp(f->bus, d->bus) != 0)
		return false;
	if (f->min_size && d->size < f->min_size)
		return false;
	if (f->max_size && d->size > f->max_size)
		return false;
	if (f->rotational >= 0 && (int)d->rotational != f->rotational)
		return false;
	return true;
}

static void list_disks(char *buf, size_t n, const struct disk_info *disks, size_t nd, const struct disk_filter *only)
{
	char one[512];
	buf[0] = '\0';
	for (size_t i = 0; i < nd; i++) {
		if (only && (disks[i].excluded || !disk_filter_matches(only, &disks[i])))
			continue;
		disk_describe(&disks[i], one, sizeof(one));
		if (disks[i].excluded)
			snprintf(one + strlen(one), sizeof(one) - strlen(one), " (%s: not a target)", disks[i].excluded);
		if (buf[0])
			strncat(buf, "; ", n - strlen(buf) - 1);
		strncat(buf, one, n - strlen(buf) - 1);
	}
	if (!buf[0])
		snprintf(buf, n, "none");
}

static void describe_filter(char *buf, size_t n, const struct disk_filter *f)
{
	char s1[32], s2[32];
	if (snprintf(buf, n, "%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s", f->model[0] ? " model=" : "", f->model,
		 f->serial[0] ? " serial=" : "", f->serial, f->wwn[0] ? " wwn=" : "", f->wwn,
		 f->bus[0] ? " bus=" : "", f->bus, f->min_size ? " min-size=" : "",
		 f->min_size ? fmt_size(f->min_size, s1, sizeof(s1)) : "", f->max_size ? " max-size=" : "",
		 f->max_size ? fmt_size(f->max_size, s2, sizeof(s2)) : "",
		 f->rotational < 0 ? "" : " rotational=", f->rotational < 0 ? "" : f->rotational ? "true" : "false",
		 "") >= (int)n)
		memcpy(buf + n - 4, "...", 4);
}

/* "sda1" or "nvme0n1p2" when base is "sda" / "nvme0n1": a partition of that disk. */
static bool is_partition_of(const char *name, const char *base)
{
	size_t l = strlen(base);
	if (strncmp(name, base, l) != 0 || !name[l])
		return false;
	const char *p = name + l;
	if (*p == 'p')
		p++;
	if (!*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int disk_select(const struct disk_selector *sel, const struct disk_info *disks, size_t n, const char *what,
		struct diag_list *diags)
{
	char list[2048], f[512];
	int found = -1;
	size_t count = 0;

	if (sel->kind == DISK_SEL_PATH) {
		bool by_id = !strncmp(sel->path, "/dev/disk/by-id/", 16);
		for (size_t i = 0; i < n; i++) {
			bool hit = !by_id && !strcmp(sel->path, disks[i].devnode);
			for (size_t k = 0; by_id && k < disks[i].n_by_id; k++)
				hit = hit || !strcmp(sel->path, disks[i].by_id[k]);
			if (hit && disks[i].excluded) {
				diag_error(diags, sel->pos, "%s %s is %s: it is never an install target; name another disk",
					   what, sel->path, disks[i].excluded);
				return -EPERM;
			}
			if (hit)
				return (int)i;
		}
		for (size_t i = 0; !by_id && i < n; i++)
			if (is_partition_of(sel->path + 5, disks[i].name)) {
				diag_error(diags, sel->pos, "%s %s is a partition: name the whole disk, %s", what, sel->path,
					   disks[i].devnode);
				return -ENODEV;
			}
		list_disks(list, sizeof(list), disks, n, NULL);
		diag_error(diags, sel->pos, "%s %s does not exist on this machine; the disks are: %s", what, sel->path, list);
		return -ENODEV;
	}
	if (sel->kind != DISK_SEL_FILTER) {
		diag_error(diags, sel->pos, "%s names no disk", what);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (!disks[i].excluded && disk_filter_matches(&sel->filter, &disks[i])) {
			if (found < 0)
				found = (int)i;
			count++;
		}
	describe_filter(f, sizeof(f), &sel->filter);
	if (count == 1)
		return found;
	if (count == 0) {
		list_disks(list, sizeof(list), disks, n, NULL);
		diag_error(diags, sel->pos, "no disk matches the <match%s> of %s; the disks are: %s", f, what, list);
		return -ENODEV;
	}
	list_disks(list, sizeof(list), disks, n, &sel->filter);
	diag_error(diags, sel->pos, "%zu disks match the <match%s> of %s, but it must select exactly one: %s; add "
		   "serial= or another condition", count, f, what, list);
	return -ENOTUNIQ;
}
