/* diag.c: collecting and printing diagnostics. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diag_list *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
}

void diag_free(struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

__attribute__((format(printf, 4, 0)))
static int diag_vadd(struct diag_list *d, enum diag_severity sev, struct src_pos pos,
		     const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (sev == DIAG_ERROR)
		d->n_errors++;
	if (d->n >= DIAG_MAX) {
		d->dropped++;
		return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->oom = true;
			return -ENOMEM;
		}
		d->v = v;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		d->oom = true;
		return -ENOMEM;
	}
	d->v[d->n++] = (struct diag){ .sev = sev, .pos = pos, .msg = msg };
	return 0;
}

int diag_add(struct diag_list *d, enum diag_severity sev, struct src_pos pos,
	     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = diag_vadd(d, sev, pos, fmt, ap);
	va_end(ap);
	return r;
}

int diag_error(struct diag_list *d, struct src_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = diag_vadd(d, DIAG_ERROR, pos, fmt, ap);
	va_end(ap);
	return r;
}

int diag_warn(struct diag_list *d, struct src_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = diag_vadd(d, DIAG_WARNING, pos, fmt, ap);
	va_end(ap);
	return r;
}

void diag_print(const struct diag_list *d, FILE *out)
{
	const char *file = d->file ? d->file : "<input>";

	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		const char *sev = g->sev == DIAG_ERROR ? "error" : "warning";
		if (g->pos.line)
			fprintf(out, "%s:%u:%u: %s: %s\n", file, g->pos.line, g->pos.col, sev, g->msg);
		else
			fprintf(out, "%s: %s: %s\n", file, sev, g->msg);
	}
	if (d->dropped)
		fprintf(out, "%s: (%zu more problems were found but not shown)\n", file, d->dropped);
	if (d->oom)
		fprintf(out, "%s: (out of memory: some problems could not be shown)\n", file);
}

const struct diag *diag_find(const struct diag_list *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle))
			return &d->v[i];
	return NULL;
}
