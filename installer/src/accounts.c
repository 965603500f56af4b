/* accounts.c: merging the operator's local accounts into a new root's account files
 * (see accounts.h). Plain text in, text out: the caller reads and writes the files. */
#include "accounts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int names_has(const struct names *s, const char *name, size_t len)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strlen(s->v[i]) == len && !memcmp(s->v[i], name, len))
			return 1;
	return 0;
}

static int names_add(struct names *s, const char *name, size_t len)
{
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	if (!(v[s->n] = strndup(name, len)))
		return -ENOMEM;
	s->n++;
	return 0;
}

/* The line starting at p: its length without the newline. */
static size_t line_len(const char *p)
{
	return strcspn(p, "\n");
}

static const char *next_line(const char *p)
{
	p += line_len(p);
	return *p ? p + 1 : NULL;
}

/* Field idx of a line (start and length), or false when the line has fewer fields. */
static bool field(const char *line, size_t len, int idx, const char **start, size_t *flen)
{
	const char *p = line, *end = line + len;
	for (int i = 0; i < idx; i++) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c)
			return false;
		p = c + 1;
	}
	const char *c = memchr(p, ':', (size_t)(end - p));
	*start = p;
	*flen = (size_t)((c ? c : end) - p);
	return true;
}

/* The line of text whose first field is name, or NULL. */
static const char *find_line(const char *text, const char *name, size_t nlen, size_t *len)
{
	for (const char *l = text; l && *l; l = next_line(l)) {
		size_t ll = line_len(l);
		if (ll > nlen && l[nlen] == ':' && !memcmp(l, name, nlen)) {
			*len = ll;
			return l;
		}
	}
	return NULL;
}

int accounts_local(const char *text, struct names *out)
{
	for (const char *l = text; l && *l; l = next_line(l)) {
		size_t ll = line_len(l), nl, il;
		const char *n, *id;
		if (!field(l, ll, 0, &n, &nl) || !nl || !field(l, ll, 2, &id, &il) || !il || il > 9)
			continue;
		char buf[10];
		memcpy(buf, id, il);
		buf[il] = '\0';
		char *e;
		unsigned long v = strtoul(buf, &e, 10);
		if (*e || v < ACCT_LOCAL_MIN || v > ACCT_LOCAL_MAX)
			continue;
		int r = names_add(out, n, nl);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Is m (length ml) in the comma list [p, p + len)? */
static bool in_list(const char *p, size_t len, const char *m, size_t ml)
{
	const char *end = p + len;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t il = (size_t)((c ? c : end) - p);
		if (il == ml && !memcmp(p, m, ml))
			return true;
		p = c ? c + 1 : end;
	}
	return false;
}

/* Write a line of new, with old's members that are local users added to its member field. */
static void merged_line(FILE *f, const char *l, size_t ll, const char *old, const struct names *users,
			int member_field)
{
	const char *n, *om, *nm;
	size_t nl, oml, nml, oll;
	const char *ol;
	if (member_field < 0 || !field(l, ll, 0, &n, &nl) || !(ol = find_line(old, n, nl, &oll)) ||
	    !field(ol, oll, member_field, &om, &oml) || !field(l, ll, member_field, &nm, &nml)) {
		fprintf(f, "%.*s\n", (int)ll, l);
		return;
	}
	size_t head = (size_t)(nm + nml - l);
	fprintf(f, "%.*s", (int)head, l);
	bool any = nml > 0;
	const char *p = om, *end = om + oml;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t il = (size_t)((c ? c : end) - p);
		if (il && names_has(users, p, il) && !in_list(nm, nml, p, il)) {
			fprintf(f, "%s%.*s", any ? "," : "", (int)il, p);
			any = true;
		}
		p = c ? c + 1 : end;
	}
	fprintf(f, "%.*s\n", (int)(ll - head), l + head);
}

int accounts_merge(const char *old, const char *new_, const struct names *add, const struct names *users,
		   int member_field, struct names *clash, char **out)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int r = 0;
	if (!f)
		return -ENOMEM;
	for (const char *l = new_; l && *l; l = next_line(l))
		merged_line(f, l, line_len(l), old, users, member_field);
	for (const char *l = old; l && *l; l = next_line(l)) {
		size_t ll = line_len(l), nl, dummy;
		const char *n;
		if (!field(l, ll, 0, &n, &nl) || !names_has(add, n, nl))
			continue;
		if (find_line(new_, n, nl, &dummy)) {
			if (clash && !names_has(clash, n, nl) && (r = names_add(clash, n, nl)) < 0)
				break;
			continue;
		}
		fprintf(f, "%.*s\n", (int)ll, l);
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	return 0;
}
