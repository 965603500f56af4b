/* test_cmdline.c: the kernel command line and network_config= parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

struct fx {
	struct kernel_cmdline k;
	struct diag_list d;
};

static int setup(void **state)
{
	static struct fx f;
	cmdline_init(&f.k);
	diag_init(&f.d, "/proc/cmdline");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	diag_free(&f->d);
	return 0;
}

static void expect_error(struct fx *f, const char *line, unsigned col, const char *msg)
{
	int r = cmdline_parse(line, &f->k, &f->d);
	const struct diag *g = diag_find(&f->d, msg);
	if (!g || r != -EINVAL)
		diag_print(&f->d, stderr);
	assert_int_equal(r, -EINVAL);
	assert_non_null(g);
	assert_int_equal(g->pos.line, 1);
	assert_int_equal(g->pos.col, col);
}

static void test_full_line(void **state)
{
	struct fx *f = *state;
	const char *line = "BOOT_IMAGE=/boot/vmlinuz root=live:LABEL=XENHOST ro quiet console=tty0 "
			   "answerfile=http://deploy.example.com/a.xml network_device=eth1 "
			   "network_config=static:ip=192.0.2.10;netmask=255.255.255.0;gateway=192.0.2.1;dns=192.0.2.53,2001:db8::53;vlan=7 "
			   "atexit=poweroff console=hvc0 console=ttyS0,115200n8 splash\n";
	assert_int_equal(cmdline_parse(line, &f->k, &f->d), 0);
	assert_string_equal(f->k.answerfile, "http://deploy.example.com/a.xml");
	assert_string_equal(f->k.network_device, "eth1");
	assert_int_equal(f->k.net.mode, KC_NET_STATIC);
	assert_string_equal(f->k.net.ip, "192.0.2.10");
	assert_int_equal(f->k.net.prefix, 24);
	assert_string_equal(f->k.net.gateway, "192.0.2.1");
	assert_int_equal(f->k.net.n_dns, 2);
	assert_string_equal(f->k.net.dns[1], "2001:db8::53");
	assert_int_equal(f->k.net.vlan, 7);
	assert_int_equal(f->k.atexit, POST_POWEROFF);
	assert_true(f->k.atexit_set);
	assert_int_equal(f->k.n_consoles, 3);
	assert_string_equal(f->k.consoles[2], "ttyS0,115200n8");   /* the last is the primary */
	assert_int_equal(f->d.n, 0);
}

static void test_empty_line(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cmdline_parse("", &f->k, &f->d), 0);
	assert_string_equal(f->k.answerfile, "");
	assert_int_equal(f->k.net.mode, KC_NET_UNSET);
	assert_false(f->k.atexit_set);
	assert_int_equal(f->k.atexit, POST_REBOOT);
}

static void test_quotes_and_last_wins(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cmdline_parse("atexit=shell answerfile=\"/media/answer files/a.xml\" atexit=reboot", &f->k, &f->d), 0);
	assert_string_equal(f->k.answerfile, "/media/answer files/a.xml");
	assert_int_equal(f->k.atexit, POST_REBOOT);
}

static void test_answerfile_forms(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cmdline_parse("answerfile=ftp://h/a.xml", &f->k, &f->d), 0);
	assert_int_equal(cmdline_parse("answerfile=https://h/a.xml", &f->k, &f->d), 0);
	assert_int_equal(cmdline_parse("answerfile=/answer.xml", &f->k, &f->d), 0);
	assert_string_equal(f->k.answerfile, "/answer.xml");
}

static void test_answerfile_device_alias_and_mac(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cmdline_parse("answerfile_device=52:54:00:AB:cd:01", &f->k, &f->d), 0);
	assert_string_equal(f->k.network_device, "52:54:00:ab:cd:01");
	assert_int_equal(cmdline_parse("network_device=all", &f->k, &f->d), 0);
	assert_string_equal(f->k.network_device, "all");
}

static void test_network_config_dhcp(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cmdline_parse("network_config=dhcp", &f->k, &f->d), 0);
	assert_int_equal(f->k.net.mode, KC_NET_DHCP);
}

static void test_network_config_prefix(void **state)
{
	struct fx *f = *state;
	struct kc_netconfig n;
	assert_int_equal(network_config_parse("static:ip=10.0.0.5/16", &n, &f->d, 1), 0);
	assert_int_equal(n.prefix, 16);
	assert_string_equal(n.gateway, "");
	assert_int_equal(n.vlan, 0);
	assert_int_equal(network_config_parse("static:ip=10.0.0.5;netmask=8;gateway=10.9.9.9", &n, &f->d, 1), 0);
	assert_int_equal(n.prefix, 8);
}

static void test_errors(void **state)
{
	struct fx *f = *state;
	expect_error(f, "quiet network_config=static:netmask=255.255.255.0", 7, "network_config=static needs ip=");
	expect_error(f, "network_config=static:ip=10.0.0.5", 1, "needs netmask=");
	expect_error(f, "network_config=static:ip=10.0.0.5/24;vlan=4095", 1, "vlan=4095 is not a VLAN id");
	expect_error(f, "network_config=static:ip=10.0.0.5/24;vlan=0", 1, "vlan=0 is not a VLAN id");
	expect_error(f, "network_config=static:ip=10.0.0.5/24;mtu=9000", 1, "unknown key \"mtu\"");
	expect_error(f, "network_config=static:ip=10.0.0.5/24;dns=dns.example.com", 1, "dns server dns.example.com");
	expect_error(f, "network_config=static:ip=10.0.0.5/24;gateway=10.0.1.1", 1, "gateway=10.0.1.1 is not in 10.0.0.5/24");
	expect_error(f, "network_config=static:ip=10.0.0.5/24;netmask=255.255.0.0", 1, "disagree");
	expect_error(f, "network_config=static:ip=10.0.0.300;netmask=24", 1, "ip=10.0.0.300");
	expect_error(f, "network_config=static:ip=10.0.0.5;netmask=255.0.255.0", 1, "not contiguous");
	expect_error(f, "network_config=static:ip=10.0.0.0/24", 1, "network address");
	expect_error(f, "network_config=static:ip", 1, "is not key=value");
	expect_error(f, "a network_config=manual", 3, "network_config=manual is not understood");
	expect_error(f, "atexit=halt", 1, "atexit=halt is not valid: use reboot, poweroff or shell");
	expect_error(f, "ro answerfile=gopher://x/a.xml", 4, "answerfile=gopher://x/a.xml");
	expect_error(f, "answerfile", 1, "answerfile needs a value");
	expect_error(f, "network_device=eth0/1", 1, "give a NIC name (eth0), a MAC address or \"all\"");
	expect_error(f, "x \"answerfile=/a", 3, "unbalanced double quote");
}

static void test_unknown_parameters_ignored(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cmdline_parse("xen-pciback.hide=(0000:01:00.0) dom0_mem=2G foo answerfile2=x", &f->k, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	assert_string_equal(f->k.answerfile, "");
}

static void test_read_file(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/xh-cmdline-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *s = "root=x answerfile=file:///a.xml atexit=shell\n";
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	assert_int_equal(cmdline_read(path, &f->k, &f->d), 0);
	assert_string_equal(f->k.answerfile, "file:///a.xml");
	assert_int_equal(f->k.atexit, POST_SHELL);
	unlink(path);
	assert_int_equal(cmdline_read("/nonexistent/cmdline", &f->k, &f->d), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotes_and_last_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answerfile_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answerfile_device_alias_and_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_config_dhcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_config_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_parameters_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
