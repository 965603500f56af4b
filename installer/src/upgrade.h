/* upgrade.h: upgrade in place and restore from the backup (docs/architecture.md section 5, docs/upgrade.md).
 *
 * Upgrade: the root is copied file by file to the backup partition (ownership, modes,
 * hard links, xattrs and ACLs kept) and marked as a backup of its version; GRUB is
 * pointed at the backup while the root is remade from the new image; the preserved set
 * (PRESERVE_BUILTIN below, and every path in the old root's
 * /etc/xenhost/preserve.d/NAME.list) is carried over from the backup; GRUB then boots the
 * new version by default, on trial (UPGRADE_TRIAL_BOOTS boots to confirm itself healthy,
 * else GRUB boots the previous version by itself), with the backup as the "previous
 * version" entry. The local storage and the logs partition are never written.
 *
 * Power loss at any point leaves a bootable host: until the backup is complete GRUB
 * boots the untouched root; from then until the new root is complete it boots the
 * backup (the old version); after that the new version.
 *
 * Restore: GRUB is pointed at the backup, the root is remade as a copy of the backup,
 * and GRUB boots it again (the backup stays, as the "previous version" entry). */
#ifndef XH_UPGRADE_H
#define XH_UPGRADE_H

#include "existing.h"
#include "install.h"

#define UPGRADE_TRIAL_BOOTS 3
/* What an upgrade always carries over from the old root (paths relative to it; a
 * trailing '/' is a directory, merged into the new one; globs allowed). */
#define PRESERVE_BUILTIN { \
	"etc/hostname", "etc/hosts", "etc/fstab", "etc/machine-id", "etc/timezone", "etc/localtime", \
	"etc/vconsole.conf", "etc/default/keyboard", "etc/systemd/network/", "etc/chrony/sources.d/", \
	"etc/chrony/chrony.conf", "etc/ssh/ssh_host_*", "etc/ssh/sshd_config.d/", "root/.ssh/", "etc/xenhost/", \
	"etc/iptables/", "etc/xen/", "etc/default/xendomains", "etc/default/xencommons", \
	"etc/systemd/system/xendomains.service.d/", "etc/libvirt/", "var/lib/libvirt/", \
	"var/lib/xenhost/", "var/lib/systemd/random-seed", "home/", "var/spool/cron/crontabs/", NULL }

/* The first-boot units an upgraded host runs again (the others keep their stamps). */
#define UPGRADE_RERUN_UNITS { "network", "xen", "done", NULL }

enum install_result upgrade_run(const struct install_plan *p, struct install_opts *o, const struct existing *ex,
				struct xlog *log);
enum install_result restore_run(const struct install_plan *p, struct install_opts *o, const struct existing *ex,
				struct xlog *log);

/* Set KEY='value' in inventory text (replacing the key's lines, else appended);
 * *text is realloc'ed. 0 or -ENOMEM. */
int inv_set(char **text, const char *key, const char *value);

/* The paths of a preserve.d list: one per line, relative to / (a leading '/' is
 * dropped), '#' comments and blank lines skipped; a path with a ".." component or
 * an empty one is refused (-EINVAL, *bad_line set). Calls fn for each. */
int preserve_list_parse(const char *text, int (*fn)(void *ud, const char *rel), void *ud, unsigned *bad_line);

/* Every path of <root>/etc/xenhost/preserve.d/NAME.list, the lists in name order, to fn.
 * 0, or a negative errno with err saying which list (and line) is at fault. */
int preserve_lists(const char *root, int (*fn)(void *ud, const char *rel), void *ud, char *err, size_t errlen);

#endif
