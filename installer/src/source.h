/* source.h: where the answer file comes from, and what the installer tells servers
 * about the host.
 *
 *   --answerfile X, else answerfile=X on the kernel command line, where X is
 *     http://, https://, ftp://   fetched (with retries) into <run>/answerfile.xml;
 *                                 {mac} and {serial} in X are replaced first
 *     file:///path, /path         a local file (the boot medium is under /run/initramfs/live)
 *     dhcp                        the URL in DHCP option 224 (site-specific) of a lease of
 *                                 the install environment's network (systemd-networkd
 *                                 asks for it), then fetched as above
 *     auto                        1. /answerfile.xml on the volume labelled XENHOST-ANSWER,
 *                                 2. /answerfile.xml at the root of the boot medium,
 *                                 3. the DHCP option, as with dhcp
 *
 * Each HTTP request carries the host's identity, so that one server can answer per
 * host (as Kickstart servers do with X-RHN-Provisioning-MAC-N):
 *   X-Xenhost-MAC-0: eth0 52:54:00:12:34:56    (one per NIC, in the host's naming order)
 *   X-Xenhost-Serial: <DMI system serial>      X-Xenhost-Product: <DMI product name> */
#ifndef XH_SOURCE_H
#define XH_SOURCE_H

#include <limits.h>
#include <stddef.h>

#include "config.h"
#include "fetch.h"
#include "probe.h"
#include "xlog.h"

#define ANSWER_VOLUME_LABEL "XENHOST-ANSWER"
#define LIVE_MEDIUM_DIR "/run/initramfs/live"
#define RUN_DIR "/run/xenhost"
#define LEASES_DIR "/run/systemd/netif/leases"   /* systemd-networkd's DHCP leases */
#define ANSWER_DHCP_OPTION 224                   /* the answer file URL (site-specific option) */

struct host_identity {
	char macs[FETCH_MAX_HEADERS - 2][18];   /* lower case, the host's NIC order */
	char names[FETCH_MAX_HEADERS - 2][16];
	size_t n_macs;
	char serial[128];
	char product[128];
	/* storage for the header lines handed to fetch_opts */
	char lines[FETCH_MAX_HEADERS][200];
};

/* Read the NICs (<sysfs>/class/net) and DMI ids (<sysfs>/class/dmi/id), and fill
 * o->headers with the identity headers. */
void host_identity_read(const char *sysfs, struct host_identity *id, struct fetch_opts *o);

struct answer_source {
	char path[PATH_MAX];        /* the local file to parse */
	char origin[CFG_URL_MAX];   /* where it came from, for messages and the report */
	char volume_dev[64];        /* the XENHOST-ANSWER volume's block device ("sdb1"), or "" */
};

struct source_env {
	const char *run_dir;        /* RUN_DIR: fetched files go here */
	const char *live_dir;       /* LIVE_MEDIUM_DIR */
	const char *leases_dir;     /* LEASES_DIR when NULL */
	const struct host_identity *id;
	const struct fetch_opts *fetch;
};

/* The URL in DHCP option ANSWER_DHCP_OPTION of a systemd-networkd lease file (saved
 * as OPTION_224=<hex bytes>). 0, -ENOENT (no such option), -EINVAL (not an http, https
 * or ftp URL, or too long), or the errno of reading the file. */
int lease_answer_url(const char *lease_file, char *url, size_t n);

/* The block device name ("sdb1") of the volume labelled XENHOST-ANSWER, if any. */
int answer_volume_find(char *name, size_t n);

/* Resolve `given` (see above) into a local file. 0, or a negative errno after a
 * message on stderr: -ENOENT (nothing there), a fetch error, -EINVAL. */
int answer_locate(const char *given, const struct source_env *env, struct answer_source *out, struct xlog *log);

#endif
