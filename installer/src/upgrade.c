/* upgrade.c: upgrade in place and restore (see upgrade.h). */
#define _FILE_OFFSET_BITS 64
#include "upgrade.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "disk.h"
#include "exec.h"
#include "fsutil.h"
#include "run.h"
#include "validate.h"

/* The executor's context and what only an upgrade or restore needs. */
struct uctx {
	struct ictx c;                 /* first: the steps get &u->c */
	char backup_dir[PATH_MAX];     /* where the backup is mounted */
	char backup_uuid[UUID_STR];    /* its filesystem: as found, or made by step_backup */
	char new_krel[128];
	unsigned carried;              /* paths carried over */
};

static struct uctx *U(struct ictx *c)
{
	return (struct uctx *)(void *)((char *)c - offsetof(struct uctx, c));
}

/* --- inventory text */
int inv_set(char **text, const char *key, const char *value)
{
	size_t kl = strlen(key), len;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	char clean[1024];
	if (!f)
		return -ENOMEM;
	for (const char *l = *text; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) + 1 : strlen(l);
		if (!(strncmp(l, key, kl) == 0 && l[kl] == '='))
			fwrite(l, 1, n, f);
		if (!end && n && l[n - 1] != '\n')
			fputc('\n', f);
		l += n;
	}
	inv_clean(value, clean, sizeof(clean));
	fprintf(f, "%s='%s'\n", key, clean);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	free(*text);
	*text = buf;
	return 0;
}

int preserve_list_parse(const char *text, int (*fn)(void *ud, const char *rel), void *ud, unsigned *bad_line)
{
	unsigned line = 0;
	char path[PATH_MAX];
	for (const char *l = text; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);
		line++;
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
			n--;
		while (n && (*l == ' ' || *l == '\t'))
			l++, n--;
		if (n && *l != '#') {
			while (n && *l == '/')
				l++, n--;
			if (!n || n >= sizeof(path)) {
				*bad_line = line;
				return -EINVAL;
			}
			snprintf(path, sizeof(path), "%.*s", (int)n, l);
			for (char *s = path; s; s = strchr(s, '/'), s = s ? s + 1 : NULL)
				if (!strncmp(s, "..", 2) && (s[2] == '/' || !s[2])) {
					*bad_line = line;
					return -EINVAL;
				}
			int r = fn(ud, path);
			if (r < 0)
				return r;
		}
		l = end ? end + 1 : NULL;
	}
	return 0;
}

/* --- helpers */
static int mkfs_root_like(struct ictx *c, enum part_role role, const char *uuid)
{
	char label[40];
	struct plan_part pp = { .role = role, .fs = FS_EXT4 };
	snprintf(pp.label, sizeof(pp.label), "xh-%s-%s", role == PART_ROOT ? "root" : "backup", c->ex->suffix);
	fs_label(&pp, c->ex->suffix, label, sizeof(label));
	const char *with_uuid[] = { "mkfs.ext4", "-F", "-q", "-L", label, "-U", uuid, c->ex->dev[role], NULL };
	const char *plain[] = { "mkfs.ext4", "-F", "-q", "-L", label, c->ex->dev[role], NULL };
	c->disks_written = true;
	int r = run_argv(c->log, NULL, uuid ? with_uuid : plain, NULL);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: making the ext4 filesystem of the %s partition %s failed\n",
			part_role_name(role), c->ex->dev[role]);
	return r;
}

static int mount_part(struct ictx *c, enum part_role role, const char *dir, bool ro)
{
	int r = do_mount(c, c->ex->dev[role], dir, "ext4", MS_NODEV | MS_NOSUID | (ro ? MS_RDONLY : 0), NULL);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: cannot mount the %s partition %s on %s: %s\n", part_role_name(role),
			c->ex->dev[role], dir, strerror(-r));
	return r;
}

/* cp -a: ownership, modes, times, hard links, symlinks, xattrs and ACLs */
static int copy_tree(struct ictx *c, const char *from, const char *to)
{
	char src[PATH_MAX + 4];
	snprintf(src, sizeof(src), "%s/.", from);
	const char *argv[] = { "cp", "-a", "--preserve=all", "--one-file-system", src, to, NULL };
	int r = run_argv(c->log, NULL, argv, NULL);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: copying %s to %s failed (see the log)\n", from, to);
	return r;
}

static int write_text(struct ictx *c, const char *path, const char *text, mode_t mode)
{
	int r = write_file(path, text, strlen(text), mode);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: cannot write %s: %s\n", path, strerror(-r));
	else
		xlog_msg(c->log, "wrote %s", path);
	return r;
}

static void os_from(struct grub_os *os, const char *uuid, const struct existing_root *rt, const char *krel,
		    const char *version)
{
	memset(os, 0, sizeof(*os));
	snprintf(os->uuid, sizeof(os->uuid), "%s", uuid);
	snprintf(os->krel, sizeof(os->krel), "%s", krel);
	snprintf(os->version, sizeof(os->version), "%s", version);
	os->dom0_mem_mib = rt->dom0_mem_mib ? rt->dom0_mem_mib : 2048;
	os->dom0_vcpus = rt->dom0_vcpus ? rt->dom0_vcpus : 4;
	snprintf(os->xen_options, sizeof(os->xen_options), "%s", rt->xen_options);
	snprintf(os->dom0_options, sizeof(os->dom0_options), "%s", rt->dom0_options);
}

static int write_grub_cfg(struct ictx *c, const struct grub_os *os, const struct grub_os *prev, const char *kind,
			  bool trial)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len;
	int r;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	gen_grub_menu(f, os, prev, kind, trial);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	if ((r = tpath(c, path, sizeof(path), "boot/grub/grub.cfg")) == 0 && (r = mkdir_parents(path)) == 0)
		r = write_text(c, path, buf, 0644);
	free(buf);
	return r;
}

/* GRUB for both firmware modes from the root c->root (its own GRUB), reading its
 * /boot/grub/grub.cfg; the ESP is mounted (or staged) on <root>/boot/efi. */
static int install_grub_in_root(struct ictx *c)
{
	int r;
	c->chroot_ready = false;
	c->esp_staged = false;
	if ((r = step_mount_esp(c, 0)) < 0 || (r = step_grub_bios(c, 0)) < 0 || (r = step_grub_uefi(c, 0)) < 0)
		return r;
	return 0;
}

/* --- the steps */
static int step_backup(struct ictx *c, size_t arg)
{
	struct uctx *u = U(c);
	const struct existing *ex = c->ex;
	char marker[PATH_MAX + 32], text[512], now[XLOG_UTC_LEN];
	int r;
	(void)arg;
	if ((r = mkfs_root_like(c, PART_BACKUP, NULL)) < 0)
		return r;
	if ((r = dev_fs_uuid(ex->dev[PART_BACKUP], u->backup_uuid, sizeof(u->backup_uuid), NULL, 0)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot read the UUID of the new backup filesystem %s\n",
			ex->dev[PART_BACKUP]);
		return r;
	}
	if ((r = mount_part(c, PART_ROOT, c->o->target, true)) < 0 || (r = mount_part(c, PART_BACKUP, u->backup_dir, false)) < 0)
		return r;
	xlog_msg(c->log, "copying the root (version %s, %.0f MiB) to the backup partition %s", ex->root.version,
		 (double)ex->root.used / (double)MiB, ex->dev[PART_BACKUP]);
	if ((r = copy_tree(c, c->o->target, u->backup_dir)) < 0)
		return r;
	/* the marker last: a backup without it is not a backup (a copy cut short) */
	xlog_utc(time(NULL), now);
	snprintf(text, sizeof(text), "# The previous root of this host, saved by xenhost-installer %s before an upgrade.\n"
		 "BACKUP_OF_VERSION='%s'\nBACKUP_DATE='%s'\nBACKUP_OF_ROOT='%s'\n", XENHOST_VERSION, ex->root.version, now,
		 ex->root.fs_uuid);
	snprintf(marker, sizeof(marker), "%s/" BACKUP_MARKER, u->backup_dir);
	if ((r = write_text(c, marker, text, 0644)) < 0)
		return r;
	return umount_to(c, 0);
}

/* GRUB boots the backup (the old version) while the root is remade. */
static int step_boot_backup(struct ictx *c, size_t arg)
{
	struct uctx *u = U(c);
	const struct existing *ex = c->ex;
	struct grub_os os;
	int r;
	(void)arg;
	const struct existing_root *rt = c->p->mode == MODE_RESTORE ? &ex->backup : &ex->root;
	os_from(&os, u->backup_uuid, rt, rt->krel, rt->version);
	c->root = u->backup_dir;
	c->disks_written = true;
	if ((r = mount_part(c, PART_BACKUP, u->backup_dir, false)) < 0 || (r = write_grub_cfg(c, &os, NULL, NULL, false)) < 0 ||
	    (r = install_grub_in_root(c)) < 0)
		return r;
	r = umount_to(c, 0);
	c->root = c->o->target;
	return r;
}

/* The root remade (same filesystem UUID, so /etc/fstab and the inventory stay true). */
static int step_new_root(struct ictx *c, size_t arg)
{
	char dir[PATH_MAX];
	int r;
	(void)arg;
	c->root = c->o->target;
	if ((r = mkfs_root_like(c, PART_ROOT, c->ex->root.fs_uuid)) < 0 || (r = mount_part(c, PART_ROOT, c->o->target, false)) < 0)
		return r;
	if ((r = tpath(c, dir, sizeof(dir), "var/log")) < 0 || (r = mount_part(c, PART_LOGS, dir, false)) < 0)
		return r;
	c->logs_mounted = true;
	return 0;
}

struct carry {
	struct ictx *c;
	const char *from;   /* the old root (the backup) */
};

static int carry_one(struct ictx *c, const char *from, const char *rel)
{
	char src[PATH_MAX], dst[PATH_MAX], pat[PATH_MAX];
	struct stat st;
	glob_t g;
	int r = 0;
	size_t fl = strlen(from);
	bool dir = rel[strlen(rel) - 1] == '/';
	snprintf(pat, sizeof(pat), "%s/%.*s", from, (int)(strlen(rel) - (dir ? 1 : 0)), rel);
	int gr = glob(pat, GLOB_NOSORT, NULL, &g);
	if (gr == GLOB_NOMATCH) {
		xlog_msg(c->log, "preserve: /%s is not on the old root", rel);
		return 0;
	}
	if (gr != 0)
		return -ENOMEM;
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++) {
		snprintf(src, sizeof(src), "%s", g.gl_pathv[i]);
		if (lstat(src, &st) < 0)
			continue;
		if ((r = tpath(c, dst, sizeof(dst), src + fl)) < 0 || (r = mkdir_parents(dst)) < 0)
			break;
		const char *argv[] = { "cp", "-a", "--preserve=all", "-T", "--remove-destination", src, dst, NULL };
		const char *dargv[] = { "cp", "-a", "--preserve=all", "-T", src, dst, NULL };
		if ((r = run_argv(c->log, NULL, S_ISDIR(st.st_mode) ? dargv : argv, NULL)) < 0) {
			fprintf(stderr, "xenhost-installer: cannot carry %s over to the new root\n", src + fl);
			break;
		}
		U(c)->carried++;
		xlog_msg(c->log, "preserved %s", src + fl);
	}
	globfree(&g);
	return r;
}

static int carry_cb(void *ud, const char *rel)
{
	struct carry *k = ud;
	return carry_one(k->c, k->from, rel);
}

int preserve_lists(const char *root, int (*fn)(void *ud, const char *rel), void *ud, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent **v = NULL;
	int r = 0;
	snprintf(dir, sizeof(dir), "%s/etc/xenhost/preserve.d", root);
	int n = scandir(dir, &v, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]->d_name);
		if (r == 0 && l > 5 && !strcmp(v[i]->d_name + l - 5, ".list")) {
			char *text = NULL;
			unsigned bad = 0;
			snprintf(path, sizeof(path), "%s/%s", dir, v[i]->d_name);
			if ((r = read_file(path, &text)) < 0)
				snprintf(err, errlen, "/etc/xenhost/preserve.d/%.100s cannot be read", v[i]->d_name);
			else if ((r = preserve_list_parse(text, fn, ud, &bad)) == -EINVAL && bad)
				snprintf(err, errlen, "/etc/xenhost/preserve.d/%.100s:%u is not a path under / (empty, or with "
					 "a \"..\")", v[i]->d_name, bad);
			else if (r < 0)
				snprintf(err, errlen, "/etc/xenhost/preserve.d/%.100s: %s", v[i]->d_name, strerror(-r));
			free(text);
		}
		free(v[i]);
	}
	free(v);
	return r;
}

/* the operator's lists: <old root>/etc/xenhost/preserve.d/NAME.list, in name order */
static int carry_lists(struct ictx *c, const char *from)
{
	struct carry k = { c, from };
	char err[300];
	int r = preserve_lists(from, carry_cb, &k, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "xenhost-installer: %s; fix it and run the upgrade again\n", err);
	return r;
}

/* Replace path's content, keeping its mode and owner (st: its stat before). */
static int rewrite_like(const char *path, const char *text, const struct stat *st)
{
	int r = write_file(path, text, strlen(text), st->st_mode & 07777);
	if (r == 0 && chown(path, st->st_uid, st->st_gid) < 0)
		r = -errno;
	return r;
}

/* Free a text that may hold password hashes, wiping it first. */
static void free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static int carry_root_password(struct ictx *c, const char *from)
{
	char old[PATH_MAX], cur[PATH_MAX], hash[CFG_PASSWORD_MAX] = "";
	char *otext = NULL, *ntext = NULL, *out = NULL;
	struct stat st;
	int r;
	snprintf(old, sizeof(old), "%s/etc/shadow", from);
	if ((r = tpath(c, cur, sizeof(cur), "etc/shadow")) < 0)
		return r;
	if ((r = read_file(old, &otext)) < 0 || (r = read_file(cur, &ntext)) < 0 || stat(cur, &st) < 0) {
		fprintf(stderr, "xenhost-installer: cannot read the old and new /etc/shadow: %s\n", strerror(r < 0 ? -r : errno));
		r = r < 0 ? r : -errno;
		goto out;
	}
	for (const char *l = otext; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, "root:", 5)) {
			size_t n = strcspn(l + 5, ":\n");
			if (n < sizeof(hash))
				snprintf(hash, sizeof(hash), "%.*s", (int)n, l + 5);
			break;
		}
	if (!hash[0]) {
		fprintf(stderr, "xenhost-installer: the old /etc/shadow has no root password: set one with passwd "
			"after the upgrade\n");
		r = 0;
		goto out;
	}
	if ((r = shadow_set_root(ntext, hash, (long)(time(NULL) / 86400), &out)) < 0 ||
	    (r = rewrite_like(cur, out, &st)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot carry the root password over to %s: %s\n", cur, strerror(-r));
		goto out;
	}
	xlog_msg(c->log, "preserved root's password hash in /etc/shadow");
out:
	explicit_bzero(hash, sizeof(hash));
	free_secret(otext);
	free(ntext);
	free_secret(out);
	return r;
}

static void names_log(struct xlog *log, const char *what, const struct names *s)
{
	char buf[512] = "";
	size_t o = 0;
	for (size_t i = 0; i < s->n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", s->v[i]);
	xlog_msg(log, "%s: %zu (%s)", what, s->n, s->n ? buf : "none");
}

/* One account file of the new root, with old's local accounts merged in (accounts.h). */
static int merge_account_file(struct ictx *c, const char *from, const char *rel, const struct names *add,
			      const struct names *users, int members, struct names *clash)
{
	char old[PATH_MAX], cur[PATH_MAX];
	char *otext = NULL, *ntext = NULL, *out = NULL;
	struct stat st;
	int r;
	snprintf(old, sizeof(old), "%s/%s", from, rel);
	if ((r = tpath(c, cur, sizeof(cur), rel)) < 0)
		return r;
	if (access(old, F_OK) < 0) {
		xlog_msg(c->log, "preserve: /%s is not on the old root", rel);
		return 0;
	}
	if ((r = read_file(old, &otext)) < 0 || (r = read_file(cur, &ntext)) < 0 || (stat(cur, &st) < 0 && (r = -errno))) {
		fprintf(stderr, "xenhost-installer: cannot read /%s of the old and the new root: %s\n", rel, strerror(-r));
		goto out;
	}
	if ((r = accounts_merge(otext, ntext, add, users, members, clash, &out)) < 0 ||
	    (r = rewrite_like(cur, out, &st)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot carry the local accounts over to %s: %s\n", cur, strerror(-r));
		goto out;
	}
	xlog_msg(c->log, "preserved the local accounts in /%s", rel);
out:
	/* shadow and gshadow hold password hashes */
	free_secret(otext);
	free(ntext);
	free_secret(out);
	return r;
}

/* The users and groups the operator added (IDs 1000-59999), their password hashes and
 * their memberships in the image's groups; an account the new image already has is kept
 * as the image has it, and named on the console. */
static int carry_accounts(struct ictx *c, const char *from)
{
	static const struct {
		const char *rel;
		int users, members;
	} files[] = { { "etc/passwd", 1, -1 }, { "etc/shadow", 1, -1 }, { "etc/group", 0, 3 }, { "etc/gshadow", 0, 3 } };
	struct names users = { 0 }, groups = { 0 }, clash = { 0 };
	char path[PATH_MAX];
	char *text = NULL;
	int r;
	for (int g = 0; g < 2; g++) {
		snprintf(path, sizeof(path), "%s/etc/%s", from, g ? "group" : "passwd");
		if ((r = read_file(path, &text)) < 0 || (r = accounts_local(text, g ? &groups : &users)) < 0) {
			fprintf(stderr, "xenhost-installer: cannot read the local accounts of the old root in %s: %s\n", path,
				strerror(-r));
			goto out;
		}
		free(text);
		text = NULL;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && r == 0 && (users.n || groups.n); i++)
		r = merge_account_file(c, from, files[i].rel, files[i].users ? &users : &groups, &users, files[i].members,
				       &clash);
	if (r < 0)
		goto out;
	names_log(c->log, "local users carried over", &users);
	names_log(c->log, "local groups carried over", &groups);
	if (clash.n) {
		names_log(c->log, "local accounts the new version already has (kept as it has them)", &clash);
		fprintf(stderr, "xenhost-installer: warning: the new version has its own account named %s%s: the old "
			"account of that name was not carried over; check its files' owners after the upgrade\n",
			clash.v[0], clash.n > 1 ? " (and others, see the log)" : "");
	}
out:
	free(text);
	names_free(&users);
	names_free(&groups);
	names_free(&clash);
	return r;
}

/* the inventory of the old root, as the new version's */
static int carry_inventory(struct ictx *c, const char *from)
{
	struct uctx *u = U(c);
	char old[PATH_MAX], now[XLOG_UTC_LEN], *text = NULL;
	int r;
	snprintf(old, sizeof(old), "%s/etc/xenhost-inventory", from);
	if ((r = read_file(old, &text)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot read %s: %s\n", old, strerror(-r));
		return r;
	}
	xlog_utc(time(NULL), now);
	if ((r = inv_set(&text, "PRODUCT_VERSION", XENHOST_VERSION)) < 0 ||
	    (r = inv_set(&text, "PREVIOUS_VERSION", c->ex->root.version)) < 0 || (r = inv_set(&text, "UPGRADE_DATE", now)) < 0 ||
	    (r = inv_set(&text, "BOOT_MODE", c->p->firmware == FW_UEFI ? "uefi" : "bios")) < 0 ||
	    (r = inv_set(&text, "BACKUP_UUID", u->backup_uuid)) < 0)
		goto out;
	r = write_in_target(c, "etc/xenhost-inventory", text, 0644);
out:
	free(text);
	return r;
}

/* the first boot of the new version: an upgrade; the units that redo things run again */
static int mark_firstboot(struct ictx *c)
{
	static const char *const rerun[] = UPGRADE_RERUN_UNITS;
	char path[PATH_MAX], rel[128], now[XLOG_UTC_LEN], text[256];
	int r;
	for (size_t i = 0; rerun[i]; i++) {
		const char *ext[] = { "done", "failed" };
		for (size_t k = 0; k < 2; k++) {
			snprintf(rel, sizeof(rel), FIRSTBOOT_STATE "/%s.%s", rerun[i], ext[k]);
			if ((r = tpath(c, path, sizeof(path), rel)) < 0)
				return r;
			if (unlink(path) < 0 && errno != ENOENT) {
				r = -errno;
				fprintf(stderr, "xenhost-installer: cannot remove %s: %s\n", path, strerror(-r));
				return r;
			}
		}
	}
	xlog_utc(time(NULL), now);
	snprintf(text, sizeof(text), "FROM_VERSION='%s'\nTO_VERSION='%s'\nDATE='%s'\n", c->ex->root.version, XENHOST_VERSION,
		 now);
	return write_in_target(c, FIRSTBOOT_STATE "/upgrade", text, 0644);
}

static int step_carry(struct ictx *c, size_t arg)
{
	struct uctx *u = U(c);
	static const char *const builtin[] = PRESERVE_BUILTIN;
	int r;
	(void)arg;
	if ((r = mount_part(c, PART_BACKUP, u->backup_dir, true)) < 0)
		return r;
	for (size_t i = 0; builtin[i]; i++)
		if ((r = carry_one(c, u->backup_dir, builtin[i])) < 0)
			return r;
	if ((r = carry_lists(c, u->backup_dir)) < 0 || (r = carry_root_password(c, u->backup_dir)) < 0 ||
	    (r = carry_accounts(c, u->backup_dir)) < 0 ||
	    (r = carry_inventory(c, u->backup_dir)) < 0 || (r = mark_firstboot(c)) < 0)
		return r;
	xlog_msg(c->log, "carried over %u paths, the root password, the local accounts and the inventory from version %s", u->carried,
		 c->ex->root.version);
	return 0;
}

static int grubenv(struct ictx *c, const char *const *args)
{
	const char *argv[8] = { "grub-editenv", "/boot/grub/grubenv" };
	struct run_opts o = { .chroot = c->root };
	size_t n = 2;
	for (; *args && n < 7; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	int r = run_argv(c->log, &o, argv, NULL);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: grub-editenv on %s/boot/grub/grubenv failed\n", c->root);
	return r;
}

/* GRUB boots the new root by default, on trial; the backup is the previous version */
static int step_boot_new(struct ictx *c, size_t arg)
{
	struct uctx *u = U(c);
	const struct existing *ex = c->ex;
	struct grub_os os, prev;
	int r;
	(void)arg;
	struct target_facts facts;
	memset(&facts, 0, sizeof(facts));
	c->facts = &facts;
	r = find_krel(c);
	snprintf(u->new_krel, sizeof(u->new_krel), "%s", facts.krel);
	c->facts = NULL;
	if (r < 0)
		return r;
	os_from(&os, ex->root.fs_uuid, &ex->root, u->new_krel, XENHOST_VERSION);
	os_from(&prev, u->backup_uuid, &ex->root, ex->root.krel, ex->root.version);
	char trial[32];
	snprintf(trial, sizeof(trial), "xh_trial=%d", UPGRADE_TRIAL_BOOTS);
	const char *create[] = { "create", NULL }, *set[] = { "set", trial, NULL };
	if ((r = write_grub_cfg(c, &os, &prev, "previous version", true)) < 0 || (r = chroot_prepare(c)) < 0 ||
	    (r = grubenv(c, create)) < 0 || (r = grubenv(c, set)) < 0)
		return r;
	return install_grub_in_root(c);
}

/* restore: the root becomes a copy of the backup */
static int step_restore_root(struct ictx *c, size_t arg)
{
	struct uctx *u = U(c);
	char path[PATH_MAX];
	int r;
	(void)arg;
	if ((r = mkfs_root_like(c, PART_ROOT, c->ex->root.fs_uuid[0] ? c->ex->root.fs_uuid : NULL)) < 0 ||
	    (r = mount_part(c, PART_ROOT, c->o->target, false)) < 0 || (r = mount_part(c, PART_BACKUP, u->backup_dir, true)) < 0)
		return r;
	xlog_msg(c->log, "copying the backup (version %s) to the root partition %s", c->ex->backup.version,
		 c->ex->dev[PART_ROOT]);
	if ((r = copy_tree(c, u->backup_dir, c->o->target)) < 0)
		return r;
	if ((r = tpath(c, path, sizeof(path), BACKUP_MARKER)) < 0 || (unlink(path) < 0 && errno != ENOENT))
		return r < 0 ? r : -errno;
	if ((r = umount_to(c, 1)) < 0)   /* the backup; the root stays */
		return r;
	if ((r = tpath(c, path, sizeof(path), "var/log")) < 0 || (r = mount_part(c, PART_LOGS, path, false)) < 0)
		return r;
	c->logs_mounted = true;
	return 0;
}

static int step_boot_restored(struct ictx *c, size_t arg)
{
	struct uctx *u = U(c);
	const struct existing *ex = c->ex;
	struct grub_os os, prev;
	char root_uuid[UUID_STR], path[PATH_MAX];
	int r;
	(void)arg;
	if ((r = dev_fs_uuid(ex->dev[PART_ROOT], root_uuid, sizeof(root_uuid), NULL, 0)) < 0)
		return r;
	os_from(&os, root_uuid, &ex->backup, ex->backup.krel, ex->backup.version);
	os_from(&prev, u->backup_uuid, &ex->backup, ex->backup.krel, ex->backup.version);
	/* no trial: the restored version is the one known to work */
	if ((r = tpath(c, path, sizeof(path), "boot/grub/grubenv")) < 0 || (unlink(path) < 0 && errno != ENOENT))
		return r < 0 ? r : -errno;
	if ((r = write_grub_cfg(c, &os, &prev, "backup", false)) < 0)
		return r;
	return install_grub_in_root(c);
}

static int step_save_log(struct ictx *c, size_t arg)
{
	(void)arg;
	xlog_msg(c->log, "%s complete in %.1f s; saving this log as /var/log/installer/%s",
		 c->p->mode == MODE_UPGRADE ? "upgrade" : "restore", xlog_now() - c->log->t0, c->log_name);
	int r = save_log(c);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: cannot save the log in /var/log/installer/: %s\n", strerror(-r));
	return r;
}

static int step_unmount_all(struct ictx *c, size_t arg)
{
	(void)arg;
	int r = umount_to(c, 0);
	c->logs_mounted = false;
	return r;
}

static enum install_result run(const struct install_plan *p, struct install_opts *o, const struct existing *ex,
			       struct xlog *log)
{
	struct uctx *u = calloc(1, sizeof(*u));
	struct step *steps = calloc(MAX_STEPS, sizeof(*steps));
	struct install_plan *pl = malloc(sizeof(*pl));
	size_t n = 0, verify_idx = 0;
	enum install_result res = INSTALL_FAILED;
	bool upgrade = p->mode == MODE_UPGRADE;
	char timed[64];

	if (!u || !steps || !pl || !p->n_disks)
		goto out;
	/* the plan with the installation's partitions, for the steps shared with a fresh install */
	*pl = *p;
	struct plan_disk *pd = &pl->disks[0];
	pd->n_parts = 0;
	for (int r = 0; r < PLAN_MAX_PARTS; r++)
		if (ex->num[r]) {
			struct plan_part *pp = &pd->parts[pd->n_parts++];
			memset(pp, 0, sizeof(*pp));
			pp->number = ex->num[r];
			pp->role = (enum part_role)r;
			pp->fs = r == PART_ESP ? FS_VFAT : r == PART_SWAP ? FS_SWAP : r == PART_BIOSBOOT ? FS_NONE : FS_EXT4;
		}
	u->c = (struct ictx){ .p = pl, .o = o, .log = log, .root = o->target, .ex = ex,
			      .log_name = upgrade ? "upgrade.log" : "restore.log" };
	if (snprintf(u->backup_dir, sizeof(u->backup_dir), "%s-backup", o->target) >= (int)sizeof(u->backup_dir))
		goto out;
	/* the backup's filesystem as found (restore, a resumed upgrade); step_backup makes a new one */
	snprintf(u->backup_uuid, sizeof(u->backup_uuid), "%s", ex->backup.fs_uuid);
	if (upgrade && find_image(&u->c) < 0) {
		res = INSTALL_REFUSED_IMAGE;
		goto out;
	}
	add_step(steps, &n, step_check_disks, 0, "check that %s is not in use", ex->disk);
	if (upgrade) {
		if (o->image_url)
			add_step(steps, &n, step_fetch_image, 0, "fetch the image from %s", o->image_url);
		verify_idx = n;
		add_step(steps, &n, step_verify, 0, "verify the image %s (sha256)", u->c.image);
		if (!ex->resume) {
			add_step(steps, &n, step_backup, 0, "copy the root (version %s) to the backup partition %s",
				 ex->root.version, ex->dev[PART_BACKUP]);
			add_step(steps, &n, step_boot_backup, 0, "make GRUB boot the backup while the root is remade");
		}
		add_step(steps, &n, step_new_root, 0, "make a new root filesystem on %s", ex->dev[PART_ROOT]);
		add_step(steps, &n, step_unpack, 0, "unpack the image");
		add_step(steps, &n, step_carry, 0, "carry over the configuration of version %s", ex->root.version);
		snprintf(timed, sizeof(timed), "%d boots to confirm", UPGRADE_TRIAL_BOOTS);
		add_step(steps, &n, step_boot_new, 0, "install GRUB: %s by default (on trial, %s), %s as previous version",
			 XENHOST_VERSION, timed, ex->root.version);
	} else {
		add_step(steps, &n, step_boot_backup, 0, "make GRUB boot the backup (version %s) while the root is remade",
			 ex->backup.version);
		add_step(steps, &n, step_restore_root, 0, "copy the backup to the root partition %s", ex->dev[PART_ROOT]);
		add_step(steps, &n, step_boot_restored, 0, "install GRUB: %s by default", ex->backup.version);
	}
	add_step(steps, &n, step_save_log, 0, "save the log");
	add_step(steps, &n, step_unmount_all, 0, "unmount the target");
	xlog_msg(log, "xenhost-installer %s: %s of %s, %zu steps", XENHOST_VERSION, upgrade ? "upgrade" : "restore",
		 ex->disk, n);
	res = exec_steps(&u->c, steps, n, verify_idx);
out:
	free(steps);
	free(u);
	free(pl);
	return res;
}

enum install_result upgrade_run(const struct install_plan *p, struct install_opts *o, const struct existing *ex,
				struct xlog *log)
{
	return run(p, o, ex, log);
}

enum install_result restore_run(const struct install_plan *p, struct install_opts *o, const struct existing *ex,
				struct xlog *log)
{
	return run(p, o, ex, log);
}
