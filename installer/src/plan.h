/* plan.h: struct install_plan, everything the executor will do, decided up front.
 *
 * plan_make() turns the operator's config, the probed disks and the host figures
 * into an explicit plan: which disks, the GPT layout of each (docs/architecture.md),
 * filesystems, bootloader, dom0 sizing. It refuses (with a message saying what to do)
 * anything that cannot work: a missing or ambiguous disk, a disk named twice, a disk
 * too small for the layout, a read-only disk, an unsupported sector size. Nothing is
 * written by planning; the executor (install.c, upgrade.c) only carries the plan out.
 *
 * Physical order on the primary disk, each partition aligned to 1 MiB:
 *   sr-at-end="true" (default):  7 BIOS boot | 4 ESP | 1 root | 2 backup | 5 logs | 6 swap | 3 local storage
 *   sr-at-end="false":           7 BIOS boot | 4 ESP | 1 root | 2 backup | 3 local storage | 5 logs | 6 swap
 * Partition numbers are fixed by role (the table in docs/architecture.md). A guest disk gets
 * one partition, number 1, of local storage over the whole disk. */
#ifndef XH_PLAN_H
#define XH_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "probe.h"

#define PLAN_ALIGN MiB
#define PLAN_MIN_STORAGE GiB      /* the least local storage worth making on a disk */
#define PLAN_BIOSBOOT_SIZE MiB
#define PLAN_MAX_PARTS 7
#define PLAN_MAX_DISKS (1 + CFG_MAX_GUEST_DISKS)
#define PLAN_SUFFIX_LEN 8

enum part_role { PART_ROOT, PART_BACKUP, PART_STORAGE, PART_ESP, PART_LOGS, PART_SWAP, PART_BIOSBOOT };
enum fs_kind { FS_NONE, FS_EXT4, FS_XFS, FS_VFAT, FS_SWAP };

/* GPT partition type GUIDs */
#define GPT_TYPE_LINUX_DATA "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
#define GPT_TYPE_ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define GPT_TYPE_SWAP "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"
#define GPT_TYPE_BIOS_BOOT "21686148-6449-6E6F-744E-656564454649"

struct plan_part {
	unsigned number;          /* GPT partition number */
	enum part_role role;
	uint64_t start, size;     /* bytes, multiples of PLAN_ALIGN */
	uint64_t start_lba, n_lba;/* the same in logical sectors */
	char label[37];           /* GPT partition name: xh-<role>-<suffix> */
	const char *type_guid;
	enum fs_kind fs;
	const char *mountpoint;   /* "/", "/boot/efi", "/var/log", or NULL */
	bool mkfs;                /* made at install; the backup is made at the first upgrade */
};

struct plan_disk {
	struct disk_info disk;
	bool primary;
	uint64_t n_sectors;           /* logical sectors */
	uint64_t first_usable_lba, last_usable_lba;  /* GPT */
	struct plan_part parts[PLAN_MAX_PARTS];      /* in physical order */
	size_t n_parts;
	uint64_t unused;              /* bytes left free at the end (guest-storage="false") */
	struct src_pos pos;           /* where the answer file named it */
};

struct plan_host {
	uint64_t ram;     /* bytes */
	unsigned cpus;
	bool uefi;        /* the install environment booted by UEFI */
};

/* Writes PLAN_SUFFIX_LEN lower-case hex digits and a NUL; 0 or -errno. */
typedef int (*plan_suffix_fn)(void *ud, char *out);

struct plan_opts {
	plan_suffix_fn suffix;   /* NULL: random bytes from getrandom() */
	void *suffix_ud;
};

struct install_plan {
	enum install_mode mode;
	enum firmware_mode firmware;  /* FW_BIOS or FW_UEFI, never FW_AUTO */
	bool firmware_forced;         /* by the answer file */
	enum sr_type sr_type;
	char suffix[PLAN_SUFFIX_LEN + 1];
	struct plan_disk disks[PLAN_MAX_DISKS];   /* [0] is the primary (or the upgraded/restored) disk */
	size_t n_disks;
	uint64_t min_primary_size;    /* bytes, for this layout and sector size */
	struct plan_host host;
	uint64_t dom0_memory;         /* bytes */
	unsigned dom0_vcpus;
	bool dom0_memory_auto, dom0_vcpus_auto;
	bool write_boot_entry;        /* UEFI NVRAM entry */
	const struct install_config *cfg;   /* borrowed: must outlive the plan */
};

/* dom0 sizing: 1 GiB + 5% of RAM, at most 8 GiB, rounded down to MiB; min(pCPUs, 16). */
uint64_t dom0_memory_for(uint64_t ram);
unsigned dom0_vcpus_for(unsigned cpus);

/* The smallest disk (bytes) that holds the layout for c with this sector size;
 * primary: the primary disk (fixed partitions, plus local storage if guest_storage),
 * else a guest disk. */
uint64_t plan_min_disk_size(const struct install_config *c, unsigned sector_size, bool primary);

/* 0, or a negative errno with every reason in d (-ENODEV, -ENOTUNIQ, -ENOSPC,
 * -EEXIST, -EROFS, -EINVAL). */
int plan_make(const struct install_config *c, const struct disk_info *disks, size_t n_disks,
	      const struct plan_host *host, const struct plan_opts *opts, struct install_plan *p,
	      struct diag_list *d);

/* planprint.c: the plan as text (for --dry-run and the install log). */
void plan_print(const struct install_plan *p, FILE *out);
const char *part_role_name(enum part_role r);
const char *fs_name(enum fs_kind f);
/* The device node of partition number on disk: /dev/sda3, /dev/nvme0n1p3. */
void part_devnode(const struct disk_info *d, unsigned number, char *buf, size_t n);

#endif
