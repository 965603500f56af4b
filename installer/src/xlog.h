/* xlog.h: the install log and the progress lines of the executor's steps.
 *
 * Everything the executor does is written to the log file (timestamps, every
 * command's argv and output, each step's start, end and duration). The console
 * gets one progress line per step: "[ 3/14] partition /dev/sda ... 0.4 s".
 * Nothing secret is ever passed to these functions. */
#ifndef XH_XLOG_H
#define XH_XLOG_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct xlog {
	FILE *f;             /* the log file, or NULL */
	FILE *console;       /* progress lines (stdout), or NULL */
	bool tty;            /* console is a terminal: in-place progress updates */
	unsigned step, n_steps;
	double step_t0;      /* monotonic seconds */
	double t0;           /* when the install started */
	bool in_step;
	bool progress_shown;
	int remote;          /* a connected UDP socket to a syslog server, or -1 */
	char rbuf[1024];     /* raw output not yet sent to it (up to a newline) */
	size_t rlen;
	/* A screen that shows the steps (the interactive installer's progress bar): called
	 * at each step's start (i of n, its title), with in-step progress ("42%"), and at
	 * its end. NULL: none. */
	void (*on_step)(void *ud, unsigned i, unsigned n, const char *title);
	void (*on_progress)(void *ud, const char *what);
	void (*on_step_end)(void *ud, unsigned i, bool ok, double seconds);
	void *hook_ud;
};

/* Open path for appending (mode 0600, parent directories made); NULL path: no file. */
int xlog_open(struct xlog *l, const char *path, FILE *console);
void xlog_close(struct xlog *l);
/* Also send every log line to the syslog server HOST[:PORT] (UDP, default port 514;
 * RFC 5424 lines, facility local0, app xenhost-installer). Best effort: a server that
 * does not listen loses lines, the install goes on. 0, or -EINVAL (not HOST[:PORT]),
 * or the error of resolving HOST or of the socket. */
int xlog_remote(struct xlog *l, const char *hostport);
double xlog_now(void);
/* The same clock in milliseconds (deadlines and back-offs). */
long xlog_now_ms(void);
/* t as UTC, "2024-01-01T12:00:00Z" (the log's, the syslog lines' and the inventory's). */
#define XLOG_UTC_LEN 32
const char *xlog_utc(time_t t, char buf[XLOG_UTC_LEN]);
/* A line in the log file only ("2024-01-01T12:00:00Z message"). */
void xlog_msg(struct xlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning: in the log and on stderr. */
void xlog_warn(struct xlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raw text (a command's output) into the log file. */
void xlog_raw(struct xlog *l, const char *buf, size_t n);
void xlog_step_begin(struct xlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* In-step progress, e.g. "42%" (shown in place on a terminal, logged otherwise). */
void xlog_progress(struct xlog *l, const char *what);
/* End the current step: ok or failed; returns its duration in seconds. */
double xlog_step_end(struct xlog *l, bool ok);

#endif
