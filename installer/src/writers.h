/* writers.h: the configuration files written on the target, as text.
 *
 * Pure functions from the plan, the configuration and a few facts found while
 * installing (filesystem UUIDs, NICs, the kernel release of the image) to the text
 * of each file, so that each can be compared with an expected file in a unit test.
 * The executor (install.c) writes them under the target root. */
#ifndef XH_WRITERS_H
#define XH_WRITERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "plan.h"
#include "xlog.h"

#define NIC_MAX 32
#define UUID_STR 37

/* A physical Ethernet NIC of the host, in the order that names it ethN. */
struct nic {
	char kname[32];       /* its name in the install environment */
	char name[16];        /* eth0, eth1, ...: its name on the installed host */
	char mac[18];         /* lower case */
	char sortkey[256];    /* the device's sysfs path (PCI address order), for sorting */
	unsigned dev_port;
	char driver[64];
};

struct target_facts {
	const struct install_plan *plan;
	const struct install_config *cfg;
	char root_uuid[UUID_STR], logs_uuid[UUID_STR], esp_uuid[UUID_STR], swap_uuid[UUID_STR];
	char storage_uuid[UUID_STR];       /* the first local storage filesystem, "" if none */
	char storage_label[40];            /* its GPT partition name */
	char installation_uuid[UUID_STR], dom0_uuid[UUID_STR];
	char install_date[XLOG_UTC_LEN];   /* 2024-05-01T12:00:00Z */
	char product_version[32];
	char primary_disk[CFG_PATH_MAX];   /* /dev/disk/by-id/... (or /dev/sda when it has none) */
	char krel[128];                    /* kernel release of the image: /boot/vmlinuz-<krel> */
	struct nic nics[NIC_MAX];
	size_t n_nics;
	int admin_nic;                     /* index in nics of the management NIC, or -1 */
	char admin_name[16];               /* the management NIC's name on the host (eth0) */
	char admin_mac[18];                /* its MAC ("" when unknown) */
};

/* A file to write: path relative to the target root, its text and mode. */
struct gen_file {
	char path[160];
	char *text;           /* malloc'ed */
	size_t len;           /* (open_memstream's size) */
	mode_t mode;
};

struct gen_files {
	struct gen_file v[64];
	size_t n;
};

/* Every generated file: fstab, hostname, hosts, networkd (.netdev, .network, .link),
 * vconsole.conf, timezone, chrony sources, inventory, grub.cfg. 0 or -errno. */
int gen_all(const struct target_facts *t, struct gen_files *out);
void gen_files_free(struct gen_files *g);
const struct gen_file *gen_find(const struct gen_files *g, const char *path);

/* The individual writers (each writes the text of one file to f). */
void gen_fstab(FILE *f, const struct target_facts *t);
void gen_hosts(FILE *f, const char *hostname);
void gen_link(FILE *f, const struct nic *n);
void gen_inventory(FILE *f, const struct target_facts *t);
/* One system GRUB boots: its root filesystem, kernel, version and dom0 settings, and the
 * Xen and dom0 options the operator added (inventory XEN_CMDLINE_EXTRA and
 * DOM0_CMDLINE_EXTRA, kept by upgrades). */
struct grub_os {
	char uuid[UUID_STR];
	char krel[128];
	char version[32];
	unsigned dom0_mem_mib, dom0_vcpus;
	char xen_options[512], dom0_options[512];
};
/* grub.cfg: os by default (normal, serial console, safe mode); prev (NULL: none) as the
 * entry "previous"; trial: the upgrade's try counter (see upgrade.h). */
void gen_grub_menu(FILE *f, const struct grub_os *os, const struct grub_os *prev, const char *prev_kind, bool trial);
/* grub.cfg of a fresh install */
void gen_grub_cfg(FILE *f, const struct target_facts *t);
/* 0 and the text, or -ENOENT when nothing is to be written (NTP from DHCP or default). */
int gen_chrony(FILE *f, const struct install_config *c);
/* The networkd files for xenbr0 (added to out). */
int gen_network(const struct target_facts *t, struct gen_files *out);

/* The install environment's networkd files (names relative to /run/systemd/network)
 * for network_device= and network_config= of the kernel command line: DHCP on every
 * Ethernet NIC by default, or on the one named, or static; a VLAN on top when asked. */
struct kernel_cmdline;
int gen_live_network(const struct kernel_cmdline *k, struct gen_files *out);

/* Name the NICs: sort by sortkey then dev_port and give eth0, eth1, ...; then find
 * the management NIC (by name or MAC). */
void nics_name(struct nic *v, size_t n);
int nics_find_admin(struct target_facts *t);

/* nicprobe.c: the physical Ethernet NICs of <sysfs>/class/net, named by nics_name(). */
int probe_nics(const char *sysfs, struct nic *v, size_t max, size_t *n);

/* A SHA-512 crypt(3) hash of pw with a random 16-character salt (getrandom). */
int hash_password(const char *pw, char *out, size_t n);
/* A hash with a given salt (tests). */
int hash_password_salt(const char *pw, const char *salt16, char *out, size_t n);
/* /etc/shadow's text with root's password field replaced by hash (and the date of
 * the last change set to days); *out is malloc'ed. -ENOENT: no root line. */
int shadow_set_root(const char *in, const char *hash, long days, char **out);

/* A random (version 4) UUID, lower case. */
int uuid_random(char out[UUID_STR]);
/* A filesystem label for a partition, within the filesystem's limit. */
void fs_label(const struct plan_part *pp, const char *suffix, char *out, size_t n);
/* value with ' and control characters removed (inventory values are '...'). */
void inv_clean(const char *in, char *out, size_t n);

#endif
