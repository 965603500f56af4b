/* test_sources.c: where answer files come from and what goes to the servers:
 * {mac}/{serial} expansion, local paths and file:// URLs (and a path looked up on the
 * boot medium), answerfile=auto on the boot medium, fetching file:// URLs with
 * libcurl, a missing file, the identity headers from a fake sysfs, the install
 * environment's networkd files (DHCP, static, VLAN), the report's JSON (escaping,
 * the log's tail) and the boot medium excluded from the targets; the answer file URL
 * from DHCP option 224 in networkd's lease files; large fetches (images) to a file;
 * root=live:URL remembered as the image URL; disk filters given on the command line. */
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

#include "answerfile.h"
#include "cmdline.h"
#include "fakesys.h"
#include "fsutil.h"
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

/* A lease as systemd-networkd 252 saves it: private options as OPTION_<n>=<hex>. */
static void test_dhcp_option(void **state)
{
	struct fx *f = *state;
	struct answer_source s;
	char leases[600], p[700], url[256];
	const char *want = "http://10.0.2.100/answerfiles/{mac}.xml";
	char hex[256] = "";
	for (size_t i = 0; want[i]; i++)
		snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", (unsigned char)want[i]);

	snprintf(leases, sizeof(leases), "%s/leases", f->root);
	f->env.leases_dir = leases;
	/* no leases at all, then a lease without the option: dhcp finds nothing */
	assert_int_equal(answer_locate("dhcp", &f->env, &s, &f->log), -ENOENT);
	assert_int_equal(fakesys_write(f->root, "leases/2", "# This is private data. Do not parse.\nADDRESS=10.0.2.15\n"
				       "OPTION_225=6869\n"), 0);
	snprintf(p, sizeof(p), "%s/2", leases);
	assert_int_equal(lease_answer_url(p, url, sizeof(url)), -ENOENT);
	assert_int_equal(answer_locate("dhcp", &f->env, &s, &f->log), -ENOENT);
	/* the option: decoded (a trailing NUL as some servers send is dropped) */
	char text[600];
	snprintf(text, sizeof(text), "ADDRESS=10.0.2.15\nOPTION_224=%s00\nOPTION_225=6869\n", hex);
	assert_int_equal(fakesys_write(f->root, "leases/3", text), 0);
	snprintf(p, sizeof(p), "%s/3", leases);
	assert_int_equal(lease_answer_url(p, url, sizeof(url)), 0);
	assert_string_equal(url, want);
	/* too small a buffer, not hex, not a URL: -EINVAL */
	assert_int_equal(lease_answer_url(p, url, 8), -EINVAL);
	assert_int_equal(fakesys_write(f->root, "leases/4", "OPTION_224=6x\n"), 0);
	snprintf(p, sizeof(p), "%s/4", leases);
	assert_int_equal(lease_answer_url(p, url, sizeof(url)), -EINVAL);
	assert_int_equal(fakesys_write(f->root, "leases/5", "OPTION_224=2f6574632f706173737764\n"), 0);   /* /etc/passwd */
	snprintf(p, sizeof(p), "%s/5", leases);
	assert_int_equal(lease_answer_url(p, url, sizeof(url)), -EINVAL);
	/* answerfile=dhcp goes on with the URL found: {mac} needs a NIC, and this fake
	 * machine's identity has none (-ENODEV, not -ENOENT "no option") */
	f->fo.timeout = 0;
	assert_int_equal(answer_locate("dhcp", &f->env, &s, &f->log), -ENODEV);
}

static void test_fetch_large(void **state)
{
	struct fx *f = *state;
	char url[600], dest[600];
	size_t size = 3u << 20;   /* more than an answer file may be */
	char *big = malloc(size + 1);
	assert_non_null(big);
	for (size_t i = 0; i < size; i++)
		big[i] = (char)('a' + i % 26);
	big[size] = '\0';
	assert_int_equal(fakesys_write(f->root, "srv/img", big), 0);
	assert_int_equal(mkdir(f->run, 0700), 0);
	snprintf(url, sizeof(url), "file://%s/srv/img", f->root);
	snprintf(dest, sizeof(dest), "%s/img", f->run);
	assert_int_equal(fetch_large(url, dest, &f->fo, &f->log), 0);
	char *got = NULL;
	assert_int_equal(read_file(dest, &got), 0);
	assert_int_equal(strlen(got), size);
	assert_memory_equal(got, big, size);
	free(got);
	free(big);
	/* a missing image: -ENOENT, and neither the file nor a .part left */
	snprintf(url, sizeof(url), "file://%s/srv/none", f->root);
	snprintf(dest, sizeof(dest), "%s/none", f->run);
	assert_int_equal(fetch_large(url, dest, &f->fo, &f->log), -ENOENT);
	assert_int_not_equal(access(dest, F_OK), 0);
	strncat(dest, ".part", sizeof(dest) - strlen(dest) - 1);
	assert_int_not_equal(access(dest, F_OK), 0);
}

static void test_cmdline_live_url(void **state)
{
	struct kernel_cmdline k;
	struct diag_list d;
	(void)state;
	diag_init(&d, "cmdline");
	cmdline_init(&k);
	assert_int_equal(cmdline_parse("root=live:http://10.0.2.100/rootfs.squashfs rd.live.image answerfile=dhcp", &k, &d), 0);
	assert_string_equal(k.live_url, "http://10.0.2.100/rootfs.squashfs");
	assert_string_equal(k.answerfile, "dhcp");
	cmdline_init(&k);
	assert_int_equal(cmdline_parse("root=live:CDLABEL=XENHOST rd.live.image", &k, &d), 0);
	assert_string_equal(k.live_url, "");
	/* the fleet's collectors: a report URL and a syslog server */
	assert_int_equal(cmdline_parse("report_url=http://192.0.2.9/report syslog=192.0.2.9:5514", &k, &d), 0);
	assert_string_equal(k.report_url, "http://192.0.2.9/report");
	assert_string_equal(k.syslog, "192.0.2.9:5514");
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(cmdline_parse("report_url=ftp://x/r", &k, &d), -EINVAL);
	assert_int_equal(cmdline_parse("syslog=udp://x", &k, &d), -EINVAL);
	assert_int_equal(d.n_errors, 2);
	/* a syslog server that is not HOST[:PORT] is refused by the log itself too */
	struct xlog l;
	xlog_open(&l, NULL, NULL);
	assert_int_equal(xlog_remote(&l, "host:"), -EINVAL);
	assert_int_equal(xlog_remote(&l, "host:x1"), -EINVAL);
	assert_int_equal(xlog_remote(&l, "127.0.0.1:5514"), 0);
	xlog_msg(&l, "a line to nobody is not an error");
	xlog_close(&l);
	diag_free(&d);
}

static void test_match_spec(void **state)
{
	struct disk_selector sel;
	struct diag_list d;
	(void)state;
	diag_init(&d, "--match-disk");
	assert_int_equal(answerfile_parse_match("model=QEMU HARDDISK, min-size=60GB,rotational=false", &sel, &d), 0);
	assert_int_equal(sel.kind, DISK_SEL_FILTER);
	assert_string_equal(sel.filter.model, "QEMU HARDDISK");
	assert_int_equal(sel.filter.min_size, 60000000000ULL);
	assert_int_equal(sel.filter.rotational, 0);
	assert_int_equal(answerfile_parse_match("<match serial=\"QM0000*\" bus=\"sata\"/>", &sel, &d), 0);
	assert_string_equal(sel.filter.serial, "QM0000*");
	assert_string_equal(sel.filter.bus, "sata");
	/* quotes and ampersands in values are values, not markup */
	assert_int_equal(answerfile_parse_match("model=A&B \"x\"", &sel, &d), 0);
	assert_string_equal(sel.filter.model, "A&B \"x\"");
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(answerfile_parse_match("colour=red", &sel, &d), -EINVAL);
	assert_int_equal(answerfile_parse_match("min-size=big", &sel, &d), -EINVAL);
	assert_int_equal(answerfile_parse_match("<disk/>", &sel, &d), -EINVAL);
	assert_int_equal(answerfile_parse_match("", &sel, &d), -EINVAL);
	assert_int_equal(d.n_errors, 4);
	diag_free(&d);
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
		cmocka_unit_test_setup_teardown(test_dhcp_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_large, setup, teardown),
		cmocka_unit_test(test_cmdline_live_url),
		cmocka_unit_test(test_match_spec),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
