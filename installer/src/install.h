/* install.h: the executor. It carries out a plan made by plan_make() as an explicit
 * list of steps, each logged with its start, end and duration and shown as a
 * progress line, and cleans up (unmounts everything, in reverse) on any failure.
 *
 * Nothing is written before every disk of the plan is found unused and the image's
 * sha256 matches its .sha256 file. */
#ifndef XH_INSTALL_H
#define XH_INSTALL_H

#include <stdbool.h>

#include "fetch.h"
#include "plan.h"
#include "xlog.h"

#define INSTALL_DEFAULT_TARGET "/run/xenhost/target"
#define INSTALL_DEFAULT_LOG "/var/log/xenhost-install.log"
/* The image, when --image is not given: the first of these that exists. */
#define INSTALL_IMAGE_PATHS { "/run/xenhost/rootfs.squashfs", "/run/initramfs/live/live/rootfs.squashfs", \
			      "/run/initramfs/live/rootfs.squashfs", "/run/initramfs/squashed.img", NULL }

struct install_opts {
	const char *target;       /* the target root directory */
	const char *image;        /* NULL: INSTALL_IMAGE_PATHS */
	/* Or the image from a URL: image_url and image_url.sha256 are fetched into
	 * image_dir (the step "fetch the image"), then verified like a local one. */
	const char *image_url;
	const char *image_dir;
	const struct fetch_opts *fetch;
	const char *answerfile;   /* copied (password redacted) to the target */
	const char *log_path;     /* copied to the target */
	const char *sysfs;        /* "/sys" */
	/* The answer file's scripts: called at installation-start (arg NULL, before any
	 * write) and at filesystem-populated (arg: the target root); a negative return
	 * stops the installation. NULL: no scripts. */
	int (*scripts)(void *ud, enum script_stage stage, const char *arg);
	void *scripts_ud;
	char failed_step[200];    /* out: the title of the step that failed, "" if none */
	int failed_errno;         /* out: why it failed (an errno), 0 if none */
};

enum install_result {
	INSTALL_OK,
	INSTALL_REFUSED_BUSY,     /* a disk is in use or cannot be checked: nothing written */
	INSTALL_REFUSED_IMAGE,    /* no image, or its checksum does not match: nothing written */
	INSTALL_FAILED,           /* a step failed after the disks were changed */
	INSTALL_REFUSED_SCRIPT,   /* an installation-start script failed: nothing written */
};

enum install_result install_run(const struct install_plan *p, struct install_opts *o, struct xlog *log);

/* The first of INSTALL_IMAGE_PATHS that is a file (the boot medium's image), or NULL. */
const char *install_local_image(void);
/* The sha256 of a file as 64 hex digits (progress via log). */
int sha256_file(const char *path, char out[65], struct xlog *log);
/* The expected checksum from a sha256sum-format file. */
int read_sha256_file(const char *path, char out[65]);
/* The answer file with every <root-password> replaced, written to path (mode 0600). */
int write_redacted_answerfile(const char *in, const char *out);

#endif
