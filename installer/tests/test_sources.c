/* test_sources.c: where answer files come from and what goes to the servers:
 * {mac}/{serial} expansion, local paths and file:// URLs (and a path looked up on the
 * boot medium), answerfile=auto on the boot medium, fetching file:// URLs with
 * libcurl, a missing file, the identity headers from a fake sysfs, the install
 * environment's networkd files (DHCP, static, VLAN), the report's JSON (escaping,
 * the log's tail) and the boot medium excluded from the targets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "fakesys.h"
#include "hooks.h"
#include "source.h"
#include "writers.h"

struct fx {
	char *root;                 /* a fake sysfs/dev/proc tree */
	char run[512], live[512];
	struct xlog log;
	struct fetch_opts fo;
	struct source_env env;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = fakesys_create();
	assert_non_null(f->root);
	snprintf(f->run, sizeof(f->run), "%s/run", f->root);
	snprintf(f->live, sizeof(f->live), "%s/live", f->root);
	assert_int_equal(mkdir(f->live, 0755), 0);
	xlog_open(&f->log, NULL, NULL);
	f->env = (struct source_env){ .run_dir = f->run, .live_dir = f->live, .fetch = &f->fo };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fakesys_destroy(f->root);
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return NULL;
	char *buf = calloc(1, 65536);
	size_t n = buf ? fread(buf, 1, 65535, fp) : 0;
	(void)n;
	fclose(fp);
	return buf;
}

static void test_url_expand(void **state)
{
	char out[128];
	(void)state;
	assert_int_equal(url_expand("http://s/{mac}.xml", "52:54:00:aa:bb:cc", "SN1", out, sizeof(out)), 0);
	assert_string_equal(out, "http://s/52-54-00-aa-bb-cc.xml");
	assert_int_equal(url_expand("http://s/{serial}/{mac}", "52:54:00:aa:bb:cc", "SN1", out, sizeof(out)), 0);
	assert_string_equal(out, "http://s/SN1/52-54-00-aa-bb-cc");
	assert_int_equal(url_expand("http://s/{other}", NULL, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "http://s/{other}");
	assert_int_equal(url_expand("http://s/{mac}", "52:54:00:aa:bb:cc", NULL, out, 12), -ENAMETOOLONG);
	assert_true(url_is_remote("HTTPS://x/") && url_is_remote("ftp://x/") && !url_is_remote("file:///x") &&
		    !url_is_remote("/x") && !url_is_remote("auto"));
}

static void test_local_paths(void **state)
{
	struct fx *f = *state;
	struct answer_source s;
	char p[600];

	snprintf(p, sizeof(p), "%s/a.xml", f->root);
	assert_int_equal(fakesys_write(f->root, "a.xml", "<x/>"), 0);
	assert_int_equal(answer_locate(p, &f->env, &s, &f->log), 0);
	assert_string_equal(s.path, p);
	snprintf(p, sizeof(p), "file://%s/a.xml", f->root);
	assert_int_equal(answer_locate(p, &f->env, &s, &f->log), 0);
	assert_string_equal(s.path, p + 7);
	/* a path that is only on the boot medium */
	assert_int_equal(fakesys_write(f->root, "live/site/b.xml", "<y/>"), 0);
	assert_int_equal(answer_locate("/site/b.xml", &f->env, &s, &f->log), 0);
	snprintf(p, sizeof(p), "%s/site/b.xml", f->live);
	assert_string_equal(s.path, p);
	assert_non_null(strstr(s.origin, "on the boot medium"));
	assert_int_equal(answer_locate("gopher://x/a.xml", &f->env, &s, &f->log), -EINVAL);
}

static void test_auto_boot_medium(void **state)
{
	struct fx *f = *state;
	struct answer_source s;
	char p[600];

	/* no volume labelled XENHOST-ANSWER on a build machine (the integration tests make
	 * one), no file on the medium: a clear -ENOENT */
	if (answer_volume_find(p, sizeof(p)) == 0)
		skip();
	assert_int_equal(answer_locate("auto", &f->env, &s, &f->log), -ENOENT);
	assert_int_equal(fakesys_write(f->root, "live/answerfile.xml", "<z/>"), 0);
	assert_int_equal(answer_locate("auto", &f->env, &s, &f->log), 0);
	snprintf(p, sizeof(p), "%s/answerfile.xml", f->live);
	assert_string_equal(s.path, p);
	assert_string_equal(s.origin, "/answerfile.xml on the boot medium");
}

static void test_fetch_file_url(void **state)
{
	struct fx *f = *state;
	char url[600], dest[600];

	assert_int_equal(fakesys_write(f->root, "srv/h.xml", "<installation/>\n"), 0);
	assert_int_equal(mkdir(f->run, 0700), 0);
	snprintf(url, sizeof(url), "file://%s/srv/h.xml", f->root);
	snprintf(dest, sizeof(dest), "%s/got.xml", f->run);
	assert_int_equal(fetch_to_file(url, dest, &f->fo, &f->log), 0);
	char *got = slurp(dest);
	assert_non_null(got);
	assert_string_equal(got, "<installation/>\n");
	free(got);
	struct stat st;
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* missing: -ENOENT at once, and no file left behind */
	snprintf(url, sizeof(url), "file://%s/srv/none.xml", f->root);
	snprintf(dest, sizeof(dest), "%s/none.xml", f->run);
	f->fo.timeout = 30;   /* not retried: it would take 30 s */
	assert_int_equal(fetch_to_file(url, dest, &f->fo, &f->log), -ENOENT);
	assert_int_not_equal(access(dest, F_OK), 0);
}

static void test_identity_headers(void **state)
{
	struct fx *f = *state;
	struct host_identity id;
	struct fetch_opts fo = { 0 };

	assert_int_equal(fakesys_write(f->root, "sys/devices/pci0000:00/0000:00:03.0/net/ens3/address", "52:54:00:12:34:56\n"), 0);
	assert_int_equal(fakesys_write(f->root, "sys/devices/pci0000:00/0000:00:03.0/net/ens3/type", "1\n"), 0);
	assert_int_equal(fakesys_write(f->root, "sys/class/dmi/id/product_serial", "SER 1/2\n"), 0);
	assert_int_equal(fakesys_write(f->root, "sys/class/dmi/id/product_name", "Standard PC\n"), 0);
	char link[600], target[600];
	snprintf(link, sizeof(link), "%s/sys/class/net", f->root);
	mkdir(link, 0755);
	snprintf(link, sizeof(link), "%s/sys/class/net/ens3", f->root);
	snprintf(target, sizeof(target), "%s/sys/devices/pci0000:00/0000:00:03.0/net/ens3", f->root);
	assert_int_equal(symlink(target, link), 0);
	snprintf(link, sizeof(link), "%s/device", target);
	snprintf(target, sizeof(target), "%s/sys/devices/pci0000:00/0000:00:03.0", f->root);
	assert_int_equal(symlink(target, link), 0);
	snprintf(link, sizeof(link), "%s/sys", f->root);
	host_identity_read(link, &id, &fo);
	assert_int_equal(id.n_macs, 1);
	assert_string_equal(fo.headers[0], "X-Xenhost-MAC-0: eth0 52:54:00:12:34:56");
	assert_string_equal(fo.headers[1], "X-Xenhost-Serial: SER_1_2");   /* made safe for headers and URLs */
	assert_string_equal(fo.headers[2], "X-Xenhost-Product: Standard_PC");
	assert_null(fo.headers[3]);
}

static char *live_file(const struct gen_files *g, const char *name)
{
	const struct gen_file *gf = gen_find(g, name);
	return gf ? gf->text : NULL;
}

static void test_live_network(void **state)
{
	struct kernel_cmdline k;
	struct diag_list d;
	struct gen_files *g = calloc(1, sizeof(*g));
	(void)state;
	assert_non_null(g);

	diag_init(&d, "cmdline");
	cmdline_init(&k);
	assert_int_equal(cmdline_parse("quiet answerfile=http://s/a.xml", &k, &d), 0);
	assert_int_equal(gen_live_network(&k, g), 0);
	assert_int_equal(g->n, 1);
	assert_non_null(strstr(live_file(g, "90-xenhost-live.network"), "[Match]\nType=ether\nKind=!*\n\n[Network]\nDHCP=yes\n"));
	gen_files_free(g);

	cmdline_init(&k);
	assert_int_equal(cmdline_parse("network_device=52:54:00:AA:BB:CC network_config=static:ip=192.0.2.5/24;"
				       "gateway=192.0.2.1;dns=192.0.2.53;vlan=7", &k, &d), 0);
	assert_int_equal(gen_live_network(&k, g), 0);
	assert_int_equal(g->n, 3);
	assert_non_null(strstr(live_file(g, "90-xenhost-live.network"),
			       "[Match]\nPermanentMACAddress=52:54:00:aa:bb:cc\n\n[Network]\nLinkLocalAddressing=no\nVLAN=live.7\n"));
	assert_non_null(strstr(live_file(g, "90-xenhost-live-vlan.netdev"), "Name=live.7\nKind=vlan\n\n[VLAN]\nId=7\n"));
	assert_string_equal(live_file(g, "90-xenhost-live-vlan.network"),
			    "[Match]\nName=live.7\n\n[Network]\nDHCP=no\nAddress=192.0.2.5/24\nGateway=192.0.2.1\nDNS=192.0.2.53\n");
	gen_files_free(g);

	cmdline_init(&k);
	assert_int_equal(cmdline_parse("answerfile_device=eth1", &k, &d), 0);
	assert_int_equal(gen_live_network(&k, g), 0);
	assert_non_null(strstr(live_file(g, "90-xenhost-live.network"), "[Match]\nName=eth1\n\n[Network]\nDHCP=yes\n"));
	gen_files_free(g);
	free(g);
	diag_free(&d);
}

static void test_cmdline_fetch_params(void **state)
{
	struct kernel_cmdline k;
	struct diag_list d;
	(void)state;
	diag_init(&d, "cmdline");
	cmdline_init(&k);
	assert_int_equal(cmdline_parse("answerfile=auto answerfile_timeout=30 answerfile_ca=/run/initramfs/live/ca.pem "
				       "answerfile_pin=sha256//AAAA", &k, &d), 0);
	assert_string_equal(k.answerfile, "auto");
	assert_true(k.fetch_timeout_set);
	assert_int_equal(k.fetch_timeout, 30);
	assert_string_equal(k.ca_file, "/run/initramfs/live/ca.pem");
	assert_string_equal(k.pinned_key, "sha256//AAAA");
	assert_int_equal(cmdline_parse("answerfile_timeout=soon", &k, &d), -EINVAL);
	assert_int_equal(cmdline_parse("answerfile_ca=ca.pem", &k, &d), -EINVAL);
	assert_int_equal(cmdline_parse("answerfile_pin=md5//x", &k, &d), -EINVAL);
	assert_int_equal(d.n_errors, 3);
	diag_free(&d);
}

static void test_report_json(void **state)
{
	struct fx *f = *state;
	struct host_identity id = { .n_macs = 2, .macs = { "52:54:00:00:00:01", "52:54:00:00:00:02" }, .serial = "S1" };
	char log[600];
	snprintf(log, sizeof(log), "%s/install.log", f->root);
	FILE *fp = fopen(log, "we");
	assert_non_null(fp);
	for (int i = 1; i <= 50; i++)
		fprintf(fp, "line %d%s\n", i, i == 50 ? " \"quoted\" \\ and \t tab" : "");
	fclose(fp);
	struct report r = { .success = false, .exit_code = 5, .message = "the installation failed",
			    .failed_step = "make filesystems on /dev/sda", .mode = "fresh", .firmware = "uefi",
			    .disk = "/dev/sda", .hostname = "h1", .answerfile = "http://s/a.xml", .duration = 12.34,
			    .id = &id, .log_path = log };
	char *j = report_json(&r);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"result\":\"failure\",\"exit_code\":5"));
	assert_non_null(strstr(j, "\"failed_step\":\"make filesystems on /dev/sda\""));
	assert_non_null(strstr(j, "\"duration_s\":12.3"));
	assert_non_null(strstr(j, "\"macs\":[\"52:54:00:00:00:01\",\"52:54:00:00:00:02\"]"));
	/* the last 40 lines: 11..50, escaped */
	assert_null(strstr(j, "\"line 10\""));
	assert_non_null(strstr(j, "\"log_tail\":[\"line 11\","));
	assert_non_null(strstr(j, "\"line 50 \\\"quoted\\\" \\\\ and \\u0009 tab\"]}"));
	free(j);
}

static void test_boot_medium_excluded(void **state)
{
	struct fx *f = *state;
	struct fake_disk a = { .name = "sda", .size = 64ull << 30, .model = "STICK" };
	struct fake_disk b = { .name = "sdb", .size = 64ull << 30, .model = "DISK" };
	char sysfs[600], proc[600], dev[600], name[64];
	struct disk_info *disks = NULL;
	size_t n = 0;

	assert_int_equal(fakesys_add_disk(f->root, &a), 0);
	assert_int_equal(fakesys_add_disk(f->root, &b), 0);
	snprintf(sysfs, sizeof(sysfs), "%s/sys", f->root);
	snprintf(proc, sizeof(proc), "%s/proc", f->root);
	snprintf(dev, sizeof(dev), "%s/dev", f->root);
	struct probe_root pr = { .sysfs = sysfs, .dev = dev, .proc = proc };
	char mi[1024];
	snprintf(mi, sizeof(mi), "22 1 0:21 / /proc rw - proc proc rw\n"
				 "40 30 8:0 / %s rw - iso9660 /dev/sda ro\n", f->live);
	assert_int_equal(fakesys_write(f->root, "proc/self/mountinfo", mi), 0);
	assert_int_equal(fakesys_write(f->root, "sys/dev/block/.keep", ""), 0);
	char l[600], t[600];
	snprintf(l, sizeof(l), "%s/sys/dev/block/8:0", f->root);
	snprintf(t, sizeof(t), "%s/sys/block/sda", f->root);
	assert_int_equal(symlink(t, l), 0);
	assert_int_equal(probe_mounted_dev(&pr, f->live, name, sizeof(name)), 0);
	assert_string_equal(name, "sda");
	assert_int_equal(probe_mounted_dev(&pr, "/nowhere", name, sizeof(name)), -ENOENT);
	assert_int_equal(probe_disks(&pr, &disks, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(probe_mark_excluded(sysfs, disks, n, "sda", "the boot medium"), 1);
	assert_string_equal(disks[0].excluded, "the boot medium");
	assert_null(disks[1].excluded);

	struct diag_list d;
	diag_init(&d, "a.xml");
	struct disk_selector sel = { .kind = DISK_SEL_PATH, .path = "/dev/sda" };
	assert_int_equal(disk_select(&sel, disks, n, "<primary-disk>", &d), -EPERM);
	assert_non_null(strstr(d.v[0].msg, "/dev/sda is the boot medium: it is never an install target"));
	/* a filter that would match both disks now matches only the other one */
	struct disk_selector any = { .kind = DISK_SEL_FILTER, .filter = { .rotational = -1 } };
	assert_int_equal(disk_select(&any, disks, n, "<primary-disk>", &d), 1);
	diag_free(&d);
	free(disks);
}

static void test_existing_installation(void **state)
{
	struct fx *f = *state;
	struct fake_disk a = { .name = "sdc", .size = 64ull << 30, .model = "OLD", .partitions = 3 };
	char sysfs[600], proc[600], dev[600], desc[600];
	struct disk_info d;

	assert_int_equal(fakesys_add_disk(f->root, &a), 0);
	assert_int_equal(fakesys_write(f->root, "sys/block/sdc/sdc1/uevent", "MAJOR=8\nMINOR=33\nPARTNAME=xh-root-0123abcd\n"), 0);
	assert_int_equal(fakesys_write(f->root, "sys/block/sdc/sdc5/uevent", "MAJOR=8\nPARTNAME=xh-logs-0123abcd\n"), 0);
	snprintf(sysfs, sizeof(sysfs), "%s/sys", f->root);
	snprintf(proc, sizeof(proc), "%s/proc", f->root);
	snprintf(dev, sizeof(dev), "%s/dev", f->root);
	struct probe_root pr = { .sysfs = sysfs, .dev = dev, .proc = proc };
	assert_int_equal(probe_disk(&pr, "sdc", &d), 0);
	assert_int_equal(d.n_partitions, 3);
	assert_string_equal(d.xenhost_suffix, "0123abcd");
	assert_non_null(strstr(d.contents, "sdc1 xh-root-0123abcd"));
	assert_non_null(strstr(disk_describe(&d, desc, sizeof(desc)), "holds a Xenhost installation (xh-root-0123abcd)"));
	/* a disk without one */
	struct fake_disk b = { .name = "sdd", .size = 64ull << 30, .partitions = 1 };
	assert_int_equal(fakesys_add_disk(f->root, &b), 0);
	assert_int_equal(probe_disk(&pr, "sdd", &d), 0);
	assert_string_equal(d.xenhost_suffix, "");
	assert_null(strstr(disk_describe(&d, desc, sizeof(desc)), "Xenhost"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_expand),
		cmocka_unit_test_setup_teardown(test_local_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_boot_medium, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_file_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_headers, setup, teardown),
		cmocka_unit_test(test_live_network),
		cmocka_unit_test(test_cmdline_fetch_params),
		cmocka_unit_test_setup_teardown(test_report_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_medium_excluded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_installation, setup, teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
