/* fsutil.h: small file helpers shared by the executor, the fetcher and the log.
 * Each returns 0 or a negative errno; none prints anything (the caller says what failed). */
#ifndef XH_FSUTIL_H
#define XH_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Make path and its missing parents (like mkdir -p). */
int mkdir_p(const char *path, mode_t mode);
/* Make the missing parent directories of the file path (mode 0755). */
int mkdir_parents(const char *path);
/* Write len bytes to path atomically (a temporary file renamed over it), with mode. */
int write_file(const char *path, const char *text, size_t len, mode_t mode);
/* Read a whole file into *out (malloc'ed, NUL-terminated). */
int read_file(const char *path, char **out);
/* The last lines (at most) of a text file: *out (malloc'ed) points at them, without the
 * trailing newlines; "" for an empty file. */
int read_file_tail(const char *path, unsigned lines, char **out);
/* Copy a text file (atomically, with mode). */
int copy_file(const char *from, const char *to, mode_t mode);

#endif
