/* validate.h: syntax checks and parsers for the values an operator writes: sizes,
 * numbers, addresses, names, URLs, password hashes. Pure functions, no I/O.
 *
 * The check_* functions return NULL when the value is valid, or a short static
 * explanation of what is wrong (for use inside a longer message). */
#ifndef XH_VALIDATE_H
#define XH_VALIDATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KiB (UINT64_C(1024))
#define MiB (UINT64_C(1024) * KiB)
#define GiB (UINT64_C(1024) * MiB)
#define TiB (UINT64_C(1024) * GiB)

/* "18GiB", "512M", "1T", "4096", "500GB" (K/M/G/T and KiB.. are binary, KB.. are
 * decimal, no unit is bytes). Returns 0, -EINVAL (syntax) or -ERANGE (overflow). */
int parse_size(const char *s, uint64_t *out);
/* "18 GiB", "1.5 GiB", "512 MiB", "4096 B": for messages and plans. */
const char *fmt_size(uint64_t bytes, char *buf, size_t n);
/* A decimal integer in [min, max], nothing else. 0, -EINVAL or -ERANGE. */
int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *out);

const char *check_hostname(const char *s);
const char *check_timezone(const char *s);
const char *check_keymap(const char *s);
const char *check_ifname(const char *s);
const char *check_service_name(const char *s);
/* A MAC address aa:bb:cc:dd:ee:ff (or with '-'); written lower case with ':' to out[18]. */
const char *parse_mac(const char *s, char out[18]);

enum url_schemes {
	URL_HTTP = 1, URL_HTTPS = 2, URL_FTP = 4, URL_FILE = 8,
	URL_ANY = URL_HTTP | URL_HTTPS | URL_FTP | URL_FILE,
};
const char *check_url(const char *s, unsigned schemes);

/* A crypt(3) hash as written to /etc/shadow: $6$, $5$, $y$, $2b$/$2a$/$2y$, $1$. */
const char *check_crypt_hash(const char *s);
bool looks_like_crypt_hash(const char *s);

/* One line of authorized_keys without options: "<type> <base64 key> [comment]", the type
 * one OpenSSH accepts and the same as the type inside the key. */
const char *check_ssh_key(const char *s);

/* IPv4: an address; an address with an optional "/prefix"; a netmask (dotted,
 * contiguous) or a prefix length 1..32. */
const char *parse_ipv4(const char *s, struct in_addr *a);
const char *parse_ipv4_cidr(const char *s, struct in_addr *a, int *prefix /* -1: none */);
const char *parse_netmask(const char *s, unsigned *prefix);
/* An address that can be given to a host in prefix (not network, broadcast,
 * loopback, multicast, 0.0.0.0/8 or limited broadcast). */
const char *check_ipv4_host(struct in_addr a, unsigned prefix);
bool ipv4_same_subnet(struct in_addr a, struct in_addr b, unsigned prefix);

const char *parse_ipv6(const char *s, struct in6_addr *a);
const char *parse_ipv6_cidr(const char *s, struct in6_addr *a, int *prefix /* -1: none */);
/* Either an IPv4 or an IPv6 address (name servers). */
const char *check_ip_any(const char *s);

/* Copy src to dst[n]; -ENAMETOOLONG when it does not fit (dst is then empty). */
int copy_str(char *dst, size_t n, const char *src);

#endif
