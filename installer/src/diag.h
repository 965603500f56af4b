/* diag.h: a list of diagnostics (errors and warnings) with file, line and column.
 *
 * Every problem found in an answer file, a kernel command line or a plan is recorded
 * here rather than printed, so that a caller can print them all (--check), show them
 * in the UI, or assert on them in a test. */
#ifndef XH_DIAG_H
#define XH_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

/* A position in a source file; line 0 means "no position" (for example a value that
 * came from the UI or from the command line). Columns count characters from 1. */
struct src_pos {
	unsigned line;
	unsigned col;
};

struct diag {
	enum diag_severity sev;
	struct src_pos pos;
	char *msg;
};

struct diag_list {
	const char *file;  /* name shown in messages; not owned */
	struct diag *v;
	size_t n, cap;
	size_t n_errors;
	size_t dropped;    /* diagnostics beyond DIAG_MAX, counted but not kept */
	bool oom;          /* an allocation failed: some diagnostics were lost */
};

#define DIAG_MAX 200 /* further diagnostics are counted but not kept */

void diag_init(struct diag_list *d, const char *file);
void diag_free(struct diag_list *d);
/* Record a diagnostic. Returns 0, or -ENOMEM (then d->oom is set). */
int diag_add(struct diag_list *d, enum diag_severity sev, struct src_pos pos,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int diag_error(struct diag_list *d, struct src_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int diag_warn(struct diag_list *d, struct src_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print every diagnostic as "file:line:col: error: message", one a line. */
void diag_print(const struct diag_list *d, FILE *out);
/* The first diagnostic whose message contains needle, or NULL (for tests). */
const struct diag *diag_find(const struct diag_list *d, const char *needle);

#endif
