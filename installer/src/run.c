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
	close(pout[1]);
	close(perr[1]);
	close(pexec[1]);

	struct pollfd fds[2] = { { .fd = pout[0], .events = POLLIN }, { .fd = perr[0], .events = POLLIN } };
	int open_fds = 2;
	char buf[8192];
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
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
	int ws, e = 0;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	ssize_t got = read(pexec[0], &e, sizeof(e));
	close(pexec[0]);
	if (o->out && o->out_size && out_len == 0)
		o->out[0] = '\0';
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
