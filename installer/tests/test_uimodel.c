/* Unit tests of uimodel.c: what the interactive installer shows and checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "uimodel.h"

static struct disk_info disk(const char *name, uint64_t gib)
{
	struct disk_info d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.devnode, sizeof(d.devnode), "/dev/%s", name);
	d.size = gib << 30;
	snprintf(d.model, sizeof(d.model), "QEMU HARDDISK");
	snprintf(d.serial, sizeof(d.serial), "QM00001");
	snprintf(d.bus, sizeof(d.bus), "sata");
	snprintf(d.by_id[0], sizeof(d.by_id[0]), "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001");
	d.n_by_id = 1;
	return d;
}

static void test_disk_texts(void **state)
{
	(void)state;
	char buf[1024];
	struct disk_info d = disk("sda", 64);
	assert_string_equal(ui_disk_line(&d, buf, sizeof(buf), 70),
			    "sda         64 GiB  QEMU HARDDISK          QM00001        sata");
	/* cut to the width of the list */
	assert_int_equal(strlen(ui_disk_line(&d, buf, sizeof(buf), 20)), 20);
	assert_false(ui_disk_in_use(&d));
	assert_non_null(strstr(ui_disk_details(&d, buf, sizeof(buf)), "Empty"));
	assert_non_null(strstr(buf, "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001"));
	d.n_partitions = 2;
	snprintf(d.contents, sizeof(d.contents), "sda1 ext4, sda2 swap");
	assert_true(ui_disk_in_use(&d));
	assert_non_null(strstr(ui_disk_details(&d, buf, sizeof(buf)), "WARNING: holds 2 partition(s): sda1 ext4"));
	snprintf(d.xenhost_suffix, sizeof(d.xenhost_suffix), "0123abcd");
	assert_non_null(strstr(ui_disk_details(&d, buf, sizeof(buf)), "holds a Xenhost installation"));
	d.excluded = "the boot medium";
	assert_non_null(strstr(ui_disk_details(&d, buf, sizeof(buf)), "the boot medium, never a target"));
}

static void test_password(void **state)
{
	(void)state;
	assert_non_null(strstr(ui_password_check("", ""), "empty"));
	assert_non_null(strstr(ui_password_check("Secret-1234", "Secret-1235"), "differ"));
	assert_non_null(strstr(ui_password_check("short", "short"), "at least 8"));
	assert_null(ui_password_check("Secret-1234", "Secret-1234"));
	assert_string_equal(ui_password_strength("abcdefgh"), "weak");
	assert_string_equal(ui_password_strength("abcdefgh12"), "fair");
	assert_string_equal(ui_password_strength("Abcdefgh-12345"), "strong");
}

static void test_static_ipv4(void **state)
{
	(void)state;
	struct install_config c;
	config_init(&c);
	assert_null(ui_static_ipv4(&c, "192.0.2.10/24", "", "192.0.2.1", "192.0.2.53 2001:db8::53"));
	assert_int_equal(c.admin.proto, PROTO4_STATIC);
	assert_string_equal(c.admin.ipv4, "192.0.2.10");
	assert_int_equal(c.admin.prefix4, 24);
	assert_string_equal(c.admin.gateway4, "192.0.2.1");
	assert_int_equal(c.n_nameservers, 2);
	assert_string_equal(c.nameservers[1], "2001:db8::53");
	/* an address and a netmask */
	assert_null(ui_static_ipv4(&c, "10.1.2.3", "255.255.0.0", "", ""));
	assert_int_equal(c.admin.prefix4, 16);
	assert_int_equal(c.n_nameservers, 0);
	assert_non_null(strstr(ui_static_ipv4(&c, "10.1.2.3", "", "", ""), "netmask"));
	assert_non_null(strstr(ui_static_ipv4(&c, "300.1.2.3/24", "", "", ""), "not valid"));
	assert_non_null(strstr(ui_static_ipv4(&c, "192.0.2.0/24", "", "", ""), "network or the broadcast"));
	assert_non_null(strstr(ui_static_ipv4(&c, "192.0.2.10/24", "", "198.51.100.1", ""), "not in the subnet"));
	assert_non_null(strstr(ui_static_ipv4(&c, "192.0.2.10/24", "", "", "not-an-ip"), "DNS"));
	config_wipe(&c);
}

static void touch(const char *p)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static void test_timezones(void **state)
{
	(void)state;
	char dir[] = "/tmp/xh-tz-XXXXXX", p[256];
	assert_non_null(mkdtemp(dir));
	const char *dirs[] = { "Europe", "America", "posix", "Etc" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/Europe/Paris", dir);
	touch(p);
	snprintf(p, sizeof(p), "%s/Europe/Berlin", dir);
	touch(p);
	snprintf(p, sizeof(p), "%s/zone.tab", dir);
	touch(p);
	char **v = NULL;
	size_t n = 0;
	assert_int_equal(ui_tz_regions(dir, &v, &n), 0);
	/* directories named like regions, sorted; not posix/ nor files */
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "America");
	assert_string_equal(v[1], "Etc");
	assert_string_equal(v[2], "Europe");
	ui_list_free(v, n);
	assert_int_equal(ui_tz_cities(dir, "Europe", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "Berlin");
	assert_string_equal(v[1], "Paris");
	ui_list_free(v, n);
	assert_int_equal(ui_tz_cities(dir, "../etc", &v, &n), -EINVAL);
	assert_true(ui_tz_regions("/nonexistent-zoneinfo", &v, &n) < 0);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_texts),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_static_ipv4),
		cmocka_unit_test(test_timezones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
