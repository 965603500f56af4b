/* validate.c: syntax checks for operator-written values. */
#include "validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	if (l >= n) {
		if (n)
			dst[0] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, l + 1);
	return 0;
}

int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", KiB }, { "KiB", KiB }, { "M", MiB }, { "MiB", MiB },
		{ "G", GiB }, { "GiB", GiB }, { "T", TiB }, { "TiB", TiB },
		{ "KB", UINT64_C(1000) }, { "MB", UINT64_C(1000000) },
		{ "GB", UINT64_C(1000000000) }, { "TB", UINT64_C(1000000000000) },
	};
	uint64_t v = 0;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	while (*p == ' ')
		p++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (v > UINT64_MAX / units[i].mult)
			return -ERANGE;
		*out = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

const char *fmt_size(uint64_t b, char *buf, size_t n)
{
	static const struct { uint64_t mult; const char *unit; } u[] = {
		{ TiB, "TiB" }, { GiB, "GiB" }, { MiB, "MiB" }, { KiB, "KiB" },
	};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (b < u[i].mult)
			continue;
		if (b % u[i].mult == 0)
			snprintf(buf, n, "%" PRIu64 " %s", b / u[i].mult, u[i].unit);
		else
			snprintf(buf, n, "%.1f %s", (double)b / (double)u[i].mult, u[i].unit);
		return buf;
	}
	snprintf(buf, n, "%" PRIu64 " B", b);
	return buf;
}

const char *check_hostname(const char *s)
{
	size_t total = strlen(s), label = 0;

	if (total == 0)
		return "it is empty";
	if (total > 253)
		return "it is longer than 253 characters";
	for (const char *p = s; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0)
				return "it has an empty label (two dots, or a dot at the start or end)";
			if (p[-1] == '-')
				return "a label ends with '-'";
			if (*p == '\0')
				break;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return "it may contain only letters, digits, '-' and '.'";
		if (label == 0 && *p == '-')
			return "a label starts with '-'";
		if (++label > 63)
			return "a label is longer than 63 characters";
	}
	return NULL;
}

const char *check_timezone(const char *s)
{
	size_t comp = 0;

	if (!*s)
		return "it is empty";
	if (strlen(s) > 100)
		return "it is too long";
	if (s[0] == '/')
		return "it must be a zone name such as Europe/Paris, not a path";
	for (const char *p = s; ; p++) {
		if (*p == '/' || *p == '\0') {
			if (comp == 0)
				return "it has an empty component";
			if (*p == '\0')
				break;
			comp = 0;
			continue;
		}
		if (comp == 0 && !isalpha((unsigned char)*p))
			return "each component must start with a letter (Europe/Paris, Etc/GMT+5)";
		if (!isalnum((unsigned char)*p) && !strchr("_+-", *p))
			return "it may contain only letters, digits, '_', '+', '-' and '/'";
		comp++;
	}
	return NULL;
}

const char *check_keymap(const char *s)
{
	if (!*s)
		return "it is empty";
	if (strlen(s) > 63)
		return "it is longer than 63 characters";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
			return "it may contain only letters, digits, '_', '-' and '.'";
	return NULL;
}

const char *check_ifname(const char *s)
{
	if (!*s)
		return "it is empty";
	if (strlen(s) > 15)
		return "an interface name has at most 15 characters";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "it is not an interface name";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
			return "it may contain only letters, digits, '_', '-' and '.'";
	return NULL;
}

const char *check_service_name(const char *s)
{
	if (!*s)
		return "it is empty";
	if (strlen(s) > 200)
		return "it is too long";
	if (s[0] == '-')
		return "a unit name does not start with '-' (systemctl would take it for an option)";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.@:\\", *p))
			return "a unit name may contain only letters, digits and '_-.@:'";
	return NULL;
}

const char *parse_mac(const char *s, char out[18])
{
	unsigned char b[6];
	char sep = 0;

	if (strlen(s) != 17)
		return "a MAC address has the form 52:54:00:12:34:56";
	for (int i = 0; i < 6; i++) {
		const char *p = s + (size_t)3 * (size_t)i;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			return "a MAC address has the form 52:54:00:12:34:56";
		if (i < 5) {
			if (p[2] != ':' && p[2] != '-')
				return "a MAC address has the form 52:54:00:12:34:56";
			if (sep && p[2] != sep)
				return "mixed separators in the MAC address";
			sep = p[2];
		}
		char hex[3] = { p[0], p[1], 0 };
		b[i] = (unsigned char)strtoul(hex, NULL, 16);
	}
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return NULL;
}

const char *check_url(const char *s, unsigned schemes)
{
	static const struct { const char *prefix; unsigned bit; } sch[] = {
		{ "http://", URL_HTTP }, { "https://", URL_HTTPS },
		{ "ftp://", URL_FTP }, { "file://", URL_FILE },
	};
	for (size_t i = 0; i < sizeof(sch) / sizeof(sch[0]); i++) {
		size_t l = strlen(sch[i].prefix);
		if (strncasecmp(s, sch[i].prefix, l) != 0)
			continue;
		if (!(schemes & sch[i].bit))
			return "this kind of URL is not accepted here";
		if (!s[l] || (sch[i].bit == URL_FILE && s[l] != '/'))
			return sch[i].bit == URL_FILE ? "a file URL needs an absolute path (file:///path)"
						      : "the URL has no host";
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				return "the URL contains a space or a control character";
		if (strlen(s) > 2000)
			return "the URL is longer than 2000 characters";
		return NULL;
	}
	return "the URL must start with a supported scheme";
}

static bool all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(set, s[i]))
			return false;
	return true;
}

const char *check_crypt_hash(const char *s)
{
	/* $id$[param$]salt$hash, fields in the crypt alphabet [./0-9A-Za-z] */
	const char *f[6];
	size_t len[6], nf = 0;

	if (s[0] != '$')
		return "a password hash starts with '$' (for example $6$salt$hash from mkpasswd -m sha-512)";
	/* every field, the salt and parameters too, in the crypt alphabet: anything else (a
	 * ':' or a newline) would be written into /etc/shadow as it is */
	if (!all_in(s, strlen(s), "./$=,"))
		return "a password hash has only the characters [./0-9A-Za-z$=,]";
	for (const char *p = s + 1; nf < 6; ) {
		const char *e = strchr(p, '$');
		f[nf] = p;
		len[nf] = e ? (size_t)(e - p) : strlen(p);
		nf++;
		if (!e)
			break;
		p = e + 1;
	}
	if (nf < 3)
		return "a password hash has the form $id$salt$hash";
	const char *id = f[0];
	size_t idl = len[0];
	const char *hash = f[nf - 1];
	size_t hl = len[nf - 1];
	if (!all_in(hash, hl, "./"))
		return "the hash part has characters outside [./0-9A-Za-z]";
	if ((idl == 1 && id[0] == '6') || (idl == 1 && id[0] == '5')) {
		size_t want = id[0] == '6' ? 86 : 43;
		size_t salt = nf - 2;
		if (nf == 4 && strncmp(f[1], "rounds=", 7) != 0)
			return "unexpected field in a SHA-crypt hash";
		if (nf > 4 || len[salt] < 1 || len[salt] > 16)
			return "a SHA-crypt hash has a salt of 1 to 16 characters";
		if (hl != want)
			return id[0] == '6' ? "a $6$ (SHA-512) hash has 86 characters after the salt"
					    : "a $5$ (SHA-256) hash has 43 characters after the salt";
		return NULL;
	}
	if (idl == 1 && id[0] == 'y')
		return nf == 4 && hl == 43 ? NULL : "a $y$ (yescrypt) hash has the form $y$params$salt$43-character-hash";
	if (idl == 2 && id[0] == '2' && strchr("aby", id[1]))
		return nf == 3 && hl == 53 ? NULL : "a bcrypt hash has the form $2b$cost$53-characters";
	if (idl == 1 && id[0] == '1')
		return nf == 3 && hl == 22 ? NULL : "an MD5-crypt hash has the form $1$salt$22-characters";
	return "unknown hash method: use $6$ (SHA-512) or $y$ (yescrypt)";
}

bool looks_like_crypt_hash(const char *s)
{
	static const char *const ids[] = { "$1$", "$5$", "$6$", "$y$", "$2a$", "$2b$", "$2y$", "$7$", "$gy$", NULL };
	for (size_t i = 0; ids[i]; i++)
		if (!strncmp(s, ids[i], strlen(ids[i])))
			return true;
	return false;
}

const char *parse_ipv4(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1)
		return "it is not an IPv4 address (dotted decimal, like 192.0.2.10)";
	return NULL;
}

const char *parse_ipv4_cidr(const char *s, struct in_addr *a, int *prefix)
{
	char buf[64];
	const char *slash = strchr(s, '/');

	*prefix = -1;
	if (!slash)
		return parse_ipv4(s, a);
	if ((size_t)(slash - s) >= sizeof(buf))
		return "it is not an IPv4 address";
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	unsigned long long p;
	if (parse_uint(slash + 1, 1, 32, &p) < 0)
		return "the prefix length after '/' must be 1 to 32";
	*prefix = (int)p;
	return parse_ipv4(buf, a);
}

const char *parse_netmask(const char *s, unsigned *prefix)
{
	struct in_addr m;
	unsigned long long p;

	if (s[0] == '/')
		s++;
	if (!strchr(s, '.')) {
		if (parse_uint(s, 1, 32, &p) < 0)
			return "a prefix length must be 1 to 32";
		*prefix = (unsigned)p;
		return NULL;
	}
	if (inet_pton(AF_INET, s, &m) != 1)
		return "it is not a netmask (like 255.255.255.0) or a prefix length (like 24)";
	uint32_t v = ntohl(m.s_addr);
	unsigned n = 0;
	while (n < 32 && (v & (UINT32_C(1) << (31 - n))))
		n++;
	if (n == 32 ? false : (v << n) != 0)
		return "the netmask is not contiguous (its one bits must come first, as in 255.255.255.0)";
	if (n == 0)
		return "a netmask of 0.0.0.0 leaves no network";
	*prefix = n;
	return NULL;
}

static uint32_t mask_of(unsigned prefix)
{
	return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

const char *check_ipv4_host(struct in_addr a, unsigned prefix)
{
	uint32_t v = ntohl(a.s_addr), m = mask_of(prefix);

	if ((v >> 24) == 0)
		return "addresses in 0.0.0.0/8 cannot be given to a host";
	if ((v >> 24) == 127)
		return "it is a loopback address";
	if ((v >> 28) == 0xe)
		return "it is a multicast address";
	if (v == UINT32_MAX)
		return "it is the limited broadcast address";
	if (prefix <= 30 && (v & ~m) == 0)
		return "it is the network address of its subnet";
	if (prefix <= 30 && (v & ~m) == ~m)
		return "it is the broadcast address of its subnet";
	return NULL;
}

bool ipv4_same_subnet(struct in_addr a, struct in_addr b, unsigned prefix)
{
	uint32_t m = mask_of(prefix);
	return (ntohl(a.s_addr) & m) == (ntohl(b.s_addr) & m);
}

const char *parse_ipv6(const char *s, struct in6_addr *a)
{
	if (inet_pton(AF_INET6, s, a) != 1)
		return "it is not an IPv6 address (like 2001:db8::10)";
	return NULL;
}

const char *parse_ipv6_cidr(const char *s, struct in6_addr *a, int *prefix)
{
	char buf[64];
	const char *slash = strchr(s, '/');

	*prefix = -1;
	if (!slash)
		return parse_ipv6(s, a);
	if ((size_t)(slash - s) >= sizeof(buf))
		return "it is not an IPv6 address";
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	unsigned long long p;
	if (parse_uint(slash + 1, 1, 128, &p) < 0)
		return "the prefix length after '/' must be 1 to 128";
	*prefix = (int)p;
	return parse_ipv6(buf, a);
}

const char *check_ip_any(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1)
		return NULL;
	return "it is not an IPv4 or IPv6 address";
}

/* ---------- SSH public keys ---------- */

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Decodes the first out_max bytes of base64 text s[0..len) into out; the number of bytes
 * the whole text decodes to, or -1 when it is not base64 (padding only at the end). */
static long b64_decode_head(const char *s, size_t len, unsigned char *out, size_t out_max)
{
	unsigned long acc = 0;
	size_t bits = 0, n = 0, pad = 0;
	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=') {
			if (i + 2 < len)
				return -1;
			pad++;
			continue;
		}
		int v = b64_value((unsigned char)s[i]);
		if (v < 0 || pad)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < out_max)
				out[n] = (unsigned char)(acc >> bits);
			n++;
		}
	}
	return (long)n;
}

const char *check_ssh_key(const char *s)
{
	static const char *const types[] = {
		"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
		"sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", NULL,
	};
	const char *sp = strchr(s, ' ');
	size_t tl = sp ? (size_t)(sp - s) : strlen(s);
	size_t i;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a key is one line of printable characters";
	for (i = 0; types[i]; i++)
		if (strlen(types[i]) == tl && !strncmp(s, types[i], tl))
			break;
	if (!types[i])
		return tl && memchr(s, '=', tl) ? "options before the key type are not supported: give the key alone "
						 "(its type, the key, a comment)" :
			"the key type is not one OpenSSH accepts (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...)";
	if (!sp || !sp[1] || sp[1] == ' ')
		return "the key itself (base64) is missing after the type";
	const char *k = sp + 1, *ke = strchr(k, ' ');
	size_t kl = ke ? (size_t)(ke - k) : strlen(k);
	unsigned char head[64];
	long n = b64_decode_head(k, kl, head, sizeof(head));
	if (n < 0)
		return "the key is not base64 text (copy the whole line of the .pub file)";
	/* the key blob starts with its type: a 32-bit big-endian length and the name */
	if (n < 4 + (long)tl || (size_t)n < 4)
		return "the key is too short (copy the whole line of the .pub file)";
	unsigned long nl = (unsigned long)head[0] << 24 | (unsigned long)head[1] << 16 | (unsigned long)head[2] << 8 | head[3];
	if (nl != tl || tl > sizeof(head) - 4 || memcmp(head + 4, s, tl) != 0)
		return "the key inside is not of the type written before it";
	if (!strcmp(types[i], "ssh-ed25519") && n != 4 + 11 + 4 + 32)
		return "an ssh-ed25519 key is 51 bytes long; this one is not (copy the whole line of the .pub file)";
	return NULL;
}
