/* run.h: running external programs (mkfs.*, unsquashfs, grub-install, ...).
 *
 * Always an argv array, never a shell string. The command line and everything the
 * program prints go to the install log; a program that fails (or is killed) is an
 * error whose message names it and its exit status. */
#ifndef XH_RUN_H
#define XH_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "xlog.h"

struct run_opts {
	const char *chroot;       /* run inside this root (its own binaries), or NULL */
	char *out;                /* if set: the program's stdout is captured here ... */
	size_t out_size;          /* ... up to out_size - 1 bytes, NUL-terminated */
	/* Called with each chunk of output (for progress), may be NULL. */
	void (*on_output)(void *ud, const char *buf, size_t n);
	void *ud;
	bool quiet_fail;          /* a failure is the caller's to report (logged only) */
	/* The program's deadline in seconds (0: RUN_DEFAULT_TIMEOUT_S). Past it the program
	 * and every process it started (its process group) get SIGTERM, RUN_KILL_GRACE_S
	 * later SIGKILL, and run_argv() returns -ETIMEDOUT. */
	unsigned timeout_s;
};

/* No program the installer runs takes an hour on a working machine (mkfs of a large
 * XFS, unsquashfs under emulation: minutes): past that it hangs. */
#define RUN_DEFAULT_TIMEOUT_S 3600
#define RUN_KILL_GRACE_S 10

/* Run argv[0] (searched in PATH) with argv. 0 when it exits 0; -ENOENT when it cannot
 * be found; -ETIMEDOUT when it was stopped at its deadline; -EIO (exit status != 0,
 * logged) or another -errno. *status (if not NULL) gets the exit status, or
 * 128+signal. */
int run_argv(struct xlog *log, const struct run_opts *o, const char *const argv[], int *status);

/* Send sig to the program running now and to what it started (its process group; each
 * program runs in its own). Async-signal-safe: the executor's signal handler calls it,
 * so that an interrupted install stops the program too. */
void run_forward_signal(int sig);

/* Whether a program is found in PATH (or under root + a standard bin directory). */
bool have_program(const char *root, const char *name);

#endif
