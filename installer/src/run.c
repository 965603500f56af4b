/* run.c: external programs with argv arrays (see run.h). */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const SEARCH_DIRS[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL };

bool have_program(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	for (size_t i = 0; SEARCH_DIRS[i]; i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root ? root : "", SEARCH_DIRS[i], name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return true;
	}
	return false;
}

static void log_argv(struct xlog *log, const struct run_opts *o, const char *const argv[])
{
	char line[2048];
	size_t k = 0;
	for (size_t i = 0; argv[i] && k + 4 < sizeof(line); i++) {
		int w = snprintf(line + k, sizeof(line) - k, "%s%s", i ? " " : "", argv[i]);
		if (w < 0)
			break;
		k += (size_t)w;
		if (k >= sizeof(line))
			k = sizeof(line) - 1;
	}
	line[k] = '\0';
	xlog_msg(log, "run%s%s: %s", o && o->chroot ? " in chroot " : "", o && o->chroot ? o->chroot : "", line);
}

/* The process group of the program running now (0: none), for run_forward_signal(). */
static volatile pid_t running_pgid;

void run_forward_signal(int sig)
{
	pid_t p = running_pgid;
	if (p > 0)
		kill(-p, sig);
}

/* The deadline passed: SIGTERM first, SIGKILL after the grace time; then stop waiting
 * for its output (a child it left behind may hold the pipes). Returns the next
 * deadline, or -1 when the output is to be abandoned. */
static long escalate(struct xlog *log, pid_t pid, const char *name, int *stage)
{
	switch ((*stage)++) {
	case 0:
		xlog_msg(log, "%s did not finish within its deadline: SIGTERM to it and what it started", name);
		kill(-pid, SIGTERM);
		return xlog_now_ms() + RUN_KILL_GRACE_S * 1000L;
	case 1:
		xlog_msg(log, "%s still runs %d s after SIGTERM: SIGKILL", name, RUN_KILL_GRACE_S);
		kill(-pid, SIGKILL);
		return xlog_now_ms() + 1000;
	default:
		xlog_msg(log, "%s: its output is still open, held by a process it started and left running: no "
			 "longer read", name);
		return -1;
	}
}

int run_argv(struct xlog *log, const struct run_opts *o, const char *const argv[], int *status)
{
	static const struct run_opts none = { 0 };
	int pout[2], perr[2], pexec[2];
	size_t out_len = 0;

	if (!o)
		o = &none;
	if (status)
		*status = -1;
	log_argv(log, o, argv);
	if (pipe2(pout, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(perr, O_CLOEXEC) < 0) {
		int e = errno;
		close(pout[0]), close(pout[1]);
		return -e;
	}
	if (pipe2(pexec, O_CLOEXEC) < 0) {
		int e = errno;
		close(pout[0]), close(pout[1]), close(perr[0]), close(perr[1]);
		return -e;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pout[0]), close(pout[1]), close(perr[0]), close(perr[1]), close(pexec[0]), close(pexec[1]);
		return -e;
	}
	if (pid == 0) {
		int e;
		/* its own process group: at its deadline the program and every process it
		 * started get the signal (a script's sleep, a grandchild holding the output) */
		if (setpgid(0, 0) < 0)
			goto fail;
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(pout[1], 1) < 0 || dup2(perr[1], 2) < 0)
			goto fail;
		signal(SIGPIPE, SIG_DFL);
		if (setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0 || setenv("LC_ALL", "C", 1) < 0)
			goto fail;
		if (o->chroot && (chroot(o->chroot) < 0 || chdir("/") < 0))
			goto fail;
		execvp(argv[0], (char *const *)argv);
	fail:
		e = errno;
		if (write(pexec[1], &e, sizeof(e)) != (ssize_t)sizeof(e))
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid);   /* as the child does: whichever runs first (EACCES after its exec is fine) */
	running_pgid = pid;
	close(pout[1]);
	close(perr[1]);
	close(pexec[1]);

	struct pollfd fds[2] = { { .fd = pout[0], .events = POLLIN }, { .fd = perr[0], .events = POLLIN } };
	int open_fds = 2, kill_stage = 0;
	unsigned limit_s = o->timeout_s ? o->timeout_s : RUN_DEFAULT_TIMEOUT_S;
	long deadline = xlog_now_ms() + (long)limit_s * 1000L;
	char buf[8192];
	while (open_fds > 0) {
		long left = deadline - xlog_now_ms();
		if (left <= 0) {
			if ((deadline = escalate(log, pid, argv[0], &kill_stage)) < 0)
				break;
			continue;
		}
		int k = poll(fds, 2, left > 60000 ? 60000 : (int)left);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && o->out && out_len + 1 < o->out_size) {
				size_t c = (size_t)n < o->out_size - 1 - out_len ? (size_t)n : o->out_size - 1 - out_len;
				memcpy(o->out + out_len, buf, c);
				out_len += c;
				o->out[out_len] = '\0';
			}
			if (o->on_output)
				o->on_output(o->ud, buf, (size_t)n);
			if (!(i == 0 && o->on_output))   /* progress bars stay out of the log */
				xlog_raw(log, buf, (size_t)n);
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	/* The output may end before the program does: wait for it, within its deadline
	 * too. A program that even SIGKILL does not end (stuck in the kernel on a dead
	 * disk) is left behind rather than waited for forever. */
	int ws = 0, e = 0;
	pid_t w;
	while ((w = waitpid(pid, &ws, WNOHANG)) == 0 || (w < 0 && errno == EINTR)) {
		if (w == 0 && xlog_now_ms() >= deadline && (deadline = escalate(log, pid, argv[0], &kill_stage)) < 0)
			break;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	running_pgid = 0;
	if (o->out && o->out_size && out_len == 0)
		o->out[0] = '\0';
	if (w < 0) {
		e = errno;
		close(pexec[0]);
		return -e;
	}
	if (kill_stage > 0) {
		close(pexec[0]);
		xlog_msg(log, "%s was stopped: it did not finish within %u s", argv[0], limit_s);
		if (status)
			*status = w == 0 ? -1 : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
		if (!o->quiet_fail)
			fprintf(stderr, "xenhost-installer: %s did not finish within %u s and was stopped (SIGTERM, then "
				"SIGKILL); its output is in the install log\n", argv[0], limit_s);
		return -ETIMEDOUT;
	}
	ssize_t got = read(pexec[0], &e, sizeof(e));
	close(pexec[0]);
	if (got == (ssize_t)sizeof(e)) {
		xlog_msg(log, "cannot run %s: %s", argv[0], strerror(e));
		if (!o->quiet_fail)
			fprintf(stderr, "xenhost-installer: cannot run %s%s%s: %s\n", argv[0], o->chroot ? " in " : "",
				o->chroot ? o->chroot : "", strerror(e));
		return e == ENOENT ? -ENOENT : -e;
	}
	int st = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
	if (status)
		*status = st;
	if (st != 0) {
		xlog_msg(log, "%s failed with %s %d", argv[0], WIFSIGNALED(ws) ? "signal" : "exit status",
			 WIFSIGNALED(ws) ? WTERMSIG(ws) : st);
		if (!o->quiet_fail)
			fprintf(stderr, "xenhost-installer: %s failed (%s %d); its output is in the install log\n",
				argv[0], WIFSIGNALED(ws) ? "signal" : "exit status", WIFSIGNALED(ws) ? WTERMSIG(ws) : st);
		return -EIO;
	}
	xlog_msg(log, "%s: ok", argv[0]);
	return 0;
}
