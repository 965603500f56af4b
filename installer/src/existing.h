/* existing.h: an installation already on a disk (upgrade and restore).
 *
 * existing_probe() finds the partitions of a Xenhost installation by their GPT names
 * (xh-<role>-<suffix>, docs/architecture.md), mounts the root and the backup read-only
 * (ext4 "noload": not even the journal is replayed, so probing writes nothing), and
 * reads what an upgrade decides by: the inventory (/etc/xenhost-inventory), whether the
 * first boot completed, the kernel in /boot, the space in use, and the backup's marker.
 * existing_check() then says whether an upgrade or a restore may start, and if not,
 * exactly why. */
#ifndef XH_EXISTING_H
#define XH_EXISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "plan.h"
#include "probe.h"
#include "writers.h"
#include "xlog.h"

/* The marker file at the top of a backup filesystem (KEY='value' lines). */
#define BACKUP_MARKER ".xenhost-backup"
/* The first boot's state directory and its last stamp, on the root. */
#define FIRSTBOOT_STATE "var/lib/xenhost/firstboot"
#define FIRSTBOOT_DONE FIRSTBOOT_STATE "/done.done"

/* One root filesystem: the installation's root, or the backup. */
struct existing_root {
	bool present;               /* a filesystem with an inventory */
	char fs_uuid[UUID_STR];
	char version[32];           /* PRODUCT_VERSION */
	char krel[128];             /* newest /boot/vmlinuz-<krel> with its initrd */
	unsigned dom0_mem_mib, dom0_vcpus;
	char xen_options[512];      /* XEN_CMDLINE_EXTRA: Xen options the operator set */
	char dom0_options[512];     /* DOM0_CMDLINE_EXTRA: dom0 kernel options the operator set */
	uint64_t used;              /* bytes in use */
	bool firstboot_done;
	bool upgraded;              /* the first-boot upgrade marker is there */
};

struct existing {
	char disk[48];                       /* /dev/sda */
	char suffix[16];                     /* of the GPT names */
	char dev[PLAN_MAX_PARTS][96];        /* partition device by enum part_role, "" if none */
	uint64_t size[PLAN_MAX_PARTS];       /* bytes */
	unsigned num[PLAN_MAX_PARTS];        /* partition numbers, 0 if none */
	struct existing_root root;
	int root_error;                      /* errno when the root could not be mounted, else 0 */
	char preserve_error[300];            /* a preserve.d list that is not valid, "" if none */
	char installation_uuid[UUID_STR], boot_mode[8];
	struct existing_root backup;         /* present: the backup partition holds a backup */
	char backup_date[XLOG_UTC_LEN];      /* when it was made (its marker) */
	char backup_of[32];                  /* the version it was made from (its marker) */
	char backup_of_root[UUID_STR];       /* the root filesystem it was made from (its marker) */
	bool resume;                         /* an interrupted upgrade: the backup is the old root */
};

/* Read the installation on disk d; mnt is an empty directory to mount on. 0, or
 * -ENOENT when the disk has no xh-root partition (no Xenhost installation), or another
 * -errno (a message on stderr says what failed). */
int existing_probe(struct xlog *log, const struct disk_info *d, const char *mnt, struct existing *e);

/* Whether the upgrade (MODE_UPGRADE) or restore (MODE_RESTORE) may start; 0, or
 * -EPERM with why (a full sentence that says what to do). */
int existing_check(const struct existing *e, enum install_mode mode, bool force, const char *our_version,
		   char *why, size_t n);

/* An upgrade that was cut short (power loss, a failure) after its backup was complete:
 * the root is unreadable or incomplete, or an upgraded root that never booted (its
 * upgrade marker, no completed first boot), and the backup of it holds the old version.
 * Then the upgrade is resumed: the backup stands in for the old root (its version,
 * kernel, settings), and the copy is not made again. true when it applies (e updated). */
bool existing_resume(struct existing *e);

/* Compare versions like 0.1.0, 1.2.10, 2.0~rc1: numeric parts as numbers, '~' sorts
 * before anything. <0, 0, >0. */
int version_cmp(const char *a, const char *b);

/* The fields of an inventory's text (/etc/xenhost-inventory) into rt, and for the root
 * (not the backup) into e; of a backup marker's text into e. */
void existing_read_inventory(const char *inv, struct existing *e, struct existing_root *rt, bool backup);
void existing_read_marker(const char *marker, struct existing *e);

/* A value of KEY='value' text (an inventory), "" when absent. */
void inv_get(const char *text, const char *key, char *out, size_t n);

/* The installation as text (for --dry-run, the log and --list-installations). */
void existing_print(const struct existing *e, FILE *out);

#endif
