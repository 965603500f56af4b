/* disk.h: what the executor does to disks: the in-use check, wiping signatures,
 * writing the GPT (libfdisk), waiting for the partition device nodes, and reading a
 * filesystem's UUID (libblkid). Every function returns 0 or a negative errno and
 * logs what it did; messages on stderr say what failed on which device. */
#ifndef XH_DISK_H
#define XH_DISK_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "xlog.h"

/* -EBUSY when the disk or one of its partitions is mounted, used as swap, held by
 * device mapper or RAID, or open exclusively by someone else; why is set. */
int disk_check_unused(const char *sysfs, const struct disk_info *d, char *why, size_t n);
/* Wipe every filesystem, RAID, LVM and partition-table signature of the disk and of
 * its current partitions, and zero its first and last MiB (both GPT copies). */
int disk_wipe(struct xlog *log, const char *sysfs, const struct plan_disk *pd);
/* Wipe the signatures of one device (a new partition). */
int dev_wipe_signatures(struct xlog *log, const char *dev);
/* Write the plan's GPT with libfdisk, make the kernel re-read it and wait for the
 * partition nodes (making them from sysfs when nothing else does). */
int disk_partition(struct xlog *log, const char *sysfs, const struct plan_disk *pd);
/* The UUID (and type) of the filesystem on dev. */
int dev_fs_uuid(const char *dev, char *uuid, size_t n, char *type, size_t tn);

#endif
