/* uimodel.c: the texts and checks of the interactive installer (see uimodel.h). */
#include "uimodel.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "validate.h"

const char *ui_disk_line(const struct disk_info *d, char *buf, size_t n, size_t width)
{
	char size[32], line[512];
	const char *model = d->model[0] ? d->model : d->vendor[0] ? d->vendor : "(no model)";
	snprintf(line, sizeof(line), "%-8.8s %9s  %-22.22s %-14.14s %s", d->name, fmt_size(d->size, size, sizeof(size)),
		 model, d->serial[0] ? d->serial : "-", d->bus[0] ? d->bus : "?");
	if (width < sizeof(line))
		line[width] = '\0';
	snprintf(buf, n, "%s", line);
	return buf;
}

bool ui_disk_in_use(const struct disk_info *d)
{
	return d->n_partitions > 0 || d->contents[0];
}

const char *ui_disk_details(const struct disk_info *d, char *buf, size_t n)
{
	const char *id = d->n_by_id ? d->by_id[0] : d->devnode;
	if (d->excluded)
		snprintf(buf, n, "%s: %s, never a target", id, d->excluded);
	else if (d->xenhost_suffix[0])
		snprintf(buf, n, "%s\nWARNING: holds a Xenhost installation (%s); a fresh install erases it, "
			 "an upgrade keeps its configuration.", id, d->contents);
	else if (ui_disk_in_use(d))
		snprintf(buf, n, "%s\nWARNING: holds %u partition(s)%s%s; everything on it is erased.", id, d->n_partitions,
			 d->contents[0] ? ": " : "", d->contents);
	else
		snprintf(buf, n, "%s\nEmpty: no partitions, no signatures.", id);
	return buf;
}

const char *ui_password_check(const char *a, const char *b)
{
	if (!a[0])
		return "The root password is empty: type one, twice.";
	if (strcmp(a, b) != 0)
		return "The two passwords differ: type the same password twice.";
	if (strlen(a) < UI_PASSWORD_MIN)
		return "The root password is too short: it needs at least 8 characters.";
	return NULL;
}

const char *ui_password_strength(const char *pw)
{
	int classes = 0, lower = 0, upper = 0, digit = 0, other = 0;
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
		if (islower(*p))
			lower = 1;
		else if (isupper(*p))
			upper = 1;
		else if (isdigit(*p))
			digit = 1;
		else
			other = 1;
	}
	classes = lower + upper + digit + other;
	size_t l = strlen(pw);
	if (l >= 14 && classes >= 3)
		return "strong";
	if (l >= 10 && classes >= 2)
		return "fair";
	return "weak";
}

const char *ui_static_ipv4(struct install_config *c, const char *addr, const char *mask, const char *gw,
			   const char *dns)
{
	struct in_addr a, g;
	int prefix = -1;
	unsigned pfx;
	if (parse_ipv4_cidr(addr, &a, &prefix))
		return "The IP address is not valid: give it as 192.168.1.10/24, or the address and a netmask.";
	if (prefix < 0) {
		if (!mask[0] || parse_netmask(mask, &pfx))
			return "The netmask is missing or not valid: give it as 255.255.255.0 or /24.";
	} else {
		pfx = (unsigned)prefix;
	}
	if (check_ipv4_host(a, pfx))
		return "The IP address is the network or the broadcast address of its subnet: choose a host address.";
	if (gw[0]) {
		if (parse_ipv4(gw, &g))
			return "The gateway is not a valid IPv4 address.";
		if (!ipv4_same_subnet(a, g, pfx))
			return "The gateway is not in the subnet of the address: check the address, netmask and gateway.";
	}
	char list[512];
	size_t nd = 0;
	snprintf(list, sizeof(list), "%s", dns);
	for (char *save = NULL, *t = strtok_r(list, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
		if (check_ip_any(t))
			return "A DNS server is not a valid IP address: separate several with spaces.";
		if (nd >= CFG_MAX_NAMESERVERS)
			return "Too many DNS servers (at most 8).";
		snprintf(c->nameservers[nd++], sizeof(c->nameservers[0]), "%s", t);
	}
	c->n_nameservers = nd;
	c->admin.proto = PROTO4_STATIC;
	inet_ntop(AF_INET, &a, c->admin.ipv4, sizeof(c->admin.ipv4));
	c->admin.prefix4 = pfx;
	snprintf(c->admin.gateway4, sizeof(c->admin.gateway4), "%s", gw);
	return NULL;
}

void ui_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir that are directories (want_dir) or regular files, named like a
 * zone (an upper-case first letter: not posix/, right/, zone.tab...), sorted. */
static int zone_entries(const char *dir, bool want_dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t k = 0;
	int r = 0;
	if (!d)
		return -errno;
	for (struct dirent *e; (e = readdir(d));) {
		char path[4096];
		struct stat st;
		if (!isupper((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
			continue;
		char **nv = realloc(v, (k + 1) * sizeof(*nv));
		if (!nv || !(nv[k] = strdup(e->d_name))) {
			if (nv)
				v = nv;
			r = -ENOMEM;
			break;
		}
		v = nv;
		k++;
	}
	closedir(d);
	if (r < 0) {
		ui_list_free(v, k);
		return r;
	}
	if (k)
		qsort(v, k, sizeof(*v), cmp_str);
	*out = v;
	*n = k;
	return 0;
}

int ui_tz_regions(const char *zoneinfo, char ***out, size_t *n)
{
	return zone_entries(zoneinfo, true, out, n);
}

int ui_tz_cities(const char *zoneinfo, const char *region, char ***out, size_t *n)
{
	char dir[4096];
	if (strchr(region, '/') || region[0] == '.')
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s/%s", zoneinfo, region);
	return zone_entries(dir, false, out, n);
}

int ui_summary(const struct install_plan *p, const struct install_config *c, char **out)
{
	char *buf = NULL, size[32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "These disks are ERASED, everything on them is lost:\n");
	for (size_t i = 0; i < p->n_disks; i++) {
		const struct disk_info *d = &p->disks[i].disk;
		fprintf(f, "  %s  %s  %s %s%s%s\n", d->devnode, fmt_size(d->size, size, sizeof(size)), d->model,
			d->serial, p->disks[i].primary ? "  (system and boot)" : "  (local storage)",
			ui_disk_in_use(d) ? "  - holds data now" : "");
	}
	const struct net_admin *a = &c->admin;
	fprintf(f, "\nHost: %s, time zone %s, keymap %s\n", c->hostname[0] ? c->hostname : "(name from DHCP)", c->timezone,
		c->keymap);
	if (a->proto == PROTO4_STATIC)
		fprintf(f, "Management network: %s, %s/%u, gateway %s%s\n", a->name[0] ? a->name : a->hwaddr, a->ipv4,
			a->prefix4, a->gateway4[0] ? a->gateway4 : "none", a->vlan ? ", VLAN tagged" : "");
	else
		fprintf(f, "Management network: %s, DHCP%s\n", a->name[0] ? a->name : a->hwaddr, a->vlan ? ", VLAN tagged" : "");
	if (a->vlan)
		fprintf(f, "VLAN: %u\n", a->vlan);
	fprintf(f, "Local storage: %s\n", c->sr_type == SR_XFS ? "XFS" : "ext4");
	fprintf(f, "SSH: root logs in %s\n\n", c->ssh_root_password ? "with its password or a key" : "with a key only");
	plan_print(p, f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
