/* config.c: defaults and names for struct install_config. */
#include "config.h"

#include <string.h>

#include "validate.h"

void config_init(struct install_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = MODE_FRESH;
	c->guest_storage = true;
	c->sr_at_end = true;
	c->sr_type = SR_EXT4;
	c->sizes = (struct part_sizes){
		.root = DEFAULT_ROOT_SIZE, .backup = DEFAULT_BACKUP_SIZE, .esp = DEFAULT_ESP_SIZE,
		.logs = DEFAULT_LOGS_SIZE, .swap = DEFAULT_SWAP_SIZE,
	};
	c->firmware = FW_AUTO;
	strcpy(c->keymap, "us");
	strcpy(c->timezone, "Etc/UTC");
	c->root_password_type = PW_NONE;
	c->source = SOURCE_LOCAL;
	c->admin.proto = PROTO4_DHCP;
	c->admin.protov6 = PROTO6_NONE;
	c->ntp = NTP_DEFAULT;
	c->write_boot_entry = true;
	c->network_backend = NETBACK_BRIDGE;
	c->post_action = POST_REBOOT;
	for (size_t i = 0; i < CFG_MAX_GUEST_DISKS; i++)
		c->guest_disks[i].filter.rotational = -1;
	c->primary_disk.filter.rotational = -1;
	c->existing_installation.filter.rotational = -1;
	c->backup_disk.filter.rotational = -1;
}

void config_wipe(struct install_config *c)
{
	/* volatile so that the compiler keeps the stores */
	volatile char *p = c->root_password;
	for (size_t i = 0; i < sizeof(c->root_password); i++)
		p[i] = 0;
}

const char *mode_name(enum install_mode m)
{
	switch (m) {
	case MODE_FRESH: return "fresh";
	case MODE_REINSTALL: return "reinstall";
	case MODE_UPGRADE: return "upgrade";
	case MODE_RESTORE: return "restore";
	}
	return "?";
}

const char *sr_type_name(enum sr_type t)
{
	return t == SR_XFS ? "xfs" : "ext4";
}

const char *firmware_name(enum firmware_mode f)
{
	switch (f) {
	case FW_AUTO: return "auto";
	case FW_BIOS: return "bios";
	case FW_UEFI: return "uefi";
	}
	return "?";
}

const char *post_action_name(enum post_action a)
{
	switch (a) {
	case POST_REBOOT: return "reboot";
	case POST_POWEROFF: return "poweroff";
	case POST_SHELL: return "shell";
	}
	return "?";
}

const char *stage_name(enum script_stage s)
{
	switch (s) {
	case STAGE_INSTALLATION_START: return "installation-start";
	case STAGE_FILESYSTEM_POPULATED: return "filesystem-populated";
	case STAGE_INSTALLATION_COMPLETE: return "installation-complete";
	}
	return "?";
}
