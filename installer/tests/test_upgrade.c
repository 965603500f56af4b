/* test_upgrade.c: the pure parts of upgrade and restore: version order, inventory
 * reading and editing, preserve.d lists, the decision whether an installation may be
 * upgraded or restored (each refusal's message), the GRUB menu with the previous
 * version and the trial count-down, and the answer file's force="true". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "answerfile.h"
#include "existing.h"
#include "upgrade.h"
#include "writers.h"

static void test_version_cmp(void **state)
{
	(void)state;
	assert_int_equal(version_cmp("0.1.0", "0.1.0"), 0);
	assert_true(version_cmp("0.0.9", "0.1.0") < 0);
	assert_true(version_cmp("0.10.0", "0.9.9") > 0);
	assert_true(version_cmp("1.0", "1.0.1") < 0);
	assert_true(version_cmp("2.0~rc1", "2.0") < 0);
	assert_true(version_cmp("2.0", "2.0~rc1") > 0);
	assert_true(version_cmp("1.02", "1.2") == 0);
	assert_true(version_cmp("99.0", "0.1.0") > 0);
	assert_true(version_cmp("1.0a", "1.0b") < 0);
}

static void test_inventory(void **state)
{
	(void)state;
	char v[64];
	char *text = strdup("# comment\nPRODUCT_VERSION='0.0.9'\nDOM0_MEM='2048'\nBOOT_MODE='bios'");
	assert_non_null(text);
	inv_get(text, "PRODUCT_VERSION", v, sizeof(v));
	assert_string_equal(v, "0.0.9");
	inv_get(text, "BOOT_MODE", v, sizeof(v));
	assert_string_equal(v, "bios");
	inv_get(text, "MISSING", v, sizeof(v));
	assert_string_equal(v, "");
	inv_get(text, "PRODUCT", v, sizeof(v));   /* a prefix is not the key */
	assert_string_equal(v, "");
	assert_int_equal(inv_set(&text, "PRODUCT_VERSION", "0.1.0"), 0);
	assert_int_equal(inv_set(&text, "PREVIOUS_VERSION", "0.0.9"), 0);
	assert_int_equal(inv_set(&text, "HOSTILE", "a'b\nc"), 0);
	assert_string_equal(text, "# comment\nDOM0_MEM='2048'\nBOOT_MODE='bios'\nPRODUCT_VERSION='0.1.0'\n"
				  "PREVIOUS_VERSION='0.0.9'\nHOSTILE='abc'\n");
	free(text);
}

struct seen {
	char v[8][64];
	int n;
};

static int collect(void *ud, const char *rel)
{
	struct seen *s = ud;
	snprintf(s->v[s->n++], 64, "%s", rel);
	return 0;
}

static void test_preserve_list(void **state)
{
	(void)state;
	struct seen s = { .n = 0 };
	unsigned bad = 0;
	assert_int_equal(preserve_list_parse("# tools\n/opt/site/\n\n  /etc/site.conf  \nvar/lib/x*\n", collect, &s, &bad), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0], "opt/site/");
	assert_string_equal(s.v[1], "etc/site.conf");
	assert_string_equal(s.v[2], "var/lib/x*");
	s.n = 0;
	assert_int_equal(preserve_list_parse("/etc/a\n/etc/../shadow\n", collect, &s, &bad), -EINVAL);
	assert_int_equal(bad, 2);
	assert_int_equal(preserve_list_parse("/\n", collect, &s, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	s.n = 0;
	assert_int_equal(preserve_list_parse("/opt/..data\n", collect, &s, &bad), 0);   /* a name, not ".." */
	assert_int_equal(s.n, 1);
}

static void good(struct existing *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->disk, "/dev/sda");
	strcpy(e->suffix, "0123abcd");
	strcpy(e->dev[PART_ROOT], "/dev/sda1");
	strcpy(e->dev[PART_BACKUP], "/dev/sda2");
	strcpy(e->dev[PART_ESP], "/dev/sda4");
	strcpy(e->dev[PART_LOGS], "/dev/sda5");
	e->size[PART_BACKUP] = 18ull << 30;
	e->root.present = true;
	strcpy(e->root.version, "0.0.9");
	strcpy(e->root.krel, "6.1.0-xenhost");
	e->root.firstboot_done = true;
	e->root.used = 1ull << 30;
}

static void test_existing_check(void **state)
{
	(void)state;
	struct existing e;
	char why[1024];
	good(&e);
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), 0);
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.0.9", why, sizeof(why)), 0);   /* equal */
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.0.8", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "is version 0.0.9, newer than this installer's 0.0.8"));
	assert_non_null(strstr(why, "force=\"true\""));
	assert_int_equal(existing_check(&e, MODE_UPGRADE, true, "0.0.8", why, sizeof(why)), 0);
	e.root.firstboot_done = false;
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "never completed its first boot"));
	good(&e);
	e.root.present = false;
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "has no /etc/xenhost-inventory"));
	good(&e);
	e.dev[PART_BACKUP][0] = '\0';
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "unknown layout: no xh-backup-0123abcd partition"));
	good(&e);
	e.size[PART_BACKUP] = 1ull << 30;   /* 1 GiB in use needs more than 1 GiB */
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "too small for a copy of the root"));
	good(&e);
	strcpy(e.preserve_error, "/etc/xenhost/preserve.d/site.list:3 is not a path under /");
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "site.list:3 is not a path under /: fix it on the host"));
	good(&e);
	e.root_error = EUCLEAN;
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "cannot be mounted"));
	/* restore: needs a completed backup, not a readable root */
	assert_int_equal(existing_check(&e, MODE_RESTORE, false, "0.1.0", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "no backup to restore"));
	e.backup.present = true;
	assert_int_equal(existing_check(&e, MODE_RESTORE, false, "0.1.0", why, sizeof(why)), 0);
}

static void test_existing_resume(void **state)
{
	(void)state;
	struct existing e;
	good(&e);
	assert_false(existing_resume(&e));   /* a complete root: nothing to resume */
	/* cut short while unpacking: the root has no inventory, the backup of it is complete */
	e.root.present = false;
	strcpy(e.root.fs_uuid, "11111111-2222-3333-4444-555555555555");
	e.backup = (struct existing_root){ .present = true, .version = "0.0.9", .krel = "6.1.0-old", .firstboot_done = true,
					   .used = 1ull << 30, .dom0_mem_mib = 1024 };
	strcpy(e.backup_of_root, "aaaaaaaa-2222-3333-4444-555555555555");
	assert_false(existing_resume(&e));   /* a backup of another root */
	strcpy(e.backup_of_root, "11111111-2222-3333-4444-555555555555");
	assert_true(existing_resume(&e));
	assert_true(e.resume);
	assert_string_equal(e.root.version, "0.0.9");
	assert_string_equal(e.root.fs_uuid, "11111111-2222-3333-4444-555555555555");
	char why[512];
	assert_int_equal(existing_check(&e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why)), 0);
	/* cut short in the bootloader step: an upgraded root that never booted */
	good(&e);
	strcpy(e.root.fs_uuid, "11111111-2222-3333-4444-555555555555");
	strcpy(e.root.version, "0.1.0");
	e.root.upgraded = true;
	e.root.firstboot_done = false;
	e.backup = (struct existing_root){ .present = true, .version = "0.0.9", .krel = "6.1.0-old", .firstboot_done = true };
	strcpy(e.backup_of_root, "11111111-2222-3333-4444-555555555555");
	assert_true(existing_resume(&e));
	assert_string_equal(e.root.version, "0.0.9");
	/* an upgraded root whose first boot completed is an installation, not an interrupted upgrade */
	good(&e);
	e.root.upgraded = true;
	e.backup = (struct existing_root){ .present = true, .version = "0.0.9", .krel = "6.1.0-old", .firstboot_done = true };
	strcpy(e.backup_of_root, "11111111-2222-3333-4444-555555555555");
	assert_false(existing_resume(&e));
	/* an unreadable root (mkfs cut short) resumes too, keeping the recorded UUID */
	good(&e);
	e.root_error = EINVAL;
	e.root.fs_uuid[0] = '\0';
	e.backup = (struct existing_root){ .present = true, .version = "0.0.9", .krel = "6.1.0-old", .firstboot_done = true };
	strcpy(e.backup_of_root, "11111111-2222-3333-4444-555555555555");
	assert_true(existing_resume(&e));
	assert_string_equal(e.root.fs_uuid, "11111111-2222-3333-4444-555555555555");
	assert_int_equal(e.root_error, 0);
}

static char *menu(const struct grub_os *os, const struct grub_os *prev, bool trial)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	gen_grub_menu(f, os, prev, "previous version", trial);
	fclose(f);
	return buf;
}

static void test_grub_menu(void **state)
{
	(void)state;
	struct grub_os os = { .uuid = "11111111-2222-3333-4444-555555555555", .krel = "6.1.0-new", .version = "0.1.0",
			      .dom0_mem_mib = 2048, .dom0_vcpus = 4, .xen_options = "sched=credit2" };
	struct grub_os prev = { .uuid = "aaaaaaaa-2222-3333-4444-555555555555", .krel = "6.1.0-old", .version = "0.0.9",
				.dom0_mem_mib = 1024, .dom0_vcpus = 2 };
	char *m = menu(&os, &prev, true);
	assert_non_null(strstr(m, "set default=xenhost\n"));
	assert_non_null(strstr(m, "multiboot2 /boot/xen.gz dom0_mem=2048M,max:2048M dom0_max_vcpus=4 com1=115200,8n1 "
				  "console=com1,vga sched=credit2\n"));
	assert_non_null(strstr(m, "menuentry 'Xenhost 0.0.9 (previous version, on the backup partition)' --id previous {\n"
				  "\tsearch --no-floppy --fs-uuid --set=root aaaaaaaa-2222-3333-4444-555555555555\n"));
	assert_non_null(strstr(m, "module2 /boot/vmlinuz-6.1.0-old root=UUID=aaaaaaaa-2222-3333-4444-555555555555 ro"));
	/* the count-down: 3, 2, 1, then the previous version */
	const char *c3 = strstr(m, "if [ \"$xh_trial\" = 3 ]; then\n\tset xh_trial=2\n\tsave_env xh_trial\n");
	const char *c0 = strstr(m, "elif [ \"$xh_trial\" = 0 ]; then\n\tset default=previous\n");
	assert_non_null(c3);
	assert_non_null(c0);
	assert_true(c3 < c0);
	assert_non_null(strstr(m, "load_env xh_trial xh_rolled_back"));
	free(m);
	m = menu(&os, NULL, false);
	assert_null(strstr(m, "xh_trial"));
	assert_null(strstr(m, "--id previous"));
	free(m);
}

static void test_answerfile_force(void **state)
{
	(void)state;
	static const char *xml = "<?xml version=\"1.0\"?>\n<installation mode=\"upgrade\">\n"
				 "  <existing-installation force=\"true\">sda</existing-installation>\n</installation>\n";
	struct install_config c;
	struct diag_list d;
	config_init(&c);
	diag_init(&d, "t.xml");
	assert_int_equal(answerfile_parse_mem(xml, strlen(xml), &c, &d), 0);
	assert_int_equal(c.mode, MODE_UPGRADE);
	assert_true(c.upgrade_force);
	assert_string_equal(c.existing_installation.path, "/dev/sda");
	diag_free(&d);
	config_wipe(&c);
}


static const char OLD_PASSWD[] = "root:x:0:0:root:/root:/bin/bash\n"
				 "_chrony:x:100:101::/var/lib/chrony:/usr/sbin/nologin\n"
				 "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
				 "svc:x:1001:1001::/srv/svc:/usr/sbin/nologin\n"
				 "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
				 "sshd:x:60001:65534::/run/sshd:/usr/sbin/nologin"; /* (no final newline) */
static const char NEW_PASSWD[] = "root:x:0:0:root:/root:/bin/bash\n"
				 "_chrony:x:100:101::/var/lib/chrony:/usr/sbin/nologin\n"
				 "svc:x:999:999:the image's own:/:/usr/sbin/nologin\n";

static void test_accounts_local(void **state)
{
	(void)state;
	struct names n = { 0 };
	assert_int_equal(accounts_local(OLD_PASSWD, &n), 0);
	/* 1000..59999 only: not root, system users, nobody (65534) or 60001 */
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "alice");
	assert_string_equal(n.v[1], "svc");
	assert_true(names_has(&n, "alice", 5));
	assert_false(names_has(&n, "alic", 4));
	names_free(&n);
	assert_int_equal(accounts_local("", &n), 0);
	assert_int_equal(n.n, 0);
	assert_int_equal(accounts_local("bad line\nx:x:abc:1\ny:x:123456789012:1\n", &n), 0);
	assert_int_equal(n.n, 0);
}

static void test_accounts_merge_passwd(void **state)
{
	(void)state;
	struct names users = { 0 }, clash = { 0 };
	char *out = NULL;
	assert_int_equal(accounts_local(OLD_PASSWD, &users), 0);
	assert_int_equal(accounts_merge(OLD_PASSWD, NEW_PASSWD, &users, &users, -1, &clash, &out), 0);
	/* the image's lines unchanged and first; alice appended; svc is the image's */
	assert_string_equal(out, "root:x:0:0:root:/root:/bin/bash\n"
				 "_chrony:x:100:101::/var/lib/chrony:/usr/sbin/nologin\n"
				 "svc:x:999:999:the image's own:/:/usr/sbin/nologin\n"
				 "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
	assert_int_equal(clash.n, 1);
	assert_string_equal(clash.v[0], "svc");
	/* merging again changes nothing (an upgrade that resumes) */
	char *again = NULL;
	assert_int_equal(accounts_merge(OLD_PASSWD, out, &users, &users, -1, NULL, &again), 0);
	assert_string_equal(again, out);
	free(again);
	free(out);
	names_free(&users);
	names_free(&clash);
}

static void test_accounts_merge_groups(void **state)
{
	(void)state;
	const char *old_group = "root:x:0:\nadm:x:4:syslog,alice\nsudo:x:27:alice,svc\nstaff:x:50:\n"
				"alice:x:1000:\nops:x:1002:alice,bob\n";
	const char *new_group = "root:x:0:\nadm:x:4:syslog\nsudo:x:27:\nvideo:x:44:\n";
	const char *old_pw = "alice:x:1000:1000::/home/alice:/bin/bash\nsvc:x:1001:1001::/:/bin/false\n";
	struct names users = { 0 }, groups = { 0 };
	char *out = NULL;
	assert_int_equal(accounts_local(old_pw, &users), 0);
	assert_int_equal(accounts_local(old_group, &groups), 0);
	assert_int_equal(groups.n, 2); /* alice, ops */
	assert_int_equal(accounts_merge(old_group, new_group, &groups, &users, 3, NULL, &out), 0);
	/* memberships of local users in the image's groups are kept; system members are not
	 * added (syslog was there already); the local groups come with all their members */
	assert_string_equal(out, "root:x:0:\nadm:x:4:syslog,alice\nsudo:x:27:alice,svc\nvideo:x:44:\n"
				 "alice:x:1000:\nops:x:1002:alice,bob\n");
	free(out);
	/* gshadow: name:password:admins:members */
	assert_int_equal(accounts_merge("sudo:*::alice\nops:!:alice:alice,bob\n", "sudo:*::\nroot:*::\n", &groups, &users, 3,
					NULL, &out),
			 0);
	assert_string_equal(out, "sudo:*::alice\nroot:*::\nops:!:alice:alice,bob\n");
	free(out);
	names_free(&users);
	names_free(&groups);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_cmp),       cmocka_unit_test(test_inventory),
		cmocka_unit_test(test_preserve_list),     cmocka_unit_test(test_existing_check),
		cmocka_unit_test(test_grub_menu),         cmocka_unit_test(test_answerfile_force),
		cmocka_unit_test(test_existing_resume),   cmocka_unit_test(test_accounts_local),
		cmocka_unit_test(test_accounts_merge_passwd), cmocka_unit_test(test_accounts_merge_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
