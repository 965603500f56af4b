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
/* How long the installer waits for the whole disk's lock (udev holds a shared one while
 * it probes), for the kernel to re-read a table while a partition is busy (BLKRRPART),
 * and for each partition that something holds open (BLKPG). */
#define DISK_LOCK_WAIT_MS 30000
#define DISK_REREAD_WAIT_MS 2000
#define DISK_BUSY_WAIT_MS 10000
/* Take the whole disk's BSD lock (flock LOCK_EX on its node), the convention of tools
 * that partition: while it is held udev neither probes the disk nor re-reads its table
 * (systemd's docs/BLOCK_DEVICE_LOCKING.md). Waits DISK_LOCK_WAIT_MS at most for another
 * holder; *fd is the descriptor that holds the lock. The executor holds it from the wipe
 * to the end of partitioning. */
int disk_lock(struct xlog *log, const char *devnode, int *fd);
/* Close *fd (dropping the lock) and set it to -1; nothing when it is -1. */
void disk_unlock(struct xlog *log, const char *devnode, int *fd);
/* udevadm settle where udev runs (never while a disk is locked). */
void disk_settle(struct xlog *log);
/* Wipe every filesystem, RAID, LVM and partition-table signature of the disk and of
 * its current partitions, and zero its first and last MiB (both GPT copies). */
int disk_wipe(struct xlog *log, const char *sysfs, const struct plan_disk *pd);
/* Wipe the signatures of one device (a new partition). */
int dev_wipe_signatures(struct xlog *log, const char *dev);
/* Write the plan's GPT with libfdisk, make the kernel re-read it (BLKRRPART, else BLKPG
 * partition by partition; EBUSY retried with a bounded back-off; a partition that
 * already has the planned start and size is kept) and wait for the partition nodes
 * (making them from sysfs when nothing else does). Call it with the disk locked. */
int disk_partition(struct xlog *log, const char *sysfs, const struct plan_disk *pd);
/* The UUID (and type) of the filesystem on dev. */
int dev_fs_uuid(const char *dev, char *uuid, size_t n, char *type, size_t tn);

#endif
