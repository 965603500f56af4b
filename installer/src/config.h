/* config.h: struct install_config, what the operator asked for.
 *
 * Filled by the answer file parser (answerfile.c) or by the interactive screens
 * (ui.c, uimodel.c); read by the planner (plan.c). It holds only the operator's choices, never
 * anything probed from the hardware. Every field has a default set by
 * config_init(); positions (struct src_pos) say where a value came from in the
 * answer file, so that the planner can point at the line of a disk that does not
 * exist (line 0 when a value did not come from a file). */
#ifndef XH_CONFIG_H
#define XH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "validate.h"

#define CFG_MAX_GUEST_DISKS 16
#define CFG_MAX_NAMESERVERS 8
#define CFG_MAX_NTP_SERVERS 8
#define CFG_MAX_SCRIPTS 16
#define CFG_MAX_SERVICES 64
#define CFG_URL_MAX 2048
#define CFG_PATH_MAX 256
#define CFG_NAME_MAX 256
#define CFG_PASSWORD_MAX 512
#define CFG_MAX_SSH_KEYS 16
#define CFG_SSH_KEY_MAX 4096

/* What an answer file answered (install_config.given): with interactive="partial" the
 * screens ask only the rest. */
enum {
	GIVEN_MODE = 1u << 0,          /* mode= on <installation> */
	GIVEN_KEYMAP = 1u << 1,
	GIVEN_PRIMARY_DISK = 1u << 2,
	GIVEN_STORAGE = 1u << 3,       /* <guest-disk>, sr-type= */
	GIVEN_ADMIN = 1u << 4,         /* <admin-interface>: the NIC and its addresses */
	GIVEN_HOSTNAME = 1u << 5,
	GIVEN_TIMEZONE = 1u << 6,
	GIVEN_NTP = 1u << 7,           /* <ntp>, <ntp-server> */
	GIVEN_PASSWORD = 1u << 8,
};

enum install_mode { MODE_FRESH, MODE_REINSTALL, MODE_UPGRADE, MODE_RESTORE };
enum sr_type { SR_EXT4, SR_XFS };
enum firmware_mode { FW_AUTO, FW_BIOS, FW_UEFI };
enum post_action { POST_REBOOT, POST_POWEROFF, POST_SHELL };
enum pw_type { PW_NONE, PW_PLAINTEXT, PW_HASH };
enum source_type { SOURCE_LOCAL, SOURCE_URL };
enum proto4 { PROTO4_NONE, PROTO4_DHCP, PROTO4_STATIC };
enum proto6 { PROTO6_NONE, PROTO6_DHCP, PROTO6_STATIC, PROTO6_AUTOCONF };
enum ntp_source { NTP_DEFAULT, NTP_DHCP, NTP_MANUAL, NTP_NONE };
enum script_stage { STAGE_INSTALLATION_START, STAGE_FILESYSTEM_POPULATED, STAGE_INSTALLATION_COMPLETE };
enum net_backend { NETBACK_BRIDGE, NETBACK_OPENVSWITCH };

/* Which disk: by name (sda, /dev/sda, /dev/disk/by-id/...) or by a filter that must
 * match exactly one probed disk. */
enum disk_sel_kind { DISK_SEL_NONE, DISK_SEL_PATH, DISK_SEL_FILTER };

struct disk_filter {
	char model[CFG_NAME_MAX];   /* fnmatch pattern, case-insensitive; "" = any */
	char serial[CFG_NAME_MAX];  /* fnmatch pattern, case-insensitive; "" = any */
	char wwn[CFG_NAME_MAX];     /* fnmatch pattern, case-insensitive; "" = any */
	char bus[16];               /* exact: sata, sas, scsi, nvme, virtio, xen, usb, mmc; "" = any */
	uint64_t min_size;          /* bytes; 0 = no minimum */
	uint64_t max_size;          /* bytes; 0 = no maximum */
	int rotational;             /* -1 any, 0 solid state, 1 spinning */
};

struct disk_selector {
	enum disk_sel_kind kind;
	char path[CFG_PATH_MAX];    /* normalised: /dev/sda or /dev/disk/by-id/NAME */
	struct disk_filter filter;
	struct src_pos pos;         /* where the disk was named */
};

struct net_admin {
	char name[16];              /* eth0; "" when chosen by hwaddr */
	char hwaddr[18];            /* lower case aa:bb:..; "" when chosen by name */
	enum proto4 proto;
	enum proto6 protov6;
	unsigned vlan;              /* 0 = untagged, else 1..4094 */
	char ipv4[16];              /* static: address without prefix */
	unsigned prefix4;           /* static: 1..32 */
	char gateway4[16];          /* "" = none */
	char ipv6[46];              /* static: address without prefix */
	unsigned prefix6;           /* static: 1..128 */
	char gateway6[46];          /* "" = none */
	struct src_pos pos;
};

struct install_script {
	enum script_stage stage;
	char url[CFG_URL_MAX];
	unsigned timeout_s;       /* timeout= (seconds); past it the script is stopped */
};
/* A script's deadline unless timeout= says otherwise, and the largest one allowed. */
#define SCRIPT_DEFAULT_TIMEOUT_S 600
#define SCRIPT_MAX_TIMEOUT_S 86400

struct install_service {
	char name[CFG_NAME_MAX];
	bool enabled;
};

/* Partition sizes in bytes, each a multiple of 1 MiB. */
struct part_sizes {
	uint64_t root, backup, esp, logs, swap;
};

struct install_config {
	enum install_mode mode;

	/* disks */
	struct disk_selector primary_disk;     /* fresh, reinstall */
	bool guest_storage;                    /* local storage on the primary disk */
	bool sr_at_end;                        /* local storage is the last partition */
	struct disk_selector guest_disks[CFG_MAX_GUEST_DISKS];
	size_t n_guest_disks;
	struct disk_selector existing_installation;  /* upgrade */
	bool upgrade_force;                          /* upgrade a newer version (a downgrade) */
	struct disk_selector backup_disk;            /* restore (optional) */
	enum sr_type sr_type;
	struct part_sizes sizes;
	enum firmware_mode firmware;

	/* the system */
	char keymap[64];
	enum pw_type root_password_type;
	char root_password[CFG_PASSWORD_MAX];  /* plaintext or crypt hash; wiped by config_free */
	bool ssh_root_password;                /* root may log in over SSH with the password */
	char ssh_keys[CFG_MAX_SSH_KEYS][CFG_SSH_KEY_MAX];  /* root's authorized_keys lines */
	size_t n_ssh_keys;
	enum source_type source;
	char source_url[CFG_URL_MAX];
	struct net_admin admin;
	char nameservers[CFG_MAX_NAMESERVERS][46];
	size_t n_nameservers;
	char hostname[254];                    /* "" = from DHCP, else a generated one */
	char timezone[101];
	struct src_pos timezone_pos;   /* where <timezone> was given (0: not given) */
	enum ntp_source ntp;
	char ntp_servers[CFG_MAX_NTP_SERVERS][254];
	size_t n_ntp_servers;
	bool write_boot_entry;                 /* UEFI NVRAM entry with efibootmgr */
	enum net_backend network_backend;      /* accepted; the host always uses a Linux bridge */
	struct install_script scripts[CFG_MAX_SCRIPTS];
	size_t n_scripts;
	struct install_service services[CFG_MAX_SERVICES];
	size_t n_services;

	/* dom0 sizing overrides; 0 = computed from the host by the planner */
	uint64_t dom0_memory;
	unsigned dom0_vcpus;

	char report_url[CFG_URL_MAX];          /* "" = no report */
	enum post_action post_action;
	bool post_action_set;                  /* given in the answer file */

	bool interactive_partial;              /* <installation interactive="partial"> */
	unsigned given;                        /* GIVEN_* */
};

/* Defaults: fresh, ext4, XenServer partition sizes, auto firmware, us keymap,
 * Etc/UTC, DHCP NTP default, reboot. */
void config_init(struct install_config *c);
/* Wipe secrets. The struct owns no heap memory. */
void config_wipe(struct install_config *c);

const char *mode_name(enum install_mode m);
const char *sr_type_name(enum sr_type t);
const char *firmware_name(enum firmware_mode f);
const char *post_action_name(enum post_action a);
const char *stage_name(enum script_stage s);

/* Default partition sizes (docs/architecture.md) and the accepted ranges. */
#define DEFAULT_ROOT_SIZE (18 * GiB)
#define DEFAULT_BACKUP_SIZE (18 * GiB)
#define DEFAULT_ESP_SIZE (512 * MiB)
#define DEFAULT_LOGS_SIZE (4 * GiB)
#define DEFAULT_SWAP_SIZE (1 * GiB)

#endif
