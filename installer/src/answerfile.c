/* answerfile.c: reading and checking the answer file (see answerfile.h). */
#include "answerfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"
#include "validate.h"
#include "xmldoc.h"

struct af {
	const struct xml_doc *x;
	struct diag_list *d;
	struct install_config *c;
	/* where singletons were seen, for cross-checks and messages */
	const xmlNode *ntp, *root_password, *admin, *primary, *existing, *partition_sizes;
	const xmlNode *first_ntp_server;
	struct src_pos service_pos[CFG_MAX_SERVICES];
};

enum {
	M_FRESH = 1u << MODE_FRESH,
	M_REINSTALL = 1u << MODE_REINSTALL,
	M_UPGRADE = 1u << MODE_UPGRADE,
	M_RESTORE = 1u << MODE_RESTORE,
	M_NEW = M_FRESH | M_REINSTALL,
	M_INSTALL = M_NEW | M_UPGRADE,
	M_ALL = M_INSTALL | M_RESTORE,
};

struct enum_val {
	const char *name;
	int value;
	const char *refuse;   /* non-NULL: a known value that is refused, with the reason */
};

#define POS(n) xml_pos_node(a->x, (n))
#define NAME(n) ((const char *)(n)->name)

/* ---------- small helpers ---------- */

static bool is_blank_str(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static const char *attr_get(const xmlNode *n, const char *name)
{
	for (const xmlAttr *at = n->properties; at; at = at->next) {
		if (at->ns || strcmp((const char *)at->name, name) != 0)
			continue;
		if (at->children && at->children->type == XML_TEXT_NODE && at->children->content)
			return (const char *)at->children->content;
		return "";
	}
	return NULL;
}

static void join(char *buf, size_t n, const char *const *names)
{
	buf[0] = '\0';
	for (size_t i = 0; names[i]; i++) {
		if (i)
			strncat(buf, ", ", n - strlen(buf) - 1);
		strncat(buf, names[i], n - strlen(buf) - 1);
	}
}

static void join_enum(char *buf, size_t n, const struct enum_val *v)
{
	buf[0] = '\0';
	for (size_t i = 0; v[i].name; i++) {
		if (v[i].refuse)
			continue;
		if (buf[0])
			strncat(buf, ", ", n - strlen(buf) - 1);
		strncat(buf, "\"", n - strlen(buf) - 1);
		strncat(buf, v[i].name, n - strlen(buf) - 1);
		strncat(buf, "\"", n - strlen(buf) - 1);
	}
}

/* Unknown or namespaced attributes are errors. allowed is NULL-terminated. */
static int check_attrs(struct af *a, const xmlNode *n, const char *const *allowed)
{
	int r = 0;
	for (const xmlAttr *at = n->properties; at; at = at->next) {
		const char *an = (const char *)at->name;
		struct src_pos p = xml_pos_attr(a->x, n, an);
		bool ok = false;
		if (at->ns) {
			diag_error(a->d, p, "attribute %s:%s on <%s>: answer files use no XML namespaces; remove the prefix",
				   at->ns->prefix ? (const char *)at->ns->prefix : "", an, NAME(n));
			r = -EINVAL;
			continue;
		}
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(an, allowed[i]) == 0)
				ok = true;
		if (ok)
			continue;
		r = -EINVAL;
		if (!allowed[0]) {
			diag_error(a->d, p, "unknown attribute %s on <%s>: <%s> takes no attributes; remove it",
				   an, NAME(n), NAME(n));
		} else {
			char list[256];
			join(list, sizeof(list), allowed);
			diag_error(a->d, p, "unknown attribute %s on <%s>: check the spelling or remove it (<%s> takes: %s)",
				   an, NAME(n), NAME(n), list);
		}
	}
	return r;
}

/* The text of n, trimmed, into out[sz]. Elements inside n are errors. */
static int get_text(struct af *a, const xmlNode *n, char *out, size_t sz, bool required)
{
	int r = 0;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			diag_error(a->d, POS(c), "<%s> is not allowed inside <%s>, which holds only text; remove it",
				   NAME(c), NAME(n));
			r = -EINVAL;
		} else if (c->type == XML_ENTITY_REF_NODE) {
			diag_error(a->d, POS(n), "entity references are not allowed in answer files; write the text itself");
			r = -EINVAL;
		}
	}
	if (r < 0)
		return r;
	xmlChar *t = xmlNodeGetContent(n);
	if (!t)
		return -ENOMEM;
	const char *s = (const char *)t;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' || s[l - 1] == '\r'))
		l--;
	if (l >= sz) {
		diag_error(a->d, xml_pos_text(a->x, n), "the text of <%s> is too long (%zu bytes; at most %zu); shorten it",
			   NAME(n), l, sz - 1);
		r = -EINVAL;
	} else if (l == 0 && required) {
		diag_error(a->d, POS(n), "<%s> is empty; write its value between <%s> and </%s>, or remove it",
			   NAME(n), NAME(n), NAME(n));
		r = -EINVAL;
	} else {
		memcpy(out, s, l);
		out[l] = '\0';
	}
	xmlFree(t);
	return r;
}

static int lookup_enum(struct af *a, struct src_pos p, const char *what, const char *val,
		       const struct enum_val *vals, int *out)
{
	char list[256];
	for (size_t i = 0; vals[i].name; i++) {
		if (strcmp(val, vals[i].name) != 0)
			continue;
		if (vals[i].refuse) {
			diag_error(a->d, p, "%s \"%s\" is not supported: %s", what, val, vals[i].refuse);
			return -EINVAL;
		}
		*out = vals[i].value;
		return 0;
	}
	join_enum(list, sizeof(list), vals);
	diag_error(a->d, p, "%s \"%s\" is not valid: use one of %s", what, val, list);
	return -EINVAL;
}

static int get_enum_attr(struct af *a, const xmlNode *n, const char *attr, const struct enum_val *vals,
			 bool required, int *out)
{
	char what[128];
	const char *v = attr_get(n, attr);
	if (!v) {
		if (required) {
			char list[256];
			join_enum(list, sizeof(list), vals);
			diag_error(a->d, POS(n), "<%s> needs the attribute %s (one of %s); add it", NAME(n), attr, list);
			return -EINVAL;
		}
		return 0;   /* *out keeps the default */
	}
	snprintf(what, sizeof(what), "%s= on <%s>", attr, NAME(n));
	return lookup_enum(a, xml_pos_attr(a->x, n, attr), what, v, vals, out);
}

static int get_enum_text(struct af *a, const xmlNode *n, const struct enum_val *vals, int *out)
{
	char v[64], what[128];
	int r = get_text(a, n, v, sizeof(v), true);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "the value of <%s>", NAME(n));
	return lookup_enum(a, xml_pos_text(a->x, n), what, v, vals, out);
}

static int parse_bool_value(struct af *a, const xmlNode *n, const char *attr, const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "no")) {
		*out = false;
		return 0;
	}
	diag_error(a->d, xml_pos_attr(a->x, n, attr), "%s=\"%s\" on <%s> is not a boolean: write true or false "
		   "(yes and no are accepted too)", attr, v, NAME(n));
	return -EINVAL;
}

static int get_bool_attr(struct af *a, const xmlNode *n, const char *attr, bool *out)
{
	const char *v = attr_get(n, attr);
	return v ? parse_bool_value(a, n, attr, v, out) : 0;
}

/* Either of two spellings (XCP-ng accepts both), not both. */
static const char *attr_either(struct af *a, const xmlNode *n, const char *name, const char *alt,
			       const char **used)
{
	const char *v = attr_get(n, name), *w = attr_get(n, alt);
	if (v && w) {
		diag_error(a->d, xml_pos_attr(a->x, n, alt), "<%s> has both %s= and %s=, which mean the same; keep one",
			   NAME(n), name, alt);
		return NULL;
	}
	*used = v ? name : alt;
	return v ? v : w;
}

static int get_size_attr(struct af *a, const xmlNode *n, const char *attr, uint64_t min, uint64_t *out)
{
	char b1[32];
	const char *v = attr_get(n, attr);
	uint64_t s;
	if (!v)
		return 0;
	struct src_pos p = xml_pos_attr(a->x, n, attr);
	int r = parse_size(v, &s);
	if (r < 0) {
		diag_error(a->d, p, "%s=\"%s\" on <%s> is not a size: write a number and a unit, like 20GiB, 512MiB or 500GB",
			   attr, v, NAME(n));
		return -EINVAL;
	}
	if (s < min) {
		diag_error(a->d, p, "%s=\"%s\" on <%s> is too small: the minimum is %s", attr, v, NAME(n),
			   fmt_size(min, b1, sizeof(b1)));
		return -EINVAL;
	}
	*out = s;
	return 0;
}

/* A small edit distance, for "did you mean". */
static unsigned edit_distance(const char *s, const char *t)
{
	size_t ls = strlen(s), lt = strlen(t);
	unsigned row[64];
	if (lt >= 63 || ls >= 63)
		return 99;
	for (size_t j = 0; j <= lt; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= ls; i++) {
		unsigned prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lt; j++) {
			unsigned cur = row[j];
			unsigned best = prev + (s[i - 1] != t[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lt];
}

/* ---------- disks ---------- */

static const struct enum_val bus_vals[] = {
	{ "ata", 0, NULL }, { "sata", 0, NULL }, { "sas", 0, NULL }, { "scsi", 0, NULL },
	{ "nvme", 0, NULL }, { "virtio", 0, NULL }, { "xen", 0, NULL }, { "usb", 0, NULL },
	{ "mmc", 0, NULL }, { NULL, 0, NULL },
};

static int parse_match(struct af *a, const xmlNode *m, struct disk_selector *sel)
{
	static const char *const attrs[] = { "model", "serial", "wwn", "bus", "min-size", "max-size",
					     "rotational", NULL };
	struct disk_filter *f = &sel->filter;
	int r = check_attrs(a, m, attrs);
	const char *v;
	int dummy = 0;

	sel->kind = DISK_SEL_FILTER;
	sel->pos = POS(m);
	memset(f, 0, sizeof(*f));
	f->rotational = -1;
	if (!m->properties) {
		diag_error(a->d, POS(m), "<match> selects nothing: give at least one of model=, serial=, wwn=, bus=, "
			   "min-size=, max-size=, rotational=");
		return -EINVAL;
	}
	for (const xmlNode *c = m->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE || (c->type == XML_TEXT_NODE && !is_blank_str((const char *)c->content))) {
			diag_error(a->d, POS(m), "<match> takes only attributes; remove what is inside it");
			r = -EINVAL;
			break;
		}
	struct { const char *attr; char *dst; } pats[] = {
		{ "model", f->model }, { "serial", f->serial }, { "wwn", f->wwn },
	};
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		if ((v = attr_get(m, pats[i].attr)) && copy_str(pats[i].dst, CFG_NAME_MAX, v) < 0) {
			diag_error(a->d, xml_pos_attr(a->x, m, pats[i].attr), "%s= on <match> is too long (at most %d "
				   "characters)", pats[i].attr, CFG_NAME_MAX - 1);
			r = -EINVAL;
		}
	}
	if ((v = attr_get(m, "bus"))) {
		if (get_enum_attr(a, m, "bus", bus_vals, false, &dummy) < 0)
			r = -EINVAL;
		else
			copy_str(f->bus, sizeof(f->bus), strcmp(v, "ata") == 0 ? "sata" : v);
	}
	if (get_size_attr(a, m, "min-size", 1, &f->min_size) < 0 || get_size_attr(a, m, "max-size", 1, &f->max_size) < 0)
		r = -EINVAL;
	if (f->min_size && f->max_size && f->min_size > f->max_size) {
		diag_error(a->d, xml_pos_attr(a->x, m, "max-size"), "max-size= is smaller than min-size= on <match>; "
			   "swap them");
		r = -EINVAL;
	}
	if ((v = attr_get(m, "rotational"))) {
		bool b;
		if (parse_bool_value(a, m, "rotational", v, &b) < 0)
			r = -EINVAL;
		else
			f->rotational = b;
	}
	return r;
}

static int normalize_disk(struct af *a, const xmlNode *n, const char *name, struct disk_selector *sel)
{
	struct src_pos p = xml_pos_text(a->x, n);
	const char *rest = name;

	sel->kind = DISK_SEL_PATH;
	sel->pos = POS(n);
	if (!strncmp(name, "iscsi:", 6)) {
		diag_error(a->d, p, "iSCSI disks (\"%s\") are not supported; name a local disk", name);
		return -EINVAL;
	}
	if (!strncmp(rest, "/dev/", 5))
		rest += 5;
	if (!strncmp(rest, "disk/by-id/", 11)) {
		const char *id = rest + 11;
		if (!*id || strchr(id, '/')) {
			diag_error(a->d, p, "\"%s\" is not a /dev/disk/by-id/ name; write /dev/disk/by-id/NAME", name);
			return -EINVAL;
		}
	} else if (strchr(rest, '/')) {
		diag_error(a->d, p, "disk \"%s\": name a disk by its kernel name (sda, nvme0n1), by a "
			   "/dev/disk/by-id/ path, or with a <match> filter", name);
		return -EINVAL;
	} else {
		for (const char *q = rest; *q; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
			      *q == '-' || *q == '_' || *q == '!' || *q == '.' || *q == ':')) {
				diag_error(a->d, p, "disk \"%s\" is not a device name; name a disk by its kernel name "
					   "(sda, nvme0n1) or by a /dev/disk/by-id/ path", name);
				return -EINVAL;
			}
		if (!*rest || !strcmp(rest, ".") || !strcmp(rest, "..")) {
			diag_error(a->d, p, "disk \"%s\" is not a device name", name);
			return -EINVAL;
		}
	}
	if (snprintf(sel->path, sizeof(sel->path), "/dev/%s", rest) >= (int)sizeof(sel->path)) {
		diag_error(a->d, p, "the disk name \"%s\" is too long", name);
		return -EINVAL;
	}
	return 0;
}

/* A disk: a name as text, or one <match> element. */
static int parse_disk(struct af *a, const xmlNode *n, struct disk_selector *sel)
{
	const xmlNode *match = NULL;
	bool text = false;
	char name[CFG_PATH_MAX];
	int r;

	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE && !is_blank_str((const char *)c->content))
			text = true;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp(NAME(c), "match") != 0) {
			diag_error(a->d, POS(c), "<%s> is not allowed inside <%s>: write a disk name, or one <match> "
				   "element", NAME(c), NAME(n));
			return -EINVAL;
		}
		if (match) {
			diag_error(a->d, POS(c), "a second <match> in <%s>: combine the conditions in one <match>",
				   NAME(n));
			return -EINVAL;
		}
		match = c;
	}
	if (match && text) {
		diag_error(a->d, POS(n), "<%s> has both a disk name and a <match> filter; keep one", NAME(n));
		return -EINVAL;
	}
	if (match)
		return parse_match(a, match, sel);
	if (!text) {
		diag_error(a->d, POS(n), "<%s> is empty: name a disk (sda, /dev/disk/by-id/...) or add a "
			   "<match model=\"...\"/> filter", NAME(n));
		return -EINVAL;
	}
	r = get_text(a, n, name, sizeof(name), true);
	return r < 0 ? r : normalize_disk(a, n, name, sel);
}

static int h_primary_disk(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "guest-storage", "gueststorage", "sr-at-end",
					     "preserve-first-partition", NULL };
	static const struct enum_val pfp[] = {
		{ "false", 0, NULL }, { "no", 0, NULL }, { "if-utility", 0, NULL },
		{ "true", 0, "Xenhost does not keep a vendor utility partition; remove preserve-first-partition" },
		{ "yes", 0, "Xenhost does not keep a vendor utility partition; remove preserve-first-partition" },
		{ NULL, 0, NULL },
	};
	const char *used = NULL, *v;
	int r = check_attrs(a, n, attrs), dummy = 0;

	a->primary = n;
	if (attr_get(n, "guest-storage") || attr_get(n, "gueststorage"))
		a->c->given |= GIVEN_STORAGE;
	if (a->c->mode == MODE_UPGRADE) {
		diag_warn(a->d, POS(n), "<primary-disk> is ignored for an upgrade: the disk is the one in "
			  "<existing-installation>");
		return r;
	}
	if ((v = attr_either(a, n, "guest-storage", "gueststorage", &used)) &&
	    parse_bool_value(a, n, used, v, &a->c->guest_storage) < 0)
		r = -EINVAL;
	if (attr_get(n, "guest-storage") && attr_get(n, "gueststorage"))
		r = -EINVAL;
	if (get_bool_attr(a, n, "sr-at-end", &a->c->sr_at_end) < 0)
		r = -EINVAL;
	if (get_enum_attr(a, n, "preserve-first-partition", pfp, false, &dummy) < 0)
		r = -EINVAL;
	if (parse_disk(a, n, &a->c->primary_disk) < 0)
		r = -EINVAL;
	return r;
}

static int h_guest_disk(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	int r = check_attrs(a, n, attrs);
	if (a->c->n_guest_disks >= CFG_MAX_GUEST_DISKS) {
		diag_error(a->d, POS(n), "more than %d <guest-disk> elements; Xenhost supports at most %d",
			   CFG_MAX_GUEST_DISKS, CFG_MAX_GUEST_DISKS);
		return -EINVAL;
	}
	struct disk_selector *s = &a->c->guest_disks[a->c->n_guest_disks++];
	return parse_disk(a, n, s) < 0 ? -EINVAL : r;
}

static int h_existing(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "force", NULL };
	int r = check_attrs(a, n, attrs);
	if (get_bool_attr(a, n, "force", &a->c->upgrade_force) < 0)
		r = -EINVAL;
	a->existing = n;
	return parse_disk(a, n, &a->c->existing_installation) < 0 ? -EINVAL : r;
}

static int h_backup_disk(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	int r = check_attrs(a, n, attrs);
	return parse_disk(a, n, &a->c->backup_disk) < 0 ? -EINVAL : r;
}

/* ---------- the system ---------- */

static int h_text_checked(struct af *a, const xmlNode *n, char *out, size_t sz,
			  const char *(*check)(const char *), const char *example)
{
	static const char *const attrs[] = { NULL };
	char v[512];
	int r = check_attrs(a, n, attrs);
	if (get_text(a, n, v, sizeof(v) < sz ? sizeof(v) : sz, true) < 0)
		return -EINVAL;
	const char *why = check(v);
	if (why) {
		diag_error(a->d, xml_pos_text(a->x, n), "<%s> \"%s\" is not valid: %s; write it like %s",
			   NAME(n), v, why, example);
		return -EINVAL;
	}
	memcpy(out, v, strlen(v) + 1);
	return r;
}

static int h_keymap(struct af *a, const xmlNode *n)
{
	return h_text_checked(a, n, a->c->keymap, sizeof(a->c->keymap), check_keymap, "us or de-latin1");
}

static int h_hostname(struct af *a, const xmlNode *n)
{
	return h_text_checked(a, n, a->c->hostname, sizeof(a->c->hostname), check_hostname,
			      "xenhost1 or xenhost1.example.com");
}

static int h_timezone(struct af *a, const xmlNode *n)
{
	a->c->timezone_pos = xml_pos_text(a->x, n);
	return h_text_checked(a, n, a->c->timezone, sizeof(a->c->timezone), check_timezone,
			      "Europe/London or Etc/UTC");
}

static int h_root_password(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "type", "ssh", NULL };
	static const struct enum_val types[] = {
		{ "plaintext", PW_PLAINTEXT, NULL }, { "hash", PW_HASH, NULL }, { NULL, 0, NULL },
	};
	int type = PW_PLAINTEXT;
	int r = check_attrs(a, n, attrs);

	a->root_password = n;
	if (get_enum_attr(a, n, "type", types, false, &type) < 0)
		return -EINVAL;
	if (get_bool_attr(a, n, "ssh", &a->c->ssh_root_password) < 0)
		r = -EINVAL;
	if (get_text(a, n, a->c->root_password, sizeof(a->c->root_password), true) < 0)
		return -EINVAL;
	a->c->root_password_type = (enum pw_type)type;
	const char *pw = a->c->root_password;
	if (type == PW_HASH) {
		const char *why = check_crypt_hash(pw);
		if (why) {
			diag_error(a->d, xml_pos_text(a->x, n), "<root-password type=\"hash\"> is not a crypt hash: %s; "
				   "make one with: mkpasswd -m sha-512", why);
			return -EINVAL;
		}
	} else if (looks_like_crypt_hash(pw)) {
		diag_error(a->d, xml_pos_text(a->x, n), "<root-password> holds a crypt hash but its type is "
			   "\"plaintext\" (the default), so the hash itself would become the password: add type=\"hash\"");
		return -EINVAL;
	}
	return r;
}

static int h_root_ssh_key(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	int r = check_attrs(a, n, attrs);
	struct install_config *c = a->c;
	if (c->n_ssh_keys >= CFG_MAX_SSH_KEYS) {
		diag_error(a->d, POS(n), "more than %d <root-ssh-key> elements; give at most %d, or install more from "
			   "a filesystem-populated <script>", CFG_MAX_SSH_KEYS, CFG_MAX_SSH_KEYS);
		return -EINVAL;
	}
	char *k = c->ssh_keys[c->n_ssh_keys];
	if (get_text(a, n, k, CFG_SSH_KEY_MAX, true) < 0)
		return -EINVAL;
	const char *why = check_ssh_key(k);
	if (why) {
		diag_error(a->d, xml_pos_text(a->x, n), "<root-ssh-key> is not an SSH public key: %s; give one line of "
			   "a .pub file, such as \"ssh-ed25519 AAAAC3Nza... admin@example\"", why);
		k[0] = '\0';
		return -EINVAL;
	}
	c->n_ssh_keys++;
	return r;
}

static int h_source(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "type", "repo-gpgcheck", "gpgcheck", NULL };
	static const struct enum_val types[] = {
		{ "local", SOURCE_LOCAL, NULL }, { "url", SOURCE_URL, NULL },
		{ "nfs", 0, "put the Xenhost image on an HTTP server and use type=\"url\"" },
		{ NULL, 0, NULL },
	};
	int type = SOURCE_LOCAL;
	bool b;
	int r = check_attrs(a, n, attrs);

	if (get_enum_attr(a, n, "type", types, true, &type) < 0)
		return -EINVAL;
	if (get_bool_attr(a, n, "repo-gpgcheck", &b) < 0 || get_bool_attr(a, n, "gpgcheck", &b) < 0)
		r = -EINVAL;
	a->c->source = (enum source_type)type;
	if (type == SOURCE_LOCAL) {
		char t[CFG_URL_MAX];
		if (get_text(a, n, t, sizeof(t), false) == 0 && t[0])
			diag_warn(a->d, xml_pos_text(a->x, n), "the text of <source type=\"local\"> is ignored: the image "
				  "comes from the boot medium");
		return r;
	}
	if (get_text(a, n, a->c->source_url, sizeof(a->c->source_url), true) < 0)
		return -EINVAL;
	const char *why = check_url(a->c->source_url, URL_ANY);
	if (why) {
		diag_error(a->d, xml_pos_text(a->x, n), "<source> URL \"%s\": %s; use http://, https://, ftp:// or file:///",
			   a->c->source_url, why);
		return -EINVAL;
	}
	return r;
}

/* admin-interface: the management network */
static int ipv4_static(struct af *a, const xmlNode *n, const xmlNode *ip, const xmlNode *mask,
		       const xmlNode *gw)
{
	struct net_admin *na = &a->c->admin;
	char v[64];
	struct in_addr addr, gaddr;
	int prefix = -1;
	unsigned mprefix = 0;
	const char *why;

	if (!ip) {
		diag_error(a->d, POS(n), "proto=\"static\" needs an <ip> element with the address, like "
			   "<ip>192.0.2.10</ip>");
		return -EINVAL;
	}
	if (get_text(a, ip, v, sizeof(v), true) < 0)
		return -EINVAL;
	if ((why = parse_ipv4_cidr(v, &addr, &prefix))) {
		diag_error(a->d, xml_pos_text(a->x, ip), "<%s> \"%s\": %s", NAME(ip), v, why);
		return -EINVAL;
	}
	if (mask) {
		char m[64];
		if (get_text(a, mask, m, sizeof(m), true) < 0)
			return -EINVAL;
		if ((why = parse_netmask(m, &mprefix))) {
			diag_error(a->d, xml_pos_text(a->x, mask), "<%s> \"%s\": %s", NAME(mask), m, why);
			return -EINVAL;
		}
		if (prefix >= 0 && (unsigned)prefix != mprefix) {
			diag_error(a->d, xml_pos_text(a->x, mask), "<%s> says /%u but <%s> has the prefix /%d; give the "
				   "prefix once", NAME(mask), mprefix, NAME(ip), prefix);
			return -EINVAL;
		}
		prefix = (int)mprefix;
	}
	if (prefix < 0) {
		diag_error(a->d, POS(n), "static IPv4 needs a netmask: add <subnet-mask>255.255.255.0</subnet-mask> "
			   "or write the prefix in <ip>, like 192.0.2.10/24");
		return -EINVAL;
	}
	if ((why = check_ipv4_host(addr, (unsigned)prefix))) {
		char a4[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &addr, a4, sizeof(a4));
		diag_error(a->d, xml_pos_text(a->x, ip), "<%s> %s/%d cannot be the host's address: %s", NAME(ip),
			   a4, prefix, why);
		return -EINVAL;
	}
	inet_ntop(AF_INET, &addr, na->ipv4, sizeof(na->ipv4));
	na->prefix4 = (unsigned)prefix;
	if (!gw)
		return 0;
	if (get_text(a, gw, v, sizeof(v), true) < 0)
		return -EINVAL;
	if ((why = parse_ipv4(v, &gaddr))) {
		diag_error(a->d, xml_pos_text(a->x, gw), "<gateway> \"%s\": %s", v, why);
		return -EINVAL;
	}
	if (gaddr.s_addr == addr.s_addr) {
		diag_error(a->d, xml_pos_text(a->x, gw), "<gateway> %s is the host's own address; give the router's address", v);
		return -EINVAL;
	}
	if (!ipv4_same_subnet(addr, gaddr, (unsigned)prefix)) {
		diag_error(a->d, xml_pos_text(a->x, gw), "<gateway> %s is not in the host's subnet %s/%d; fix the "
			   "gateway or the netmask", v, na->ipv4, prefix);
		return -EINVAL;
	}
	copy_str(na->gateway4, sizeof(na->gateway4), v);
	return 0;
}

static bool v6_bad_host(const struct in6_addr *x)
{
	return IN6_IS_ADDR_UNSPECIFIED(x) || IN6_IS_ADDR_LOOPBACK(x) || IN6_IS_ADDR_MULTICAST(x);
}

static int ipv6_static(struct af *a, const xmlNode *n, const xmlNode *ip, const xmlNode *gw)
{
	struct net_admin *na = &a->c->admin;
	char v[80];
	struct in6_addr addr, gaddr;
	int prefix;
	const char *why;

	if (!ip) {
		diag_error(a->d, POS(n), "protov6=\"static\" needs an <ipv6> element, like <ipv6>2001:db8::10/64</ipv6>");
		return -EINVAL;
	}
	if (get_text(a, ip, v, sizeof(v), true) < 0)
		return -EINVAL;
	if ((why = parse_ipv6_cidr(v, &addr, &prefix))) {
		diag_error(a->d, xml_pos_text(a->x, ip), "<ipv6> \"%s\": %s", v, why);
		return -EINVAL;
	}
	if (prefix < 0) {
		diag_error(a->d, xml_pos_text(a->x, ip), "<ipv6> \"%s\" needs a prefix length: write it like "
			   "2001:db8::10/64", v);
		return -EINVAL;
	}
	if (v6_bad_host(&addr)) {
		diag_error(a->d, xml_pos_text(a->x, ip), "<ipv6> \"%s\" cannot be the host's address (unspecified, "
			   "loopback or multicast)", v);
		return -EINVAL;
	}
	inet_ntop(AF_INET6, &addr, na->ipv6, sizeof(na->ipv6));
	na->prefix6 = (unsigned)prefix;
	if (!gw)
		return 0;
	if (get_text(a, gw, v, sizeof(v), true) < 0)
		return -EINVAL;
	if ((why = parse_ipv6(v, &gaddr))) {
		diag_error(a->d, xml_pos_text(a->x, gw), "<gatewayv6> \"%s\": %s", v, why);
		return -EINVAL;
	}
	if (v6_bad_host(&gaddr)) {
		diag_error(a->d, xml_pos_text(a->x, gw), "<gatewayv6> \"%s\" cannot be a router's address", v);
		return -EINVAL;
	}
	inet_ntop(AF_INET6, &gaddr, na->gateway6, sizeof(na->gateway6));
	return 0;
}

static int h_admin_interface(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "name", "hwaddr", "proto", "protov6", "vlan", NULL };
	static const struct enum_val p4[] = {
		{ "dhcp", PROTO4_DHCP, NULL }, { "static", PROTO4_STATIC, NULL }, { "none", PROTO4_NONE, NULL },
		{ NULL, 0, NULL },
	};
	static const struct enum_val p6[] = {
		{ "dhcp", PROTO6_DHCP, NULL }, { "static", PROTO6_STATIC, NULL },
		{ "autoconf", PROTO6_AUTOCONF, NULL }, { "none", PROTO6_NONE, NULL }, { NULL, 0, NULL },
	};
	static const struct { const char *name, *alt; int slot; } kids[] = {
		{ "ip", "ipaddr", 0 }, { "subnet-mask", "subnet", 1 }, { "gateway", NULL, 2 },
		{ "ipv6", NULL, 3 }, { "gatewayv6", NULL, 4 },
	};
	struct net_admin *na = &a->c->admin;
	const xmlNode *slot[5] = { NULL };
	int proto = PROTO4_DHCP, proto6 = PROTO6_NONE;
	const char *v, *why;
	int r = check_attrs(a, n, attrs);

	a->admin = n;
	na->pos = POS(n);
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE && !is_blank_str((const char *)c->content)) {
			diag_error(a->d, POS(n), "<admin-interface> holds elements (<ip>, <subnet-mask>, ...), not text; "
				   "remove the text");
			r = -EINVAL;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		size_t k;
		for (k = 0; k < sizeof(kids) / sizeof(kids[0]); k++)
			if (!strcmp(NAME(c), kids[k].name) || (kids[k].alt && !strcmp(NAME(c), kids[k].alt)))
				break;
		if (k == sizeof(kids) / sizeof(kids[0])) {
			diag_error(a->d, POS(c), "unknown element <%s> in <admin-interface>: it takes <ip>, <subnet-mask>, "
				   "<gateway>, <ipv6> and <gatewayv6>", NAME(c));
			r = -EINVAL;
			continue;
		}
		if (slot[kids[k].slot]) {
			struct src_pos f = POS(slot[kids[k].slot]);
			diag_error(a->d, POS(c), "<%s> appears twice in <admin-interface> (first at line %u, column %u); "
				   "keep one", NAME(c), f.line, f.col);
			r = -EINVAL;
			continue;
		}
		if (check_attrs(a, c, (const char *const[]){ NULL }) < 0)
			r = -EINVAL;
		slot[kids[k].slot] = c;
	}

	if ((v = attr_get(n, "name"))) {
		if ((why = check_ifname(v))) {
			diag_error(a->d, xml_pos_attr(a->x, n, "name"), "name=\"%s\" on <admin-interface>: %s; "
				   "write a NIC name like eth0", v, why);
			r = -EINVAL;
		} else {
			copy_str(na->name, sizeof(na->name), v);
		}
	}
	if ((v = attr_get(n, "hwaddr")) && (why = parse_mac(v, na->hwaddr))) {
		diag_error(a->d, xml_pos_attr(a->x, n, "hwaddr"), "hwaddr=\"%s\" on <admin-interface>: %s", v, why);
		r = -EINVAL;
	}
	if (attr_get(n, "name") && attr_get(n, "hwaddr")) {
		diag_error(a->d, xml_pos_attr(a->x, n, "hwaddr"), "<admin-interface> has both name= and hwaddr=, "
			   "which may be two different NICs: keep the one that names the management NIC");
		r = -EINVAL;
	}
	if (!attr_get(n, "name") && !attr_get(n, "hwaddr")) {
		diag_error(a->d, POS(n), "<admin-interface> must say which NIC to use: add name=\"eth0\" or "
			   "hwaddr=\"52:54:00:12:34:56\"");
		r = -EINVAL;
	}
	if ((v = attr_get(n, "vlan"))) {
		unsigned long long vl;
		if (parse_uint(v, 1, 4094, &vl) < 0) {
			diag_error(a->d, xml_pos_attr(a->x, n, "vlan"), "vlan=\"%s\" on <admin-interface> is not a VLAN "
				   "id: use a number from 1 to 4094, or remove vlan= for an untagged network", v);
			r = -EINVAL;
		} else {
			na->vlan = (unsigned)vl;
		}
	}
	if (get_enum_attr(a, n, "proto", p4, true, &proto) < 0)
		return -EINVAL;
	if (get_enum_attr(a, n, "protov6", p6, false, &proto6) < 0)
		return -EINVAL;
	na->proto = (enum proto4)proto;
	na->protov6 = (enum proto6)proto6;

	if (proto == PROTO4_STATIC) {
		if (ipv4_static(a, n, slot[0], slot[1], slot[2]) < 0)
			r = -EINVAL;
	} else {
		for (int i = 0; i < 3; i++)
			if (slot[i]) {
				diag_error(a->d, POS(slot[i]), "<%s> is only used with proto=\"static\"; set proto=\"static\" "
					   "or remove <%s>", NAME(slot[i]), NAME(slot[i]));
				r = -EINVAL;
			}
	}
	if (proto6 == PROTO6_STATIC) {
		if (ipv6_static(a, n, slot[3], slot[4]) < 0)
			r = -EINVAL;
	} else {
		for (int i = 3; i < 5; i++)
			if (slot[i]) {
				diag_error(a->d, POS(slot[i]), "<%s> is only used with protov6=\"static\"; set "
					   "protov6=\"static\" or remove <%s>", NAME(slot[i]), NAME(slot[i]));
				r = -EINVAL;
			}
	}
	if (proto == PROTO4_NONE && proto6 == PROTO6_NONE) {
		diag_error(a->d, POS(n), "<admin-interface> configures neither IPv4 nor IPv6, so the host would "
			   "be unreachable: set proto=\"dhcp\" or \"static\", or protov6=");
		r = -EINVAL;
	}
	return r;
}

static int h_name_server(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	char v[64];
	int r = check_attrs(a, n, attrs);
	if (get_text(a, n, v, sizeof(v), true) < 0)
		return -EINVAL;
	const char *why = check_ip_any(v);
	if (why) {
		diag_error(a->d, xml_pos_text(a->x, n), "<%s> \"%s\": %s; a name server is given by its address",
			   NAME(n), v, why);
		return -EINVAL;
	}
	if (a->c->n_nameservers >= CFG_MAX_NAMESERVERS) {
		diag_error(a->d, POS(n), "more than %d name servers; keep at most %d", CFG_MAX_NAMESERVERS,
			   CFG_MAX_NAMESERVERS);
		return -EINVAL;
	}
	copy_str(a->c->nameservers[a->c->n_nameservers++], sizeof(a->c->nameservers[0]), v);
	return r;
}

static int h_ntp(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "source", NULL };
	static const struct enum_val src[] = {
		{ "dhcp", NTP_DHCP, NULL }, { "default", NTP_DEFAULT, NULL }, { "manual", NTP_MANUAL, NULL },
		{ "none", NTP_NONE, NULL }, { NULL, 0, NULL },
	};
	int v = NTP_DEFAULT;
	char t[8];
	int r = check_attrs(a, n, attrs);

	a->ntp = n;
	if (get_enum_attr(a, n, "source", src, true, &v) < 0)
		return -EINVAL;
	a->c->ntp = (enum ntp_source)v;
	if (get_text(a, n, t, sizeof(t), false) < 0 || t[0]) {
		diag_error(a->d, POS(n), "<ntp> takes no text; list servers in <ntp-server> elements");
		return -EINVAL;
	}
	return r;
}

static int h_ntp_server(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	char v[254];
	int r = check_attrs(a, n, attrs);
	if (!a->first_ntp_server)
		a->first_ntp_server = n;
	if (get_text(a, n, v, sizeof(v), true) < 0)
		return -EINVAL;
	if (check_ip_any(v) && check_hostname(v)) {
		diag_error(a->d, xml_pos_text(a->x, n), "<%s> \"%s\" is neither an address nor a host name; write "
			   "it like pool.ntp.org or 192.0.2.1", NAME(n), v);
		return -EINVAL;
	}
	if (a->c->n_ntp_servers >= CFG_MAX_NTP_SERVERS) {
		diag_error(a->d, POS(n), "more than %d NTP servers; keep at most %d", CFG_MAX_NTP_SERVERS,
			   CFG_MAX_NTP_SERVERS);
		return -EINVAL;
	}
	copy_str(a->c->ntp_servers[a->c->n_ntp_servers++], sizeof(a->c->ntp_servers[0]), v);
	return r;
}

static int h_bootloader(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "location", "write-boot-entry", NULL };
	static const struct enum_val loc[] = {
		{ "mbr", 0, NULL },
		{ "partition", 0, "Xenhost installs GRUB on the disk (BIOS boot partition) and on the ESP; "
				  "remove location= or write location=\"mbr\"" },
		{ NULL, 0, NULL },
	};
	int dummy = 0;
	char t[32];
	int r = check_attrs(a, n, attrs);

	if (get_enum_attr(a, n, "location", loc, false, &dummy) < 0)
		r = -EINVAL;
	if (get_bool_attr(a, n, "write-boot-entry", &a->c->write_boot_entry) < 0)
		r = -EINVAL;
	if (get_text(a, n, t, sizeof(t), false) < 0)
		return -EINVAL;
	if (t[0] && strcmp(t, "grub2") != 0) {
		diag_error(a->d, xml_pos_text(a->x, n), "bootloader \"%s\" is not supported: Xenhost uses GRUB 2; "
			   "leave <bootloader> empty or write grub2", t);
		return -EINVAL;
	}
	return r;
}

static int add_script(struct af *a, const xmlNode *n, enum script_stage stage)
{
	struct install_script *s;
	if (a->c->n_scripts >= CFG_MAX_SCRIPTS) {
		diag_error(a->d, POS(n), "more than %d scripts; combine some of them", CFG_MAX_SCRIPTS);
		return -EINVAL;
	}
	s = &a->c->scripts[a->c->n_scripts];
	if (get_text(a, n, s->url, sizeof(s->url), true) < 0)
		return -EINVAL;
	const char *why = check_url(s->url, URL_ANY);
	if (why) {
		diag_error(a->d, xml_pos_text(a->x, n), "<%s> URL \"%s\": %s; use http://, https://, ftp:// or file:///",
			   NAME(n), s->url, why);
		return -EINVAL;
	}
	s->stage = stage;
	s->timeout_s = SCRIPT_DEFAULT_TIMEOUT_S;
	const char *t = attr_get(n, "timeout");
	unsigned long long secs;
	if (t && parse_uint(t, 1, SCRIPT_MAX_TIMEOUT_S, &secs) < 0) {
		diag_error(a->d, xml_pos_attr(a->x, n, "timeout"), "timeout=\"%s\" on <%s> is not a number of seconds "
			   "from 1 to %d (the default is %d)", t, NAME(n), SCRIPT_MAX_TIMEOUT_S, SCRIPT_DEFAULT_TIMEOUT_S);
		return -EINVAL;
	}
	if (t)
		s->timeout_s = (unsigned)secs;
	a->c->n_scripts++;
	return 0;
}

static const struct enum_val script_types[] = {
	{ "url", 0, NULL },
	{ "nfs", 0, "serve the script over http, https or ftp, or from file:///, and use type=\"url\"" },
	{ NULL, 0, NULL },
};

static int h_script(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "stage", "type", "timeout", NULL };
	static const struct enum_val stages[] = {
		{ "installation-start", STAGE_INSTALLATION_START, NULL },
		{ "filesystem-populated", STAGE_FILESYSTEM_POPULATED, NULL },
		{ "installation-complete", STAGE_INSTALLATION_COMPLETE, NULL },
		{ NULL, 0, NULL },
	};
	int stage = 0, dummy = 0;
	int r = check_attrs(a, n, attrs);
	if (get_enum_attr(a, n, "stage", stages, true, &stage) < 0)
		return -EINVAL;
	if (get_enum_attr(a, n, "type", script_types, true, &dummy) < 0)
		return -EINVAL;
	return add_script(a, n, (enum script_stage)stage) < 0 ? -EINVAL : r;
}

/* XCP-ng's older forms: post-install-script runs when the filesystem is populated,
 * install-failed-script at installation-complete. */
static int h_old_script(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "type", "timeout", NULL };
	int dummy = 0;
	int r = check_attrs(a, n, attrs);
	if (get_enum_attr(a, n, "type", script_types, false, &dummy) < 0)
		return -EINVAL;
	enum script_stage st = strcmp(NAME(n), "post-install-script") == 0 ? STAGE_FILESYSTEM_POPULATED
									    : STAGE_INSTALLATION_COMPLETE;
	return add_script(a, n, st) < 0 ? -EINVAL : r;
}

static int h_service(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "name", "state", NULL };
	static const struct enum_val states[] = {
		{ "enabled", 1, NULL }, { "disabled", 0, NULL }, { NULL, 0, NULL },
	};
	const char *name = attr_get(n, "name"), *why;
	int state = 0;
	char t[8];
	int r = check_attrs(a, n, attrs);

	if (!name) {
		diag_error(a->d, POS(n), "<service> needs name=, the systemd unit, like name=\"sshd\"");
		return -EINVAL;
	}
	if ((why = check_service_name(name))) {
		diag_error(a->d, xml_pos_attr(a->x, n, "name"), "<service name=\"%s\">: %s", name, why);
		return -EINVAL;
	}
	if (get_enum_attr(a, n, "state", states, true, &state) < 0)
		return -EINVAL;
	if (get_text(a, n, t, sizeof(t), false) < 0 || t[0]) {
		diag_error(a->d, POS(n), "<service> takes no text; use its name= and state= attributes");
		return -EINVAL;
	}
	for (size_t i = 0; i < a->c->n_services; i++)
		if (!strcmp(a->c->services[i].name, name)) {
			diag_error(a->d, POS(n), "service \"%s\" is named twice (first at line %u, column %u); keep one",
				   name, a->service_pos[i].line, a->service_pos[i].col);
			return -EINVAL;
		}
	if (a->c->n_services >= CFG_MAX_SERVICES) {
		diag_error(a->d, POS(n), "more than %d <service> elements", CFG_MAX_SERVICES);
		return -EINVAL;
	}
	a->service_pos[a->c->n_services] = POS(n);
	struct install_service *s = &a->c->services[a->c->n_services++];
	copy_str(s->name, sizeof(s->name), name);
	s->enabled = state == 1;
	return r;
}

static int h_network_backend(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	static const struct enum_val vals[] = {
		{ "bridge", NETBACK_BRIDGE, NULL }, { "openvswitch", NETBACK_OPENVSWITCH, NULL },
		{ "vswitch", NETBACK_OPENVSWITCH, NULL }, { NULL, 0, NULL },
	};
	int v = NETBACK_BRIDGE;
	int r = check_attrs(a, n, attrs);
	if (get_enum_text(a, n, vals, &v) < 0)
		return -EINVAL;
	a->c->network_backend = (enum net_backend)v;
	if (v == NETBACK_OPENVSWITCH)
		diag_warn(a->d, xml_pos_text(a->x, n), "Xenhost manages the network with a Linux bridge (xenbr0); "
			  "<network-backend> openvswitch is accepted for compatibility but has no effect");
	return r;
}

static int size_attr_mib(struct af *a, const xmlNode *n, const char *attr, uint64_t min, uint64_t *out)
{
	uint64_t v = *out;
	if (get_size_attr(a, n, attr, min, &v) < 0)
		return -EINVAL;
	if (v % MiB) {
		diag_error(a->d, xml_pos_attr(a->x, n, attr), "%s= on <%s> must be a whole number of MiB (partitions "
			   "are aligned to 1 MiB); round it", attr, NAME(n));
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int h_partition_sizes(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "root", "backup", "esp", "logs", "swap", NULL };
	struct part_sizes *s = &a->c->sizes;
	int r = check_attrs(a, n, attrs);

	a->partition_sizes = n;
	if (size_attr_mib(a, n, "root", 4 * GiB, &s->root) < 0 ||
	    size_attr_mib(a, n, "backup", 4 * GiB, &s->backup) < 0 ||
	    size_attr_mib(a, n, "esp", 100 * MiB, &s->esp) < 0 ||
	    size_attr_mib(a, n, "logs", 512 * MiB, &s->logs) < 0 ||
	    size_attr_mib(a, n, "swap", 64 * MiB, &s->swap) < 0)
		return -EINVAL;
	if (s->backup < s->root) {
		char b1[32], b2[32];
		diag_error(a->d, xml_pos_attr(a->x, n, attr_get(n, "backup") ? "backup" : "root"),
			   "the backup partition (%s) is smaller than the root partition (%s): it holds a copy of "
			   "the root after an upgrade, so make backup= at least as large as root=",
			   fmt_size(s->backup, b1, sizeof(b1)), fmt_size(s->root, b2, sizeof(b2)));
		return -EINVAL;
	}
	return r;
}

static int h_firmware_mode(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	static const struct enum_val vals[] = {
		{ "auto", FW_AUTO, NULL }, { "bios", FW_BIOS, NULL }, { "uefi", FW_UEFI, NULL }, { NULL, 0, NULL },
	};
	int v = FW_AUTO;
	int r = check_attrs(a, n, attrs);
	if (get_enum_text(a, n, vals, &v) < 0)
		return -EINVAL;
	a->c->firmware = (enum firmware_mode)v;
	return r;
}

static int h_dom0(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { "memory", "vcpus", NULL };
	const char *v;
	int r = check_attrs(a, n, attrs);

	if (!attr_get(n, "memory") && !attr_get(n, "vcpus")) {
		diag_error(a->d, POS(n), "<dom0> sets nothing: give memory=\"4GiB\" and/or vcpus=\"4\", or remove it");
		return -EINVAL;
	}
	if (size_attr_mib(a, n, "memory", 512 * MiB, &a->c->dom0_memory) < 0)
		r = -EINVAL;
	if ((v = attr_get(n, "vcpus"))) {
		unsigned long long x;
		if (parse_uint(v, 1, 512, &x) < 0) {
			diag_error(a->d, xml_pos_attr(a->x, n, "vcpus"), "vcpus=\"%s\" on <dom0> must be a number from "
				   "1 to 512", v);
			r = -EINVAL;
		} else {
			a->c->dom0_vcpus = (unsigned)x;
		}
	}
	return r;
}

static int h_report_url(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	int r = check_attrs(a, n, attrs);
	if (get_text(a, n, a->c->report_url, sizeof(a->c->report_url), true) < 0)
		return -EINVAL;
	const char *why = check_url(a->c->report_url, URL_HTTP | URL_HTTPS);
	if (why) {
		diag_error(a->d, xml_pos_text(a->x, n), "<report-url> \"%s\": %s; the result is POSTed as JSON to an "
			   "http:// or https:// URL", a->c->report_url, why);
		a->c->report_url[0] = '\0';
		return -EINVAL;
	}
	return r;
}

static int h_post_install_action(struct af *a, const xmlNode *n)
{
	static const char *const attrs[] = { NULL };
	static const struct enum_val vals[] = {
		{ "reboot", POST_REBOOT, NULL }, { "poweroff", POST_POWEROFF, NULL }, { "shell", POST_SHELL, NULL },
		{ NULL, 0, NULL },
	};
	int v = POST_REBOOT;
	int r = check_attrs(a, n, attrs);
	if (get_enum_text(a, n, vals, &v) < 0)
		return -EINVAL;
	a->c->post_action = (enum post_action)v;
	a->c->post_action_set = true;
	return r;
}

/* ---------- the element table ---------- */

struct rule {
	const char *name, *alt;
	unsigned modes;
	bool many;
	int (*fn)(struct af *, const xmlNode *);
	const char *why_not;   /* why it is not used in the other modes */
	unsigned given;        /* GIVEN_*: the screens it answers (interactive="partial") */
};

#define UPG "an upgrade keeps the settings of the existing installation"
static const struct rule rules[] = {
	{ "primary-disk", NULL, M_INSTALL, false, h_primary_disk,
	  "a restore names its disk with <backup-disk> (optional: the installation found)", GIVEN_PRIMARY_DISK },
	{ "guest-disk", NULL, M_NEW, true, h_guest_disk, UPG " and its local storage", GIVEN_STORAGE },
	{ "existing-installation", NULL, M_UPGRADE, false, h_existing,
	  "it names the installation to upgrade; a fresh install or reinstall uses <primary-disk>" },
	{ "backup-disk", NULL, M_RESTORE, false, h_backup_disk, "it is used only inside <restore>" },
	{ "keymap", NULL, M_NEW, false, h_keymap, UPG, GIVEN_KEYMAP },
	{ "root-password", NULL, M_NEW, false, h_root_password, UPG " (including the root password)", GIVEN_PASSWORD },
	{ "root-ssh-key", NULL, M_NEW, true, h_root_ssh_key, UPG " (including root's SSH keys)" },
	{ "source", NULL, M_INSTALL, false, h_source, "a restore uses no image" },
	{ "admin-interface", NULL, M_NEW, false, h_admin_interface, UPG " (including the network)", GIVEN_ADMIN },
	{ "name-server", "nameserver", M_NEW, true, h_name_server, UPG },
	{ "hostname", NULL, M_NEW, false, h_hostname, UPG, GIVEN_HOSTNAME },
	{ "timezone", NULL, M_NEW, false, h_timezone, UPG, GIVEN_TIMEZONE },
	{ "ntp", NULL, M_NEW, false, h_ntp, UPG, GIVEN_NTP },
	{ "ntp-server", "ntp-servers", M_NEW, true, h_ntp_server, UPG, GIVEN_NTP },
	{ "bootloader", NULL, M_INSTALL, false, h_bootloader, "a restore keeps the bootloader settings" },
	{ "script", NULL, M_INSTALL, true, h_script, "a restore runs no scripts" },
	{ "post-install-script", NULL, M_INSTALL, false, h_old_script, "a restore runs no scripts" },
	{ "install-failed-script", NULL, M_INSTALL, false, h_old_script, "a restore runs no scripts" },
	{ "service", NULL, M_NEW, true, h_service, UPG },
	{ "network-backend", NULL, M_INSTALL, false, h_network_backend, "a restore keeps the network" },
	{ "partition-sizes", NULL, M_NEW, false, h_partition_sizes, UPG " and its partitions" },
	{ "firmware-mode", NULL, M_INSTALL, false, h_firmware_mode, "a restore keeps the bootloader" },
	{ "dom0", NULL, M_NEW, false, h_dom0, UPG " (including dom0's memory and vCPUs)" },
	{ "report-url", NULL, M_ALL, false, h_report_url, NULL },
	{ "post-install-action", NULL, M_ALL, false, h_post_install_action, NULL },
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static const struct { const char *name, *hint; } unsupported[] = {
	{ "driver-source", "driver disks are not supported: the Xenhost image carries its drivers; remove <driver-source>" },
	{ "raid", "software RAID is not supported; remove <raid> and name one disk in <primary-disk>" },
	{ "fcoe-interface", "FCoE is not supported; remove <fcoe-interface>" },
	{ "ui-confirmation-prompt", "an unattended install never prompts; remove <ui-confirmation-prompt>" },
	{ "match", "<match> selects a disk and belongs inside <primary-disk>, <guest-disk>, "
		   "<existing-installation> or <backup-disk>" },
};

static void unknown_element(struct af *a, const xmlNode *c, const xmlNode *parent)
{
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (!strcmp(NAME(c), unsupported[i].name)) {
			diag_error(a->d, POS(c), "<%s> is not supported by Xenhost: %s", NAME(c), unsupported[i].hint);
			return;
		}
	const char *best = NULL;
	unsigned bd = 3;
	for (size_t i = 0; i < N_RULES; i++) {
		unsigned dd = edit_distance(NAME(c), rules[i].name);
		if (dd < bd) {
			bd = dd;
			best = rules[i].name;
		}
	}
	if (best)
		diag_error(a->d, POS(c), "unknown element <%s> in <%s>: did you mean <%s>? (check the spelling)",
			   NAME(c), NAME(parent), best);
	else
		diag_error(a->d, POS(c), "unknown element <%s> in <%s>: remove it (the elements are listed in "
			   "xenhost-installer(8))", NAME(c), NAME(parent));
}

static void walk(struct af *a, const xmlNode *root)
{
	const xmlNode *first[N_RULES] = { NULL };
	unsigned mode_bit = 1u << a->c->mode;

	for (const xmlNode *c = root->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			if (!is_blank_str((const char *)c->content))
				diag_error(a->d, xml_pos_text_node(a->x, c), "text directly inside <%s> is not allowed; "
					   "values go inside elements such as <hostname>", NAME(root));
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;   /* comments, processing instructions */
		if (c->ns) {
			diag_error(a->d, POS(c), "element <%s> is in an XML namespace; answer files use none: remove "
				   "the prefix or xmlns=", NAME(c));
			continue;
		}
		size_t i;
		for (i = 0; i < N_RULES; i++)
			if (!strcmp(NAME(c), rules[i].name) || (rules[i].alt && !strcmp(NAME(c), rules[i].alt)))
				break;
		if (i == N_RULES) {
			unknown_element(a, c, root);
			continue;
		}
		if (!(rules[i].modes & mode_bit)) {
			diag_error(a->d, POS(c), "<%s> is not used when the mode is \"%s\": %s; remove it",
				   NAME(c), mode_name(a->c->mode), rules[i].why_not ? rules[i].why_not : "it does not apply");
			continue;
		}
		if (!rules[i].many && first[i]) {
			struct src_pos f = POS(first[i]);
			diag_error(a->d, POS(c), "<%s> appears twice (first at line %u, column %u); keep one",
				   NAME(c), f.line, f.col);
			continue;
		}
		if (!first[i])
			first[i] = c;
		a->c->given |= rules[i].given;
		rules[i].fn(a, c);
	}
}

/* ---------- whole-file checks ---------- */

static bool same_selector(const struct disk_selector *x, const struct disk_selector *y)
{
	if (x->kind != y->kind || x->kind == DISK_SEL_NONE)
		return false;
	if (x->kind == DISK_SEL_PATH)
		return strcmp(x->path, y->path) == 0;
	const struct disk_filter *a = &x->filter, *b = &y->filter;
	return !strcmp(a->model, b->model) && !strcmp(a->serial, b->serial) && !strcmp(a->wwn, b->wwn) &&
	       !strcmp(a->bus, b->bus) && a->min_size == b->min_size && a->max_size == b->max_size &&
	       a->rotational == b->rotational;
}

static void check_disks_once(struct af *a)
{
	const struct install_config *c = a->c;
	const struct disk_selector *all[1 + CFG_MAX_GUEST_DISKS];
	size_t n = 0;

	if (c->primary_disk.kind != DISK_SEL_NONE)
		all[n++] = &c->primary_disk;
	for (size_t i = 0; i < c->n_guest_disks; i++)
		all[n++] = &c->guest_disks[i];
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (same_selector(all[i], all[j])) {
				const char *what = all[i]->kind == DISK_SEL_PATH ? all[i]->path : "the same <match>";
				diag_error(a->d, all[i]->pos, "disk %s is named twice (first at line %u, column %u); name each "
					   "disk once%s", what, all[j]->pos.line, all[j]->pos.col,
					   j == 0 ? " (the primary disk already gets local storage unless "
						    "guest-storage=\"false\")" : "");
				break;
			}
}

static void check_mandatory(struct af *a, const xmlNode *root)
{
	struct install_config *c = a->c;
	struct src_pos rp = POS(root);

	if (c->interactive_partial) {
		/* the screens ask for what is missing; the plan is checked when they are done */
		if (!a->ntp && c->n_ntp_servers)
			c->ntp = NTP_MANUAL;
		check_disks_once(a);
		return;
	}
	if (c->mode == MODE_FRESH || c->mode == MODE_REINSTALL) {
		if (!a->primary)
			diag_error(a->d, rp, "a %s install needs <primary-disk>: add <primary-disk>sda</primary-disk> "
				   "(or a /dev/disk/by-id/ path, or a <match> filter)", mode_name(c->mode));
		if (!a->root_password)
			diag_error(a->d, rp, "a %s install needs <root-password>: add <root-password type=\"hash\">"
				   "$6$...</root-password> (make the hash with: mkpasswd -m sha-512)", mode_name(c->mode));
		if (!a->admin)
			diag_error(a->d, rp, "a %s install needs <admin-interface>: add <admin-interface name=\"eth0\" "
				   "proto=\"dhcp\"/>", mode_name(c->mode));
		if (!a->ntp && c->n_ntp_servers)
			c->ntp = NTP_MANUAL;   /* XCP-ng: servers without <ntp> mean manual */
		else if (!a->ntp && c->admin.proto == PROTO4_DHCP)
			c->ntp = NTP_DHCP;
		if (a->ntp && c->ntp != NTP_MANUAL && a->first_ntp_server)
			diag_error(a->d, POS(a->first_ntp_server), "<ntp-server> is only used with <ntp source=\"manual\"/>: "
				   "change the source at line %u or remove the servers", POS(a->ntp).line);
		if (a->ntp && c->ntp == NTP_MANUAL && !c->n_ntp_servers)
			diag_error(a->d, POS(a->ntp), "<ntp source=\"manual\"/> needs at least one "
				   "<ntp-server>pool.ntp.org</ntp-server>");
		check_disks_once(a);
	}
	if (c->mode == MODE_UPGRADE && !a->existing)
		diag_error(a->d, rp, "an upgrade needs <existing-installation>: add "
			   "<existing-installation>sda</existing-installation> naming the disk that holds it");
}

static const struct enum_val mode_vals[] = {
	{ "fresh", MODE_FRESH, NULL }, { "reinstall", MODE_REINSTALL, NULL }, { "upgrade", MODE_UPGRADE, NULL },
	{ "restore", 0, "a restore is written as the root element <restore>, not as a mode" },
	{ NULL, 0, NULL },
};

static const struct enum_val sr_vals[] = {
	{ "ext4", SR_EXT4, NULL }, { "xfs", SR_XFS, NULL }, { "ext", SR_EXT4, NULL },
	{ "lvm", 0, "Xenhost keeps local storage on a filesystem: use sr-type=\"ext4\" (like XCP-ng's "
		    "\"ext\") or sr-type=\"xfs\"" },
	{ "largeblock", 0, "use sr-type=\"ext4\" or sr-type=\"xfs\" (both work on 4K-sector disks)" },
	{ NULL, 0, NULL },
};

static int read_root(struct af *a, const xmlNode *root)
{
	const char *name = NAME(root);

	if (root->ns) {
		diag_error(a->d, POS(root), "the root element is in an XML namespace; answer files use none: remove xmlns=");
		return -EINVAL;
	}
	if (!strcmp(name, "restore")) {
		a->c->mode = MODE_RESTORE;
		return check_attrs(a, root, (const char *const[]){ NULL });
	}
	if (!strcmp(name, "upgrade")) {
		diag_error(a->d, POS(root), "the root element <upgrade> of old XenServer answer files is not supported: "
			   "write <installation mode=\"upgrade\"> with <existing-installation>");
		return -EINVAL;
	}
	if (strcmp(name, "installation") != 0) {
		diag_error(a->d, POS(root), "the root element must be <installation> or <restore>, not <%s>; is this "
			   "an answer file?", name);
		return -EINVAL;
	}
	static const char *const attrs[] = { "mode", "sr-type", "srtype", "repo-gpgcheck", "gpgcheck", "interactive",
					     NULL };
	static const struct enum_val interactive_vals[] = {
		{ "partial", 1, NULL }, { "false", 0, NULL },
		{ "true", 0, "the whole installation by the screens needs no answer file; interactive=\"partial\" "
			     "asks for what the file leaves out" },
		{ NULL, 0, NULL },
	};
	int mode = MODE_FRESH, sr = SR_EXT4, partial = 0, r = check_attrs(a, root, attrs);
	bool b;
	const char *used = NULL, *v;

	if (get_enum_attr(a, root, "mode", mode_vals, false, &mode) < 0)
		return -EINVAL;   /* without a mode nothing else can be checked */
	a->c->mode = (enum install_mode)mode;
	if (attr_get(root, "mode"))
		a->c->given |= GIVEN_MODE;
	if (get_enum_attr(a, root, "interactive", interactive_vals, false, &partial) < 0)
		r = -EINVAL;
	a->c->interactive_partial = partial == 1;
	if (get_bool_attr(a, root, "repo-gpgcheck", &b) < 0 || get_bool_attr(a, root, "gpgcheck", &b) < 0)
		r = -EINVAL;
	if ((v = attr_either(a, root, "sr-type", "srtype", &used))) {
		char what[64];
		snprintf(what, sizeof(what), "%s= on <installation>", used);
		if (mode == MODE_UPGRADE) {
			diag_error(a->d, xml_pos_attr(a->x, root, used), "%s= is not used for an upgrade: the local "
				   "storage is kept as it is; remove it", used);
			r = -EINVAL;
		} else if (lookup_enum(a, xml_pos_attr(a->x, root, used), what, v, sr_vals, &sr) < 0) {
			r = -EINVAL;
		} else {
			a->c->sr_type = (enum sr_type)sr;
			a->c->given |= GIVEN_STORAGE;
		}
	}
	(void)r;   /* errors in the other attributes are recorded; the elements can still be checked */
	return 0;
}

int answerfile_parse_mem(const char *buf, size_t len, struct install_config *cfg, struct diag_list *d)
{
	struct xml_doc x;
	struct af a = { .x = &x, .d = d, .c = cfg };
	size_t errors_before = d->n_errors;
	int r = xml_doc_parse(&x, buf, len, d);

	if (r < 0)
		goto out;
	const xmlNode *root = xmlDocGetRootElement(x.doc);
	if (read_root(&a, root) < 0)
		goto done;   /* not an answer file, or the mode is unknown: stop here */
	walk(&a, root);
	check_mandatory(&a, root);
	/* The schema describes a complete answer file; a partial one (interactive="partial")
	 * lacks what the screens ask, so only the C checks of what it holds apply. */
	if (d->n_errors == errors_before && !cfg->interactive_partial) {
		/* The C checks passed: the schema must agree. A schema error here means
		 * the checks above and answerfile.rng disagree; it is still an error. */
		r = schema_validate(&x, d);
		if (r < 0 && r != -EINVAL)
			goto out;
	}
done:
	r = d->oom ? -ENOMEM : d->n_errors > errors_before ? -EINVAL : 0;
out:
	xml_doc_free(&x);
	return r;
}

int answerfile_parse_file(const char *path, struct install_config *cfg, struct diag_list *d)
{
	char *buf = NULL;
	size_t len = 0;
	int r = xml_read_file(path, &buf, &len, d);
	if (r < 0)
		return r;
	r = answerfile_parse_mem(buf, len, cfg, d);
	free(buf);
	return r;
}

/* "k=v,k=v" -> <match k="v" .../>, built with libxml2 (which escapes the values); an
 * element given as such is taken as it is. A name that is not one fails the parse. */
static char *match_xml(const char *spec)
{
	const char *p = spec + strspn(spec, " \t");
	if (*p == '<')
		return strdup(p);
	char *copy = strdup(spec), *save = NULL, *out = NULL;
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr m = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "match", NULL) : NULL;
	xmlChar *text = NULL;
	int len = 0;

	if (!copy || !m)
		goto out;
	xmlDocSetRootElement(doc, m);
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq;
		item += strspn(item, " \t");
		if (!*item)
			continue;
		if ((eq = strchr(item, '=')))
			*eq++ = '\0';
		if (!xmlNewProp(m, BAD_CAST item, BAD_CAST(eq ? eq : "")))
			goto out;
	}
	xmlDocDumpMemory(doc, &text, &len);
	if (text)
		out = strdup((const char *)text);
out:
	xmlFree(text);
	xmlFreeDoc(doc);
	free(copy);
	return out;
}

int answerfile_parse_match(const char *spec, struct disk_selector *sel, struct diag_list *d)
{
	struct xml_doc x;
	struct af a = { .x = &x, .d = d };
	size_t errors_before = d->n_errors;
	char *xml = match_xml(spec);
	int r;

	if (!xml)
		return -ENOMEM;
	r = xml_doc_parse(&x, xml, strlen(xml), d);
	if (r == 0) {
		const xmlNode *m = xmlDocGetRootElement(x.doc);
		if (!m || strcmp((const char *)m->name, "match") != 0) {
			diag_error(d, m ? xml_pos_node(&x, m) : (struct src_pos){ 1, 1 }, "a disk filter is <match .../> or "
				   "key=value,key=value (model=, serial=, wwn=, bus=, min-size=, max-size=, rotational=)");
			r = -EINVAL;
		} else {
			parse_match(&a, m, sel);
			r = d->oom ? -ENOMEM : d->n_errors > errors_before ? -EINVAL : 0;
		}
	}
	xml_doc_free(&x);
	free(xml);
	return r;
}

int answerfile_check_zone(const struct install_config *c, const char *zoneinfo, struct diag_list *d)
{
	char path[PATH_MAX];
	struct stat st;

	if (!c->timezone[0] || !zoneinfo || stat(zoneinfo, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;   /* no zone given, or no zoneinfo here to check it against */
	if (snprintf(path, sizeof(path), "%s/%s", zoneinfo, c->timezone) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	diag_error(d, c->timezone_pos, "<timezone> \"%s\" is not a time zone (there is no %s); write one "
		   "such as Europe/London or Etc/UTC ('timedatectl list-timezones' lists them)", c->timezone, path);
	return -EINVAL;
}
