/* exec.h: the executor's machinery, shared by the fresh install (install.c) and the
 * upgrade and restore (upgrade.c): the context, the step list and its runner, mounts
 * that are undone in reverse on any failure, and the steps both use (image checks,
 * unpacking, GRUB). Internal to the executor; the public interface is install.h. */
#ifndef XH_EXEC_H
#define XH_EXEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "install.h"
#include "writers.h"

#define MAX_MOUNTS 16
#define MAX_STEPS 64

struct existing;

struct ictx {
	const struct install_plan *p;
	struct install_opts *o;
	struct xlog *log;
	char image[PATH_MAX];
	/* The root that tpath(), chroot_prepare() and the GRUB steps work in: the target,
	 * or (upgrade, restore) the backup while it is made bootable. */
	const char *root;
	char mounts[MAX_MOUNTS][PATH_MAX];
	size_t n_mounts;
	bool disks_written;
	bool logs_mounted;
	bool esp_staged;           /* the ESP could not be mounted: staged in a tmpfs, copied with mtools */
	char esp_dev[96];
	bool chroot_ready;
	const char *log_name;      /* the log's name under /var/log/installer/ ("install.log") */
	struct target_facts *facts;
	const struct existing *ex; /* upgrade, restore: the installation on the disk */
	/* the whole disks' locks (disk_lock), held from the wipe to the end of partitioning;
	 * -1 when not held (exec_steps sets them so, and drops any still held at its end) */
	int disk_lock[PLAN_MAX_DISKS];
};

typedef int (*step_fn)(struct ictx *c, size_t arg);
struct step {
	char title[200];
	step_fn fn;
	size_t arg;
};

void add_step(struct step *v, size_t *n, step_fn fn, size_t arg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Run the steps in order; on a failure unmount everything (saving the log on the logs
 * partition first when it is mounted). Failures before verify_idx that say -EBUSY are
 * "in use"; any failure before a disk was written is a refusal. */
enum install_result exec_steps(struct ictx *c, const struct step *steps, size_t n, size_t verify_idx);

/* root-relative path: <c->root>/<rel> */
int tpath(const struct ictx *c, char *buf, size_t n, const char *rel);
/* mount, remembered for umount_to(); the error is logged, the caller reports it */
int do_mount(struct ictx *c, const char *src, const char *dir, const char *type, unsigned long flags, const char *data);
/* Unmount (after sync) down to the first keep mounts, in reverse. */
int umount_to(struct ictx *c, size_t keep);
const struct plan_part *part_of(const struct plan_disk *pd, enum part_role role);
void part_dev(const struct ictx *c, size_t disk, enum part_role role, char *buf, size_t n);
int write_in_target(struct ictx *c, const char *rel, const char *text, mode_t mode);
int save_log(struct ictx *c);
int find_krel(struct ictx *c);

int find_image(struct ictx *c);
int step_fetch_image(struct ictx *c, size_t arg);
int step_verify(struct ictx *c, size_t arg);
int step_check_disks(struct ictx *c, size_t arg);
int step_unpack(struct ictx *c, size_t arg);
/* mounts the ESP on <root>/boot/efi (or stages it when vfat cannot be mounted) */
int step_mount_esp(struct ictx *c, size_t arg);
int chroot_prepare(struct ictx *c);
int step_grub_bios(struct ictx *c, size_t arg);
int step_grub_uefi(struct ictx *c, size_t arg);

#endif
