/* cmdline.c: the kernel command line (see cmdline.h). */
#include "cmdline.h"
#include "fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate.h"

void cmdline_init(struct kernel_cmdline *k)
{
	memset(k, 0, sizeof(*k));
	k->atexit = POST_REBOOT;
}

static struct src_pos at(unsigned col)
{
	return (struct src_pos){ 1, col };
}

static int kv_static(const char *key, const char *val, struct kc_netconfig *n, struct diag_list *d,
		     unsigned col, int *ip_prefix, unsigned *mask_prefix, bool *has_mask)
{
	const char *why;
	struct in_addr a;

	if (!strcmp(key, "ip")) {
		if ((why = parse_ipv4_cidr(val, &a, ip_prefix)))
			return diag_error(d, at(col), "network_config: ip=%s: %s", val, why), -EINVAL;
		inet_ntop(AF_INET, &a, n->ip, sizeof(n->ip));
	} else if (!strcmp(key, "netmask")) {
		if ((why = parse_netmask(val, mask_prefix)))
			return diag_error(d, at(col), "network_config: netmask=%s: %s", val, why), -EINVAL;
		*has_mask = true;
	} else if (!strcmp(key, "gateway")) {
		if ((why = parse_ipv4(val, &a)))
			return diag_error(d, at(col), "network_config: gateway=%s: %s", val, why), -EINVAL;
		inet_ntop(AF_INET, &a, n->gateway, sizeof(n->gateway));
	} else if (!strcmp(key, "dns")) {
		char buf[256];
		if (copy_str(buf, sizeof(buf), val) < 0)
			return diag_error(d, at(col), "network_config: dns= is too long"), -EINVAL;
		char *save = NULL;
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if ((why = check_ip_any(t)))
				return diag_error(d, at(col), "network_config: dns server %s: %s", t, why), -EINVAL;
			if (n->n_dns >= KC_MAX_DNS)
				return diag_error(d, at(col), "network_config: more than %d dns servers", KC_MAX_DNS), -EINVAL;
			copy_str(n->dns[n->n_dns++], sizeof(n->dns[0]), t);
		}
	} else if (!strcmp(key, "vlan")) {
		unsigned long long v;
		if (parse_uint(val, 1, 4094, &v) < 0)
			return diag_error(d, at(col), "network_config: vlan=%s is not a VLAN id: use 1 to 4094", val), -EINVAL;
		n->vlan = (unsigned)v;
	} else {
		return diag_error(d, at(col), "network_config: unknown key \"%s\": the keys are ip, netmask, gateway, "
				  "dns and vlan, separated by ';'", key), -EINVAL;
	}
	return 0;
}

int network_config_parse(const char *v, struct kc_netconfig *n, struct diag_list *d, unsigned col)
{
	const char *usage = "write network_config=dhcp or network_config=static:ip=192.0.2.10;netmask=255.255.255.0;"
			    "gateway=192.0.2.1;dns=192.0.2.1";
	char buf[512];
	int ip_prefix = -1, r = 0;
	unsigned mask_prefix = 0;
	bool has_mask = false;

	memset(n, 0, sizeof(*n));
	if (!strcmp(v, "dhcp")) {
		n->mode = KC_NET_DHCP;
		return 0;
	}
	if (strncmp(v, "static:", 7) != 0) {
		diag_error(d, at(col), "network_config=%s is not understood: %s", v, usage);
		return -EINVAL;
	}
	if (copy_str(buf, sizeof(buf), v + 7) < 0) {
		diag_error(d, at(col), "network_config= is too long");
		return -EINVAL;
	}
	n->mode = KC_NET_STATIC;
	char *save = NULL;
	for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');
		if (!eq || eq == t || !eq[1]) {
			diag_error(d, at(col), "network_config: \"%s\" is not key=value; %s", t, usage);
			r = -EINVAL;
			continue;
		}
		*eq = '\0';
		if (kv_static(t, eq + 1, n, d, col, &ip_prefix, &mask_prefix, &has_mask) < 0)
			r = -EINVAL;
	}
	if (r < 0)
		return r;
	if (!n->ip[0]) {
		diag_error(d, at(col), "network_config=static needs ip=; %s", usage);
		return -EINVAL;
	}
	if (ip_prefix >= 0 && has_mask && (unsigned)ip_prefix != mask_prefix) {
		diag_error(d, at(col), "network_config: ip=/%d and netmask= (/%u) disagree; give the prefix once",
			   ip_prefix, mask_prefix);
		return -EINVAL;
	}
	if (ip_prefix < 0 && !has_mask) {
		diag_error(d, at(col), "network_config=static needs netmask= (or ip=ADDRESS/PREFIX); %s", usage);
		return -EINVAL;
	}
	n->prefix = ip_prefix >= 0 ? (unsigned)ip_prefix : mask_prefix;
	struct in_addr ia, ga;
	inet_pton(AF_INET, n->ip, &ia);
	const char *why = check_ipv4_host(ia, n->prefix);
	if (why) {
		diag_error(d, at(col), "network_config: ip=%s/%u cannot be the host's address: %s", n->ip, n->prefix, why);
		return -EINVAL;
	}
	if (n->gateway[0]) {
		inet_pton(AF_INET, n->gateway, &ga);
		if (!ipv4_same_subnet(ia, ga, n->prefix)) {
			diag_error(d, at(col), "network_config: gateway=%s is not in %s/%u; fix the gateway or the netmask",
				   n->gateway, n->ip, n->prefix);
			return -EINVAL;
		}
	}
	return 0;
}

static int set_param(const char *key, const char *val, struct kernel_cmdline *k, struct diag_list *d,
		     unsigned col)
{
	const char *why;

	if (!strcmp(key, "answerfile")) {
		if (val[0] != '/' && strcmp(val, "auto") != 0 && strcmp(val, "dhcp") != 0 && (why = check_url(val, URL_ANY)))
			return diag_error(d, at(col), "answerfile=%s: %s; use an http://, https://, ftp:// or file:// "
					  "URL", val, why), -EINVAL;
		if (copy_str(k->answerfile, sizeof(k->answerfile), val) < 0)
			return diag_error(d, at(col), "answerfile= is too long"), -EINVAL;
	} else if (!strcmp(key, "answerfile_device") || !strcmp(key, "network_device")) {
		char mac[18];
		const char *dev = val;   /* "all", a MAC (normalised) or a NIC name */
		if (strchr(val, ':') && !parse_mac(val, mac))
			dev = mac;
		else if (strcmp(val, "all") != 0 && (why = check_ifname(val)))
			return diag_error(d, at(col), "%s=%s: %s; give a NIC name (eth0), a MAC address or \"all\"", key,
					  val, why), -EINVAL;
		copy_str(k->network_device, sizeof(k->network_device), dev);
	} else if (!strcmp(key, "network_config")) {
		return network_config_parse(val, &k->net, d, col);
	} else if (!strcmp(key, "atexit")) {
		if (!strcmp(val, "reboot"))
			k->atexit = POST_REBOOT;
		else if (!strcmp(val, "poweroff"))
			k->atexit = POST_POWEROFF;
		else if (!strcmp(val, "shell"))
			k->atexit = POST_SHELL;
		else
			return diag_error(d, at(col), "atexit=%s is not valid: use reboot, poweroff or shell", val), -EINVAL;
		k->atexit_set = true;
	} else if (!strcmp(key, "answerfile_timeout")) {
		unsigned long long v;
		if (parse_uint(val, 0, 86400, &v) < 0)
			return diag_error(d, at(col), "answerfile_timeout=%s is not a number of seconds (0 to 86400)", val),
			       -EINVAL;
		k->fetch_timeout = (unsigned)v;
		k->fetch_timeout_set = true;
	} else if (!strcmp(key, "syslog")) {
		if (!val[0] || strpbrk(val, "/ @") || copy_str(k->syslog, sizeof(k->syslog), val) < 0)
			return diag_error(d, at(col), "syslog=%s: give the syslog server as HOST or HOST:PORT (UDP)", val),
			       -EINVAL;
	} else if (!strcmp(key, "report_url")) {
		if ((why = check_url(val, URL_HTTP | URL_HTTPS)))
			return diag_error(d, at(col), "report_url=%s: %s; use an http:// or https:// URL", val, why), -EINVAL;
		if (copy_str(k->report_url, sizeof(k->report_url), val) < 0)
			return diag_error(d, at(col), "report_url= is too long"), -EINVAL;
	} else if (!strcmp(key, "answerfile_ca")) {
		if (val[0] != '/' || copy_str(k->ca_file, sizeof(k->ca_file), val) < 0)
			return diag_error(d, at(col), "answerfile_ca=%s: give the absolute path of a PEM file (on the boot "
					  "medium: /run/initramfs/live/...)", val), -EINVAL;
	} else if (!strcmp(key, "answerfile_pin")) {
		if (strncmp(val, "sha256//", 8) != 0 || copy_str(k->pinned_key, sizeof(k->pinned_key), val) < 0)
			return diag_error(d, at(col), "answerfile_pin=%s: give the server's public key hash as "
					  "sha256//BASE64 (see docs/pxe.md)", val), -EINVAL;
	} else if (!strcmp(key, "console")) {
		if (k->n_consoles >= KC_MAX_CONSOLES)
			return diag_error(d, at(col), "more than %d console= parameters", KC_MAX_CONSOLES), -EINVAL;
		if (!val[0] || copy_str(k->consoles[k->n_consoles], sizeof(k->consoles[0]), val) < 0)
			return diag_error(d, at(col), "console=%s is not a console", val), -EINVAL;
		k->n_consoles++;
	}
	return 0;
}

static bool ours(const char *key)
{
	static const char *const keys[] = { "answerfile", "answerfile_device", "network_device", "network_config",
					    "atexit", "console", "answerfile_timeout", "answerfile_ca", "answerfile_pin", "report_url", "syslog",
					    NULL };
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

int cmdline_parse(const char *s, struct kernel_cmdline *k, struct diag_list *d)
{
	size_t len = strlen(s);
	char *tok = malloc(len + 1);
	int r = 0;

	if (!tok)
		return -ENOMEM;
	for (size_t i = 0; i < len; ) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
			i++;
		if (i >= len)
			break;
		size_t start = i, n = 0;
		bool quoted = false;
		/* a word; double quotes group spaces and are removed, as the kernel does */
		for (; i < len && (quoted || (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')); i++) {
			if (s[i] == '"')
				quoted = !quoted;
			else
				tok[n++] = s[i];
		}
		tok[n] = '\0';
		unsigned col = (unsigned)start + 1;
		if (quoted) {
			diag_error(d, at(col), "unbalanced double quote in the kernel command line; close it");
			r = -EINVAL;
			break;
		}
		char *eq = strchr(tok, '=');
		if (!eq) {
			if (ours(tok)) {
				diag_error(d, at(col), "%s needs a value: write %s=...", tok, tok);
				r = -EINVAL;
			}
			continue;
		}
		*eq = '\0';
		/* root=live:URL (PXE): where the install environment's image came from, the
		 * default image source of a network install */
		if (!strcmp(tok, "root")) {
			if (!strncmp(eq + 1, "live:", 5) && url_is_remote(eq + 6))
				copy_str(k->live_url, sizeof(k->live_url), eq + 6);
			else
				k->live_url[0] = '\0';
			continue;
		}
		if (ours(tok) && set_param(tok, eq + 1, k, d, col) < 0)
			r = -EINVAL;
	}
	free(tok);
	return r;
}

int cmdline_read(const char *path, struct kernel_cmdline *k, struct diag_list *d)
{
	char buf[8192];
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		diag_error(d, (struct src_pos){ 0, 0 }, "cannot read %s: %s", path, strerror(e));
		return -e;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			diag_error(d, (struct src_pos){ 0, 0 }, "cannot read %s: %s", path, strerror(e));
			return -e;
		}
		if (n == 0 || (len += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	return cmdline_parse(buf, k, d);
}
