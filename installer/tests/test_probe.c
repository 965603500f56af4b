/* test_probe.c: the disk probe and the disk filter matcher, on a fake sysfs tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakesys.h"
#include "probe.h"

#define ATA0 "pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0"
#define ATA1 "pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0"
#define NVME "pci0000:00/0000:00:03.0/nvme/nvme0"
#define VIRT "pci0000:00/0000:00:04.0/virtio1"
#define USB "pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host4/target4:0:0/4:0:0:0"
#define SAS "pci0000:00/0000:00:05.0/host2/port-2:0/end_device-2:0/target2:0:0/2:0:0:0"

struct fx {
	char *root;
	struct probe_root pr;
	struct disk_info *disks;
	size_t n;
	struct diag_list d;
	char sys[512], dev[512], proc[512];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->root = fakesys_create();
	assert_non_null(f->root);
	snprintf(f->sys, sizeof(f->sys), "%s/sys", f->root);
	snprintf(f->dev, sizeof(f->dev), "%s/dev", f->root);
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->root);
	f->pr = (struct probe_root){ f->sys, f->dev, f->proc };
	const struct fake_disk disks[] = {
		{ .name = "sda", .size = 240 * GiB, .devpath = ATA0, .vendor = "ATA", .model = "Samsung SSD 860",
		  .serial = "S3Z9NB0K123456A", .wwid = "naa.5002538e40a1b2c3", .by_id = { "ata-Samsung_SSD_860_S3Z9NB0K123456A",
		  "wwn-0x5002538e40a1b2c3" }, .partitions = 3 },
		{ .name = "sdb", .size = 4 * TiB, .pss = 4096, .devpath = ATA1, .vendor = "ATA", .model = "ST4000NM0035",
		  .serial = "ZC1ABCDE", .rotational = 1, .by_id = { "ata-ST4000NM0035_ZC1ABCDE" } },
		{ .name = "nvme0n1", .size = 960 * GiB, .lss = 4096, .devpath = NVME, .model = "SAMSUNG MZQL2960HCJR",
		  .serial = "S64FNE0R700001", .serial_file = "device/serial", .wwid = "eui.36344630528000010025384100000001",
		  .by_id = { "nvme-SAMSUNG_MZQL2960HCJR_S64FNE0R700001" } },
		{ .name = "vda", .size = 50 * GiB, .devpath = VIRT, .serial = "vdisk-01", .serial_file = "serial",
		  .by_id = { "virtio-vdisk-01" } },
		{ .name = "sdc", .size = 32 * GiB, .devpath = USB, .model = "Ultra Fit", .serial = "4C530001", .removable = 1 },
		{ .name = "sdd", .size = 1200 * GiB, .devpath = SAS, .model = "HUC101212CSS600", .serial = "L0XYZ123",
		  .rotational = 1, .ro = 1 },
		{ .name = "loop0", .size = 1 * GiB, .devpath = "virtual/block" },
		{ .name = "sr0", .size = 700 * MiB, .devpath = "pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0" },
		{ .name = "ram0", .size = 0, .devpath = "virtual/ram" },
	};
	for (size_t i = 0; i < sizeof(disks) / sizeof(disks[0]); i++)
		assert_int_equal(fakesys_add_disk(f->root, &disks[i]), 0);
	assert_int_equal(probe_disks(&f->pr, &f->disks, &f->n), 0);
	diag_init(&f->d, "test.xml");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	free(f->disks);
	diag_free(&f->d);
	fakesys_destroy(f->root);
	free(f);
	return 0;
}

static const struct disk_info *find(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->disks[i].name, name))
			return &f->disks[i];
	fail_msg("disk %s not probed", name);
	return NULL;
}

static void test_list_skips_and_sorts(void **state)
{
	struct fx *f = *state;
	assert_int_equal(f->n, 6);
	const char *want[] = { "nvme0n1", "sda", "sdb", "sdc", "sdd", "vda" };
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(f->disks[i].name, want[i]);
}

/* --disk-allow-loop (tests): the loop devices and nothing else, so that a test driving
 * the screens can never pick the machine's own disk. */
static void test_loop_only(void **state)
{
	struct fx *f = *state;
	struct probe_root pr = f->pr;
	struct disk_info *d = NULL;
	size_t n = 0;
	pr.loop_only = true;
	assert_int_equal(probe_disks(&pr, &d, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].name, "loop0");
	assert_string_equal(d[0].devnode, "/dev/loop0");
	free(d);
}

static void test_sata_disk(void **state)
{
	struct fx *f = *state;
	const struct disk_info *d = find(f, "sda");
	assert_string_equal(d->devnode, "/dev/sda");
	assert_int_equal(d->size, 240 * GiB);
	assert_int_equal(d->logical_sector, 512);
	assert_int_equal(d->physical_sector, 512);
	assert_string_equal(d->model, "Samsung SSD 860");   /* trailing padding trimmed */
	assert_string_equal(d->vendor, "ATA");
	assert_string_equal(d->serial, "S3Z9NB0K123456A");  /* from VPD page 0x80 */
	assert_string_equal(d->wwn, "naa.5002538e40a1b2c3");
	assert_string_equal(d->bus, "sata");
	assert_false(d->rotational);
	assert_false(d->removable);
	assert_false(d->readonly);
	assert_int_equal(d->n_partitions, 3);
	assert_int_equal(d->n_by_id, 2);
	assert_string_equal(d->by_id[0], "/dev/disk/by-id/ata-Samsung_SSD_860_S3Z9NB0K123456A");
	assert_string_equal(d->by_id[1], "/dev/disk/by-id/wwn-0x5002538e40a1b2c3");
}

static void test_other_buses(void **state)
{
	struct fx *f = *state;
	const struct disk_info *n = find(f, "nvme0n1");
	assert_string_equal(n->bus, "nvme");
	assert_int_equal(n->logical_sector, 4096);
	assert_int_equal(n->physical_sector, 4096);
	assert_string_equal(n->serial, "S64FNE0R700001");
	assert_string_equal(n->wwn, "eui.36344630528000010025384100000001");
	assert_string_equal(find(f, "vda")->bus, "virtio");
	assert_string_equal(find(f, "vda")->serial, "vdisk-01");
	assert_string_equal(find(f, "sdc")->bus, "usb");
	assert_true(find(f, "sdc")->removable);
	assert_string_equal(find(f, "sdd")->bus, "sas");
	assert_true(find(f, "sdd")->readonly);
	assert_true(find(f, "sdb")->rotational);
	assert_int_equal(find(f, "sdb")->physical_sector, 4096);
	assert_int_equal(find(f, "sdb")->logical_sector, 512);
}

static void test_probe_host(void **state)
{
	struct fx *f = *state;
	struct host_info h;
	assert_int_equal(fakesys_write(f->root, "sys/devices/system/cpu/present", "0-3,8-11\n"), 0);
	assert_int_equal(fakesys_write(f->root, "proc/meminfo", "MemTotal:       65536000 kB\nMemFree: 1 kB\n"), 0);
	assert_int_equal(probe_host(&f->pr, &h), 0);
	assert_int_equal(h.cpus, 8);
	assert_int_equal(h.ram, UINT64_C(65536000) * 1024);
	assert_false(h.uefi);
	assert_int_equal(fakesys_write(f->root, "sys/firmware/efi/fw_platform_size", "64\n"), 0);
	assert_int_equal(probe_host(&f->pr, &h), 0);
	assert_true(h.uefi);
}

static struct disk_selector filter(void)
{
	struct disk_selector s = { .kind = DISK_SEL_FILTER, .pos = { 7, 3 } };
	s.filter.rotational = -1;
	return s;
}

static void test_filter_one_match(void **state)
{
	struct fx *f = *state;
	struct disk_selector s = filter();
	strcpy(s.filter.bus, "sata");
	s.filter.rotational = 0;
	s.filter.min_size = 200 * UINT64_C(1000000000);
	int i = disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d);
	assert_true(i >= 0);
	assert_string_equal(f->disks[i].name, "sda");
	/* a pattern on model and serial, case-insensitive */
	s = filter();
	strcpy(s.filter.model, "st4000*");
	strcpy(s.filter.serial, "ZC1?BCDE");
	i = disk_select(&s, f->disks, f->n, "<guest-disk>", &f->d);
	assert_true(i >= 0);
	assert_string_equal(f->disks[i].name, "sdb");
	s = filter();
	strcpy(s.filter.wwn, "eui.*");
	i = disk_select(&s, f->disks, f->n, "<guest-disk>", &f->d);
	assert_true(i >= 0);
	assert_string_equal(f->disks[i].name, "nvme0n1");
	s = filter();
	s.filter.max_size = 40 * GiB;
	i = disk_select(&s, f->disks, f->n, "<guest-disk>", &f->d);
	assert_true(i >= 0);
	assert_string_equal(f->disks[i].name, "sdc");
	assert_int_equal(f->d.n, 0);
}

static void test_filter_no_match(void **state)
{
	struct fx *f = *state;
	struct disk_selector s = filter();
	strcpy(s.filter.model, "INTEL*");
	assert_int_equal(disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d), -ENODEV);
	const struct diag *g = diag_find(&f->d, "no disk matches the <match model=INTEL*> of <primary-disk>");
	assert_non_null(g);
	assert_int_equal(g->pos.line, 7);
	assert_non_null(strstr(g->msg, "sda: 240 GiB, Samsung SSD 860"));
}

static void test_filter_several_match(void **state)
{
	struct fx *f = *state;
	struct disk_selector s = filter();
	s.filter.rotational = 1;
	assert_int_equal(disk_select(&s, f->disks, f->n, "<guest-disk>", &f->d), -ENOTUNIQ);
	const struct diag *g = diag_find(&f->d, "2 disks match the <match rotational=true> of <guest-disk>");
	assert_non_null(g);
	assert_non_null(strstr(g->msg, "sdb"));
	assert_non_null(strstr(g->msg, "sdd"));
	assert_null(strstr(g->msg, "sda:"));
	assert_non_null(strstr(g->msg, "add serial="));
}

static void test_filter_matcher_fields(void **state)
{
	struct fx *f = *state;
	const struct disk_info *d = find(f, "sdb");
	struct disk_filter fl = { .rotational = -1 };
	assert_true(disk_filter_matches(&fl, d));   /* an empty filter matches anything */
	strcpy(fl.bus, "nvme");
	assert_false(disk_filter_matches(&fl, d));
	strcpy(fl.bus, "sata");
	assert_true(disk_filter_matches(&fl, d));
	fl.min_size = 4 * TiB;
	assert_true(disk_filter_matches(&fl, d));   /* bounds are inclusive */
	fl.min_size = 4 * TiB + 1;
	assert_false(disk_filter_matches(&fl, d));
	fl.min_size = 0;
	fl.max_size = 4 * TiB - 1;
	assert_false(disk_filter_matches(&fl, d));
	fl.max_size = 0;
	fl.rotational = 0;
	assert_false(disk_filter_matches(&fl, d));
	fl.rotational = 1;
	strcpy(fl.serial, "XX*");
	assert_false(disk_filter_matches(&fl, d));
}

static void test_select_by_name_and_id(void **state)
{
	struct fx *f = *state;
	struct disk_selector s = { .kind = DISK_SEL_PATH, .pos = { 4, 1 } };
	strcpy(s.path, "/dev/vda");
	int i = disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d);
	assert_true(i >= 0);
	assert_string_equal(f->disks[i].name, "vda");
	strcpy(s.path, "/dev/disk/by-id/wwn-0x5002538e40a1b2c3");
	i = disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d);
	assert_true(i >= 0);
	assert_string_equal(f->disks[i].name, "sda");
	/* a partition's by-id link is not a disk */
	strcpy(s.path, "/dev/disk/by-id/ata-ST4000NM0035_ZC1ABCDE-part1");
	assert_int_equal(disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d), -ENODEV);
	assert_int_equal(f->d.n_errors, 1);
}

static void test_select_missing_and_partition(void **state)
{
	struct fx *f = *state;
	struct disk_selector s = { .kind = DISK_SEL_PATH, .pos = { 4, 1 } };
	strcpy(s.path, "/dev/sdz");
	assert_int_equal(disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d), -ENODEV);
	const struct diag *g = diag_find(&f->d, "<primary-disk> /dev/sdz does not exist on this machine; the disks are:");
	assert_non_null(g);
	assert_int_equal(g->pos.line, 4);
	strcpy(s.path, "/dev/nvme0n1p2");
	assert_int_equal(disk_select(&s, f->disks, f->n, "<primary-disk>", &f->d), -ENODEV);
	assert_non_null(diag_find(&f->d, "/dev/nvme0n1p2 is a partition: name the whole disk, /dev/nvme0n1"));
}

static void test_missing_sysfs(void **state)
{
	(void)state;
	struct probe_root pr = { "/nonexistent", "/nonexistent", "/nonexistent" };
	struct disk_info *d = NULL;
	size_t n = 0;
	assert_int_equal(probe_disks(&pr, &d, &n), -ENOENT);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_skips_and_sorts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sata_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_buses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_one_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_no_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_several_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_matcher_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_by_name_and_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_missing_and_partition, setup, teardown),
		cmocka_unit_test(test_missing_sysfs),
	};
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
