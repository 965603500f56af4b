/* fsutil.c: file helpers (see fsutil.h). */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char save = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = save;
			if (!save)
				break;
		}
	}
	return 0;
}

int write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int r = 0;
	if (snprintf(tmp, sizeof(tmp), "%s.xhnew", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, text, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		text += w;
		len -= (size_t)w;
	}
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (!f)
		return -errno;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			size_t nc = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, nc);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap = nc;
		}
		size_t k = fread(buf + len, 1, 4096, f);
		len += k;
		if (k < 4096)
			break;
	}
	int e = ferror(f) ? -EIO : 0;
	fclose(f);
	if (e) {
		free(buf);
		return e;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int read_file_tail(const char *path, unsigned lines, char **out)
{
	char *text = NULL;
	int r = read_file(path, &text);
	if (r < 0)
		return r;
	size_t l = strlen(text);
	while (l && text[l - 1] == '\n')
		l--;
	size_t i = l;
	for (unsigned k = 0; i > 0 && k < lines; k += text[--i] == '\n')
		;
	if (i > 0 || (l && text[0] == '\n'))
		i++;   /* past the newline that ends the line before the tail */
	memmove(text, text + i, l - i);
	text[l - i] = '\0';
	*out = text;
	return 0;
}

int copy_file(const char *from, const char *to, mode_t mode)
{
	char *text = NULL;
	int r = read_file(from, &text);
	if (r < 0 || !text)
		return r < 0 ? r : -EIO;
	r = write_file(to, text, strlen(text), mode);
	free(text);
	return r;
}

int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	return mkdir_p(buf, 0755);
}
