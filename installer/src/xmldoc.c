/* xmldoc.c: safe libxml2 loading with element positions (see xmldoc.h). */
#include "xmldoc.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int xml_read_file(const char *path, char **bufp, size_t *lenp, struct diag_list *d)
{
	struct src_pos none = { 0, 0 };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int r = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		r = -errno;
		diag_error(d, none, "cannot open the answer file: %s; check the path and its permissions",
			   strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		diag_error(d, none, "the answer file is not a regular file; give the path of an XML file");
		goto out;
	}
	buf = malloc(XML_MAX_BYTES + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, XML_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			diag_error(d, none, "cannot read the answer file: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > XML_MAX_BYTES) {
			r = -EFBIG;
			diag_error(d, none, "the answer file is larger than %d bytes; an answer file is a few "
				   "kilobytes: check that this is the right file", (int)XML_MAX_BYTES);
			goto out;
		}
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

/* The offset of the first byte that is not valid UTF-8 (or a NUL), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
		else return i;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

static int index_lines(struct xml_doc *x)
{
	size_t n = 1;
	for (size_t i = 0; i < x->len; i++)
		if (x->buf[i] == '\n')
			n++;
	x->line_starts = malloc(n * sizeof(size_t));
	if (!x->line_starts)
		return -ENOMEM;
	x->n_lines = 0;
	x->line_starts[x->n_lines++] = 0;
	for (size_t i = 0; i < x->len; i++)
		if (x->buf[i] == '\n')
			x->line_starts[x->n_lines++] = i + 1;
	return 0;
}

struct src_pos xml_pos_offset(const struct xml_doc *x, size_t off)
{
	size_t lo = 0, hi = x->n_lines;
	unsigned col = 1;

	if (!x->n_lines)
		return (struct src_pos){ 0, 0 };
	if (off > x->len)
		off = x->len;
	while (hi - lo > 1) {   /* the last line start <= off */
		size_t mid = lo + (hi - lo) / 2;
		if (x->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = x->line_starts[lo]; i < off; i++)
		if (((unsigned char)x->buf[i] & 0xc0) != 0x80)
			col++;
	return (struct src_pos){ (unsigned)(lo + 1), col };
}

static const struct xml_elem_pos *elem_pos(const struct xml_doc *x, const xmlNode *n)
{
	uintptr_t i = (uintptr_t)n->_private;
	if (n->type != XML_ELEMENT_NODE || i == 0 || i > x->n_pos)
		return NULL;
	return &x->pos[i - 1];
}

struct src_pos xml_pos_node(const struct xml_doc *x, const xmlNode *n)
{
	const struct xml_elem_pos *p = elem_pos(x, n);
	if (!p)
		return (struct src_pos){ n ? (unsigned)xmlGetLineNo(n) : 0, 0 };
	return xml_pos_offset(x, p->tag_off);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct src_pos xml_pos_attr(const struct xml_doc *x, const xmlNode *n, const char *name)
{
	const struct xml_elem_pos *p = elem_pos(x, n);
	size_t nl = strlen(name);

	if (!p)
		return xml_pos_node(x, n);
	const char *s = x->buf + p->tag_off + 1, *end = x->buf + p->tag_end;
	while (s < end && !is_blank(*s) && *s != '>' && *s != '/')
		s++;   /* the element's name */
	for (;;) {
		while (s < end && is_blank(*s))
			s++;
		if (s >= end || *s == '>' || *s == '/')
			break;
		const char *ns = s;
		while (s < end && !is_blank(*s) && *s != '=')
			s++;
		if ((size_t)(s - ns) == nl && memcmp(ns, name, nl) == 0)
			return xml_pos_offset(x, (size_t)(ns - x->buf));
		while (s < end && *s != '"' && *s != '\'')
			s++;
		if (s >= end)
			break;
		char q = *s++;
		while (s < end && *s != q)
			s++;
		s++;
	}
	return xml_pos_node(x, n);
}

struct src_pos xml_pos_text(const struct xml_doc *x, const xmlNode *n)
{
	const struct xml_elem_pos *p = elem_pos(x, n);
	if (!p)
		return xml_pos_node(x, n);
	size_t off = p->tag_end;
	if (off >= 2 && x->buf[off - 2] == '/')
		return xml_pos_offset(x, p->tag_off);   /* <empty/> */
	while (off < x->len && is_blank(x->buf[off]))
		off++;
	return xml_pos_offset(x, off);
}

struct src_pos xml_pos_text_node(const struct xml_doc *x, const xmlNode *t)
{
	const xmlNode *prev = t->prev;
	const struct xml_elem_pos *from = NULL;
	const char *s = (const char *)t->content;
	size_t off;

	while (prev && prev->type != XML_ELEMENT_NODE)
		prev = prev->prev;
	if (prev)
		from = elem_pos(x, prev);
	else if (t->parent)
		from = elem_pos(x, t->parent);
	if (!from || !s)
		return t->parent ? xml_pos_node(x, t->parent) : (struct src_pos){ 0, 0 };
	off = from->tag_end;   /* after the sibling's start tag, or the parent's */
	while (*s && is_blank(*s))
		s++;
	size_t n = strcspn(s, " \t\r\n<&");
	if (n == 0 || n > 32)
		n = n > 32 ? 32 : n;
	const char *hit = n ? memmem(x->buf + off, x->len - off, s, n) : NULL;
	return hit ? xml_pos_offset(x, (size_t)(hit - x->buf)) : xml_pos_node(x, t->parent);
}

static void refuse(xmlParserCtxtPtr ctxt, struct xml_doc *x, const char *msg)
{
	size_t off = (size_t)ctxt->input->consumed + (size_t)(ctxt->input->cur - ctxt->input->base);
	diag_error(x->diags, xml_pos_offset(x, off), "%s", msg);
	x->stop_error = 1;
	xmlStopParser(ctxt);
}

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		      const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attrs,
		      int nb_defaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_doc *x = ctxt->_private;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_ns, ns, nb_attrs, nb_defaulted, attrs);
	xmlNodePtr node = ctxt->node;
	if (!node || node->type != XML_ELEMENT_NODE)
		return;

	unsigned depth = 0;
	for (xmlNodePtr p = node; p && p->type == XML_ELEMENT_NODE; p = p->parent)
		depth++;
	if (depth > XML_MAX_DEPTH) {
		refuse(ctxt, x, "elements are nested too deeply (an answer file needs at most 3 levels); "
		       "check that this is an answer file");
		return;
	}
	if (x->n_pos >= XML_MAX_ELEMENTS) {
		refuse(ctxt, x, "too many elements (more than 10000); check that this is an answer file");
		return;
	}
	if (x->n_pos == x->cap_pos) {
		size_t cap = x->cap_pos ? 2 * x->cap_pos : 64;
		struct xml_elem_pos *v = realloc(x->pos, cap * sizeof(*v));
		if (!v) {
			x->diags->oom = true;
			x->stop_error = 1;
			xmlStopParser(ctxt);
			return;
		}
		x->pos = v;
		x->cap_pos = cap;
	}
	/* The parser has read the whole start tag: cur is at its '>' or '/>'. A '<' cannot
	 * occur inside a start tag (not even in an attribute value), so the nearest '<'
	 * before cur is where the tag begins. */
	size_t cur = (size_t)ctxt->input->consumed + (size_t)(ctxt->input->cur - ctxt->input->base);
	struct xml_elem_pos ep = { 0, 0 };
	if (cur <= x->len) {
		size_t lt = cur;
		while (lt > 0 && x->buf[lt] != '<')
			lt--;
		size_t gt = cur;
		while (gt < x->len && x->buf[gt] != '>')
			gt++;
		ep.tag_off = lt;
		ep.tag_end = gt < x->len ? gt + 1 : x->len;
	}
	x->pos[x->n_pos++] = ep;
	node->_private = (void *)(uintptr_t)x->n_pos;
}

static void sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	(void)name, (void)eid, (void)sid;
	xmlParserCtxtPtr ctxt = ctx;
	refuse(ctxt, ctxt->_private, "a DOCTYPE declaration is not allowed in an answer file "
	       "(no DTDs or entities): remove the <!DOCTYPE ...> line");
}

static void sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)data;
	xmlParserCtxtPtr ctxt = ctx;
	char msg[160];
	snprintf(msg, sizeof(msg), "a processing instruction (<?%.40s ...?>) has no meaning in an answer file: remove it",
		 target ? (const char *)target : "");
	refuse(ctxt, ctxt->_private, msg);
}

static void sax_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_doc *x = ctxt->_private;
	char msg[512];

	if (!err || !err->message || x->stop_error)
		return;
	snprintf(msg, sizeof(msg), "%s", err->message);
	size_t l = strlen(msg);
	while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
		msg[--l] = '\0';
	struct src_pos pos = { (unsigned)(err->line > 0 ? err->line : 0), (unsigned)(err->int2 > 0 ? err->int2 : 0) };
	if (err->level == XML_ERR_WARNING)
		diag_warn(x->diags, pos, "XML: %s", msg);
	else
		diag_error(x->diags, pos, "XML syntax: %s; the file must be well-formed XML: fix it there", msg);
}

int xml_doc_parse(struct xml_doc *x, const char *in, size_t len, struct diag_list *d)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_IGNORE_ENC;
	size_t skip = 0;
	int r;

	memset(x, 0, sizeof(*x));
	x->diags = d;
	if (len > XML_MAX_BYTES) {
		diag_error(d, (struct src_pos){ 0, 0 }, "the answer file is larger than %d bytes; check "
			   "that this is the right file", (int)XML_MAX_BYTES);
		return -EFBIG;
	}
	if (len >= 2 && (memcmp(in, "\xff\xfe", 2) == 0 || memcmp(in, "\xfe\xff", 2) == 0)) {
		diag_error(d, (struct src_pos){ 1, 1 }, "the answer file is in UTF-16 (it starts with a UTF-16 byte order "
			   "mark); save it as UTF-8 (plain ASCII is fine)");
		return -EINVAL;
	}
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0)
		skip = 3;   /* a UTF-8 byte order mark */
	x->len = len - skip;
	x->buf = malloc(x->len + 1);
	if (!x->buf)
		return -ENOMEM;
	memcpy(x->buf, in + skip, x->len);
	x->buf[x->len] = '\0';
	r = index_lines(x);
	if (r < 0)
		return r;

	size_t bad = utf8_invalid_at((const unsigned char *)x->buf, x->len);
	if (bad < x->len) {
		diag_error(d, xml_pos_offset(x, bad), "byte 0x%02x is not valid UTF-8 (or is a NUL); "
			   "save the answer file as UTF-8 (plain ASCII is fine)", (unsigned char)x->buf[bad]);
		return -EINVAL;
	}
	if (x->len > INT32_MAX)
		return -EFBIG;
	if (x->len == 0) {
		diag_error(d, (struct src_pos){ 0, 0 }, "the answer file is empty; it must start with <installation> or <restore>");
		return -EINVAL;
	}

	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(x->buf, (int)x->len);
	if (!ctxt)
		return -ENOMEM;
	ctxt->_private = x;
	ctxt->sax->startElementNs = sax_start;
	ctxt->sax->internalSubset = sax_internal_subset;
	ctxt->sax->externalSubset = NULL;
	ctxt->sax->processingInstruction = sax_pi;
	ctxt->sax->serror = sax_error;
	xmlCtxtUseOptions(ctxt, opts);
	xmlParseDocument(ctxt);
	x->doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	bool ok = ctxt->wellFormed && !x->stop_error && x->doc;
	if (!ok && d->n_errors == 0)
		diag_error(d, (struct src_pos){ 0, 0 }, "the answer file is not well-formed XML; check it with xmllint");
	xmlFreeParserCtxt(ctxt);
	if (d->oom)
		return -ENOMEM;
	if (!ok)
		return -EINVAL;
	if (!xmlDocGetRootElement(x->doc)) {
		diag_error(d, (struct src_pos){ 0, 0 }, "the answer file has no root element; start it with <installation>");
		return -EINVAL;
	}
	return 0;
}

void xml_doc_free(struct xml_doc *x)
{
	if (x->doc)
		xmlFreeDoc(x->doc);
	free(x->buf);
	free(x->line_starts);
	free(x->pos);
	memset(x, 0, sizeof(*x));
}
