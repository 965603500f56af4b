/* xlog.c: the install log and progress lines (see xlog.h). */
#include "xlog.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

double xlog_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long xlog_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xlog_open(struct xlog *l, const char *path, FILE *console)
{
	memset(l, 0, sizeof(*l));
	l->remote = -1;
	l->console = console;
	l->tty = console && isatty(fileno(console));
	l->t0 = xlog_now();
	if (!path)
		return 0;
	int r = mkdir_parents(path);
	if (r < 0)
		return r;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	l->f = fdopen(fd, "a");
	if (!l->f) {
		r = -errno;
		close(fd);
		return r;
	}
	setvbuf(l->f, NULL, _IOLBF, 0);
	return 0;
}

void xlog_close(struct xlog *l)
{
	if (l->f)
		fclose(l->f);
	l->f = NULL;
	if (l->remote >= 0)
		close(l->remote);
	l->remote = -1;
}

int xlog_remote(struct xlog *l, const char *hostport)
{
	char host[256], port[8] = "514";
	const char *colon = strrchr(hostport, ':');
	size_t hl = colon ? (size_t)(colon - hostport) : strlen(hostport);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res = NULL;

	if (!hl || hl >= sizeof(host) || (colon && (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(port) ||
						    strspn(colon + 1, "0123456789") != strlen(colon + 1))))
		return -EINVAL;
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	if (colon)
		memcpy(port, colon + 1, strlen(colon + 1) + 1);
	int r = getaddrinfo(host, port, &hints, &res);
	if (r != 0)
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return r;
	}
	freeaddrinfo(res);
	if (l->remote >= 0)
		close(l->remote);
	l->remote = fd;
	return 0;
}

const char *xlog_utc(time_t t, char buf[XLOG_UTC_LEN])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, XLOG_UTC_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, XLOG_UTC_LEN, "?");
	return buf;
}

/* One line to the syslog server: <134> is local0.info. */
static void send_remote(struct xlog *l, const char *line, size_t n)
{
	char buf[1400], ts[XLOG_UTC_LEN];
	if (l->remote < 0)
		return;
	xlog_utc(time(NULL), ts);
	int k = snprintf(buf, sizeof(buf), "<134>1 %s - xenhost-installer %ld - - %.*s", ts, (long)getpid(),
			 (int)(n > 1200 ? 1200 : n), line);
	if (k > 0)
		(void)!send(l->remote, buf, (size_t)k < sizeof(buf) ? (size_t)k : sizeof(buf) - 1, MSG_DONTWAIT);
}

static void stamp(FILE *f)
{
	char buf[XLOG_UTC_LEN];
	fprintf(f, "%s ", xlog_utc(time(NULL), buf));
}

static void vlog(struct xlog *l, const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void vlog(struct xlog *l, const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	if (!l->f && l->remote < 0)
		return;
	size_t p = strlen(prefix);
	snprintf(line, sizeof(line), "%s", prefix);
	vsnprintf(line + p, sizeof(line) - p, fmt, ap);
	if (l->f) {
		stamp(l->f);
		fputs(line, l->f);
		fputc('\n', l->f);
	}
	send_remote(l, line, strlen(line));
}

void xlog_msg(struct xlog *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(l, "", fmt, ap);
	va_end(ap);
}

void xlog_warn(struct xlog *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(l, "warning: ", fmt, ap);
	va_end(ap);
	if (l->console && l->in_step && l->tty)
		fputc('\n', l->console);
	fputs("xenhost-installer: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void xlog_raw(struct xlog *l, const char *buf, size_t n)
{
	if (l->f && n)
		fwrite(buf, 1, n, l->f);
	/* to the syslog server by lines (a long line in pieces) */
	for (size_t i = 0; l->remote >= 0 && i < n; i++) {
		if (buf[i] != '\n')
			l->rbuf[l->rlen++] = buf[i];
		if (buf[i] == '\n' || l->rlen == sizeof(l->rbuf)) {
			send_remote(l, l->rbuf, l->rlen);
			l->rlen = 0;
		}
	}
}

void xlog_step_begin(struct xlog *l, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	l->step++;
	l->in_step = true;
	l->progress_shown = false;
	l->step_t0 = xlog_now();
	xlog_msg(l, "step %u/%u start: %s", l->step, l->n_steps, what);
	if (l->on_step)
		l->on_step(l->hook_ud, l->step, l->n_steps, what);
	if (l->console) {
		fprintf(l->console, "[%2u/%u] %s ...", l->step, l->n_steps, what);
		fflush(l->console);
	}
}

void xlog_progress(struct xlog *l, const char *what)
{
	if (l->on_progress)
		l->on_progress(l->hook_ud, what);
	if (l->console && l->tty) {
		fprintf(l->console, "%s%s", l->progress_shown ? "\b\b\b\b\b\b\b" : " ", what);
		fflush(l->console);
		l->progress_shown = true;
	}
}

double xlog_step_end(struct xlog *l, bool ok)
{
	double d = xlog_now() - l->step_t0;
	xlog_msg(l, "step %u/%u %s after %.1f s", l->step, l->n_steps, ok ? "done" : "FAILED", d);
	if (l->on_step_end)
		l->on_step_end(l->hook_ud, l->step, ok, d);
	if (l->console) {
		fprintf(l->console, " %s%.1f s\n", ok ? "" : "FAILED after ", d);
		fflush(l->console);
	}
	l->in_step = false;
	return d;
}
