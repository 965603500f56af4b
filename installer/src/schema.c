/* schema.c: RELAX NG validation with libxml2, errors mapped to line and column. */
#include "schema.h"

#include <errno.h>
#include <stdint.h>
#include <libxml/relaxng.h>
#include <stdio.h>
#include <string.h>

extern const char xh_schema_start[];
extern const uint64_t xh_schema_size;

const char *schema_text(size_t *len)
{
	*len = (size_t)xh_schema_size;
	return xh_schema_start;
}

struct schema_err {
	const struct xml_doc *x;
	struct diag_list *d;
	int internal;   /* errors while compiling the schema */
};

static void trim(char *s)
{
	size_t l = strlen(s);
	while (l && (s[l - 1] == '\n' || s[l - 1] == ' '))
		s[--l] = '\0';
}

static void on_parse_error(void *ud, xmlErrorPtr err)
{
	struct schema_err *e = ud;
	char msg[400];
	snprintf(msg, sizeof(msg), "%s", err && err->message ? err->message : "?");
	trim(msg);
	e->internal++;
	diag_error(e->d, (struct src_pos){ 0, 0 }, "the built-in answer file schema does not compile (%s): "
		   "this is a bug in the installer build, report it", msg);
}

static void on_valid_error(void *ud, xmlErrorPtr err)
{
	struct schema_err *e = ud;
	char msg[400];
	struct src_pos p = { 0, 0 };

	if (!err)
		return;
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "?");
	trim(msg);
	if (err->node)
		p = xml_pos_node(e->x, (const xmlNode *)err->node);
	else if (err->line > 0)
		p.line = (unsigned)err->line;
	diag_error(e->d, p, "does not match the answer file schema (answerfile.rng): %s; compare with the "
		   "examples in /usr/share/xenhost/answerfiles", msg);
}

int schema_validate(const struct xml_doc *x, struct diag_list *d)
{
	struct schema_err e = { .x = x, .d = d };
	size_t len;
	const char *text = schema_text(&len);
	xmlRelaxNGValidCtxtPtr v = NULL;
	xmlRelaxNGPtr schema = NULL;
	int r;

	xmlRelaxNGParserCtxtPtr p = xmlRelaxNGNewMemParserCtxt(text, (int)len);
	if (!p)
		return -ENOMEM;
	xmlRelaxNGSetParserStructuredErrors(p, on_parse_error, &e);
	schema = xmlRelaxNGParse(p);
	xmlRelaxNGFreeParserCtxt(p);
	if (!schema) {
		if (!e.internal)
			on_parse_error(&e, NULL);
		return -EIO;
	}
	v = xmlRelaxNGNewValidCtxt(schema);
	if (!v) {
		xmlRelaxNGFree(schema);
		return -ENOMEM;
	}
	xmlRelaxNGSetValidStructuredErrors(v, on_valid_error, &e);
	r = xmlRelaxNGValidateDoc(v, x->doc);
	xmlRelaxNGFreeValidCtxt(v);
	xmlRelaxNGFree(schema);
	if (r == 0)
		return 0;
	if (r > 0) {
		if (d->n_errors == 0)
			diag_error(d, (struct src_pos){ 0, 0 }, "does not match the answer file schema (answerfile.rng)");
		return -EINVAL;
	}
	return -EIO;
}
