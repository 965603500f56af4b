/* probe.h: what the hardware is, read from sysfs (and /dev/disk/by-id, /proc).
 *
 * The roots are configurable so that tests can point the probe at a fake tree.
 * Nothing here writes anything. */
#ifndef XH_PROBE_H
#define XH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PROBE_MAX_DISKS 64
#define PROBE_MAX_IDS 8

struct probe_root {
	const char *sysfs;   /* "/sys" */
	const char *dev;     /* "/dev" (for disk/by-id) */
	const char *proc;    /* "/proc" (for meminfo) */
	bool loop_only;      /* tests only (--disk-allow-loop): attached loop devices are the only disks */
};

struct disk_info {
	char name[32];               /* sda, nvme0n1 */
	char devnode[48];            /* /dev/sda */
	uint64_t size;               /* bytes */
	unsigned logical_sector;     /* bytes, 512 or 4096 */
	unsigned physical_sector;
	char vendor[64];
	char model[128];
	char serial[128];
	char wwn[128];
	char bus[16];                /* sata, sas, scsi, nvme, virtio, xen, usb, mmc, "" unknown */
	bool rotational;
	bool removable;
	bool readonly;
	unsigned n_partitions;       /* partitions the kernel sees now */
	/* What is on them: "sda1 ext4 xh-root-0123abcd, sda2 swap, ..." (partition, the
	 * filesystem or RAID/LVM signature libblkid finds, the GPT partition name), and the
	 * GPT name suffix of a Xenhost installation ("" when none: no xh-root-* partition). */
	char contents[512];
	char xenhost_suffix[16];
	char by_id[PROBE_MAX_IDS][CFG_PATH_MAX];   /* /dev/disk/by-id/... names */
	size_t n_by_id;
	/* Never an install target: set by probe_mark() for the disk the install environment
	 * booted from and the disk holding the answer-file volume (XENHOST-ANSWER). */
	const char *excluded;        /* NULL, or why: "the boot medium", ... */
};

struct host_info {
	uint64_t ram;     /* bytes; 0 = unknown */
	unsigned cpus;    /* 0 = unknown */
	bool uefi;        /* booted by UEFI firmware (<sysfs>/firmware/efi exists) */
};

/* Whole disks, sorted by name; loop, ram, zram, dm, md, optical, floppy and nbd
 * devices and empty devices are skipped. *disks is malloc'ed (free() it). */
int probe_disks(const struct probe_root *root, struct disk_info **disks, size_t *n);
/* Only the one disk /<sysfs>/block/<name>. */
int probe_disk(const struct probe_root *root, const char *name, struct disk_info *d);
/* RAM (MemTotal of <proc>/meminfo), CPUs (<sysfs>/devices/system/cpu/present) and
 * firmware. Under Xen these are dom0's own figures: the executor must ask Xen
 * (physinfo) for the host's. */
int probe_host(const struct probe_root *root, struct host_info *h);

/* Mark the disk holding block device DEV (a disk or a partition name, e.g. "sdb1",
 * resolved through <sysfs>/class/block) as excluded for WHY (a static string).
 * Returns 1 when a disk was marked, 0 when DEV is not on any of them. */
int probe_mark_excluded(const char *sysfs, struct disk_info *disks, size_t n, const char *dev, const char *why);
/* The block device (name, e.g. "sr0" or "sdb1") mounted on DIR according to
 * <proc>/self/mountinfo, or -ENOENT. */
int probe_mounted_dev(const struct probe_root *root, const char *dir, char *name, size_t n);

/* A one-line description: "sda: 50 GiB, QEMU HARDDISK, serial QM00001, sata". */
const char *disk_describe(const struct disk_info *d, char *buf, size_t n);

/* diskmatch.c: selecting disks. */
bool disk_filter_matches(const struct disk_filter *f, const struct disk_info *d);
/* The index of the one disk sel names, or a negative errno with a message in diags:
 * -ENODEV (no such disk / nothing matches), -ENOTUNIQ (a filter matches several).
 * what names the element ("<primary-disk>") for messages. */
int disk_select(const struct disk_selector *sel, const struct disk_info *disks, size_t n,
		const char *what, struct diag_list *diags);

/* The partitions sysfs shows for disk NAME (e.g. sda1, nvme0n1p2), at most MAX of them:
 * their names in PARTS; returns how many. */
#define PROBE_MAX_PARTITIONS 128
size_t probe_partitions(const char *sysfs, const char *name, char parts[][64], size_t max);

/* The entries of a disk's partition table, read with libblkid (sysfs has the GPT names
 * only where the kernel puts PARTNAME in uevent): at most max of them; returns how many,
 * or -errno when the device cannot be read. */
struct part_entry {
	unsigned number;
	char name[40];      /* the GPT partition name, "" if none */
	uint64_t size;      /* bytes */
};
int probe_table(const char *devnode, struct part_entry *v, size_t max);

#endif
