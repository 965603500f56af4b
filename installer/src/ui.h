/* ui.h: the interactive installer (newt), for VGA and serial consoles at 80x24.
 *
 * It fills the same struct install_config as an answer file, and asks the same planner
 * (through env->plan) for the plan it shows before anything is written: there is no
 * second install path. Every screen has Back (and F1 help); Ctrl-C asks whether to
 * leave without installing. Nothing is written to any disk until the operator confirms
 * the summary, which names every disk that will be erased. */
#ifndef XH_UI_H
#define XH_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "existing.h"
#include "plan.h"
#include "probe.h"
#include "writers.h"

enum ui_action { UI_INSTALL, UI_UPGRADE, UI_RESTORE, UI_SHELL };

/* An installation found on a disk, for the action screen. */
struct ui_found {
	const struct disk_info *disk;
	char version[32];
	char backup_version[32];   /* "" when the disk holds no backup */
	char why_not[256];         /* "" when it can be upgraded, else why not */
};

struct ui_env {
	const char *version;       /* this installer's */
	bool uefi;
	unsigned long long ram;    /* the host's, bytes (0 unknown) */
	unsigned cpus;
	bool hvm;                  /* Xen says the CPU has virtualization extensions */
	struct disk_info *disks;
	size_t n_disks;
	struct nic nics[NIC_MAX];
	bool link[NIC_MAX];        /* carrier up */
	size_t n_nics;
	struct ui_found found[8];
	size_t n_found;
	const char *zoneinfo;      /* /usr/share/zoneinfo */
	const char *keymaps;       /* loadkeys is run for the chosen one when not NULL */
	/* The planner: 0 and p filled, or a negative errno with msg saying why (the same
	 * messages an answer file gets). */
	int (*plan)(void *ud, const struct install_config *c, struct install_plan *p, char *msg, size_t n);
	void *plan_ud;
};

/* Run the screens until the operator confirms (0, *act set; for UI_INSTALL, p holds the
 * plan to run) or leaves (-ECANCELED). Fields of c already set by a partial answer file
 * (c->interactive_partial) are shown as defaults. */
int ui_run(struct ui_env *e, struct install_config *c, struct install_plan *p, enum ui_action *act);

/* The progress screen during the installation: open it, then give its three functions
 * to struct xlog (on_step, on_progress, on_step_end) with ud. */
struct ui_progress;
struct ui_progress *ui_progress_open(const char *title);
void ui_progress_step(void *ud, unsigned i, unsigned n, const char *title);
void ui_progress_detail(void *ud, const char *what);
void ui_progress_step_end(void *ud, unsigned i, bool ok, double seconds);
/* Close it and show the end: success (what, where the log is; "Reboot" or "Shell") or
 * failure (the step, the last lines of the log). Returns true when the operator chose to
 * reboot. */
bool ui_progress_close(struct ui_progress *pr, bool ok, const char *message, const char *log_tail);

/* Where the screen is drawn: while the installation runs, stdout and stderr go to the
 * log, and the screen to a copy of the terminal's descriptor. */
void ui_output_fd(int fd);

/* End the newt screen (before exec of a shell, or on exit). */
void ui_finish(void);

#endif
