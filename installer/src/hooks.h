/* hooks.h: the answer file's scripts, and the install report.
 *
 * Scripts (<script stage="..." type="url">URL</script>), as in XenServer and XCP-ng:
 * fetched (http, https, ftp, file, or a path) into <run>/scripts/, made executable and
 * run with one argument:
 *   installation-start     before anything is written to a disk; no argument
 *   filesystem-populated   the installed system is complete and mounted: its root path
 *   installation-complete  after the target is unmounted: 0 on success, 1 on failure
 * A script that cannot be fetched or exits non-zero at installation-start or
 * filesystem-populated stops the installation; at installation-complete it is a
 * warning. Each run is logged with its output and duration.
 *
 * The report (<report-url>): one JSON object POSTed on success and on failure:
 *   {"product":"xenhost","version":...,"result":"success"|"failure","exit_code":N,
 *    "message":...,"failed_step":...,"mode":...,"firmware":...,"disk":...,
 *    "hostname":...,"answerfile":...,"duration_s":...,"macs":[...],"serial":...,
 *    "log_tail":[last lines of the install log]} */
#ifndef XH_HOOKS_H
#define XH_HOOKS_H

#include "config.h"
#include "source.h"
#include "xlog.h"

int scripts_run(const struct install_config *cfg, enum script_stage stage, const char *arg,
		const struct source_env *env, struct xlog *log);

struct report {
	bool success;
	int exit_code;
	const char *message;        /* one line for the operator */
	const char *failed_step;    /* "" when none */
	const char *mode, *firmware, *disk, *hostname, *answerfile;
	double duration;
	const struct host_identity *id;
	const char *log_path;       /* its last lines go into log_tail */
};

/* The JSON text of r (malloc'ed), or NULL without memory. */
char *report_json(const struct report *r);
int report_send(const char *url, const struct report *r, const struct source_env *env, struct xlog *log);

#endif
