/* xmldoc.h: loading an XML document safely with libxml2, keeping the line AND
 * column of every element and attribute.
 *
 * libxml2 records only a line per node, so the loader hooks the SAX2 start-element
 * callback and remembers, for every element, the byte offsets of its start tag;
 * positions are computed from those offsets on demand.
 *
 * Safety: no network (XML_PARSE_NONET), no entity substitution (no XML_PARSE_NOENT),
 * no DTD loading or validation, no XInclude; a document with a DOCTYPE is refused
 * (so there are no entity declarations at all); the input must be UTF-8 and at most
 * XML_MAX_BYTES long; elements nest at most XML_MAX_DEPTH deep and number at most
 * XML_MAX_ELEMENTS. */
#ifndef XH_XMLDOC_H
#define XH_XMLDOC_H

#include <libxml/tree.h>
#include <stddef.h>

#include "diag.h"

#define XML_MAX_BYTES ((size_t)1024 * 1024)
#define XML_MAX_DEPTH 16
#define XML_MAX_ELEMENTS 10000

struct xml_elem_pos {
	size_t tag_off;   /* offset of '<' */
	size_t tag_end;   /* offset just after '>' */
};

struct xml_doc {
	xmlDoc *doc;
	char *buf;                 /* the text that was parsed (owned) */
	size_t len;
	size_t *line_starts;       /* offset of the first byte of each line */
	size_t n_lines;
	struct xml_elem_pos *pos;  /* indexed by (uintptr_t)node->_private - 1 */
	size_t n_pos, cap_pos;
	struct diag_list *diags;   /* while parsing */
	int stop_error;            /* a SAX hook refused the document */
};

/* Read a file (at most XML_MAX_BYTES) into memory. Problems go to d. */
int xml_read_file(const char *path, char **buf, size_t *len, struct diag_list *d);
/* Parse buf[len] (copied). 0 when the document is well-formed and was accepted,
 * -EINVAL when not (the reasons are in d), -ENOMEM. On success x->doc is set;
 * xml_doc_free() must be called in every case. */
int xml_doc_parse(struct xml_doc *x, const char *buf, size_t len, struct diag_list *d);
void xml_doc_free(struct xml_doc *x);

struct src_pos xml_pos_offset(const struct xml_doc *x, size_t off);
struct src_pos xml_pos_node(const struct xml_doc *x, const xmlNode *n);
/* The position of attribute name on element n (the element's when not found). */
struct src_pos xml_pos_attr(const struct xml_doc *x, const xmlNode *n, const char *name);
/* The position of the first non-blank character of n's text content. */
struct src_pos xml_pos_text(const struct xml_doc *x, const xmlNode *n);

/* The position of the first non-blank character of text node t (searched for after
 * its previous element sibling, or after its parent's start tag). */
struct src_pos xml_pos_text_node(const struct xml_doc *x, const xmlNode *t);

#endif
