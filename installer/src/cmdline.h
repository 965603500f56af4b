/* cmdline.h: the installer's parameters on the kernel command line.
 *
 *   answerfile=URL|/path|auto|dhcp
 *                               http, https, ftp or file URL (or a path on the boot medium);
 *                               auto: the XENHOST-ANSWER volume, the boot medium, then DHCP
 *                               option 224; dhcp: only DHCP option 224
 *   answerfile_device=NIC       the NIC to bring up to fetch it (XCP-ng's older name)
 *   network_device=NIC          the same; NIC is a name (eth0), a MAC address or "all"
 *   network_config=dhcp
 *   network_config=static:ip=A[/P];netmask=M;gateway=G;dns=D1,D2;vlan=V
 *   atexit=reboot|poweroff|shell
 *   answerfile_timeout=SECONDS  how long to retry fetching (default 300)
 *   answerfile_ca=/path.pem     https: trust only this CA
 *   answerfile_pin=sha256//B64  https: accept only this server public key
 *   console=...                 repeatable; the last one is the primary console
 *   report_url=URL              http(s): where the install report goes when the answer file
 *                               names none, or could not be fetched or read (fleets: one
 *                               collector set in the PXE menu hears every failure)
 *   syslog=HOST[:PORT]          also send the install log to this syslog server (UDP, 514)
 *   root=live:URL               (dracut's, for PXE) remembered as the default image URL
 *
 * Other parameters belong to the kernel and are ignored. A parameter given twice
 * takes its last value (as the kernel does), except console= which accumulates.
 * Problems are recorded in d at line 1, column = the parameter's position. */
#ifndef XH_CMDLINE_H
#define XH_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "diag.h"

#define KC_MAX_DNS 4
#define KC_MAX_CONSOLES 8

enum kc_net { KC_NET_UNSET, KC_NET_DHCP, KC_NET_STATIC };

/* The network used to fetch the answer file (not the host's network). */
struct kc_netconfig {
	enum kc_net mode;
	char ip[16];            /* static: dotted address */
	unsigned prefix;        /* static: 1..32 */
	char gateway[16];       /* "" = none */
	char dns[KC_MAX_DNS][46];
	size_t n_dns;
	unsigned vlan;          /* 0 = untagged */
};

struct kernel_cmdline {
	char answerfile[CFG_URL_MAX];   /* "" = not given */
	char live_url[CFG_URL_MAX];
	char report_url[CFG_URL_MAX];   /* report_url=, or "" */
	char syslog[272];               /* syslog=HOST[:PORT], or "" */     /* root=live:http(s)|ftp://... of a network boot, or "" */
	char network_device[32];        /* "" = not given; a name, a MAC (lower case) or "all" */
	struct kc_netconfig net;
	enum post_action atexit;
	bool atexit_set;
	unsigned fetch_timeout;
	bool fetch_timeout_set;
	char ca_file[256];
	char pinned_key[128];
	char consoles[KC_MAX_CONSOLES][64];
	size_t n_consoles;
};

void cmdline_init(struct kernel_cmdline *k);
/* Parse a whole command line (the text of /proc/cmdline). 0, or -EINVAL with the
 * problems in d. */
int cmdline_parse(const char *s, struct kernel_cmdline *k, struct diag_list *d);
/* Parse the value of network_config= (col: where it starts, for messages). */
int network_config_parse(const char *v, struct kc_netconfig *n, struct diag_list *d, unsigned col);
/* Read a file holding a command line (normally /proc/cmdline) and parse it. */
int cmdline_read(const char *path, struct kernel_cmdline *k, struct diag_list *d);

#endif
