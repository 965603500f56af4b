/* test_plan.c: the planner: layout for small, exact-minimum and large disks with
 * 512 and 4096-byte sectors, disk selection, firmware, dom0 sizing, printing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* The default layout: 1 MiB BIOS boot + 512 MiB ESP + 18 + 18 + 4 + 1 GiB, from 1 MiB,
 * plus 1 GiB of local storage and the backup GPT (33 sectors of 512, 5 of 4096). */
#define MIN_512 UINT64_C(45636141568)
#define MIN_4K UINT64_C(45636145152)

struct fx {
	struct install_config *c;
	struct install_plan *p;
	struct diag_list d;
	struct disk_info disks[4];
	size_t n;
	struct plan_host host;
	struct plan_opts opts;
};

static int fixed_suffix(void *ud, char *out)
{
	strcpy(out, ud ? (const char *)ud : "0123abcd");
	return 0;
}

static int failing_suffix(void *ud, char *out)
{
	(void)ud, (void)out;
	return -EIO;
}

static struct disk_info disk(const char *name, uint64_t size, unsigned ss)
{
	struct disk_info d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.devnode, sizeof(d.devnode), "/dev/%s", name);
	snprintf(d.model, sizeof(d.model), "TEST DISK");
	d.size = size;
	d.logical_sector = d.physical_sector = ss;
	return d;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->c = calloc(1, sizeof(*f->c));
	f->p = calloc(1, sizeof(*f->p));
	config_init(f->c);
	f->c->primary_disk = (struct disk_selector){ .kind = DISK_SEL_PATH, .path = "/dev/sda", .pos = { 3, 1 } };
	f->c->primary_disk.filter.rotational = -1;
	diag_init(&f->d, "test.xml");
	f->disks[0] = disk("sda", 2 * TiB, 512);
	f->disks[1] = disk("sdb", 100 * GiB, 4096);
	f->n = 2;
	f->host = (struct plan_host){ .ram = 64 * GiB, .cpus = 8, .uefi = false };
	f->opts = (struct plan_opts){ fixed_suffix, NULL };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	diag_free(&f->d);
	free(f->c);
	free(f->p);
	free(f);
	return 0;
}

static int plan(struct fx *f)
{
	int r = plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d);
	if (r < 0)
		diag_print(&f->d, stderr);
	return r;
}

static const struct plan_part *part(const struct plan_disk *pd, unsigned number)
{
	for (size_t i = 0; i < pd->n_parts; i++)
		if (pd->parts[i].number == number)
			return &pd->parts[i];
	return NULL;
}

/* Invariants of every layout: aligned, in order, no overlap, inside the usable area. */
static void check_layout(const struct plan_disk *pd)
{
	unsigned ss = pd->disk.logical_sector;
	uint64_t prev_end = MiB;
	assert_true(pd->n_parts > 0);
	assert_int_equal(pd->n_sectors, pd->disk.size / ss);
	assert_int_equal(pd->first_usable_lba, ss == 512 ? 34 : 6);
	assert_int_equal(pd->last_usable_lba, pd->n_sectors - (ss == 512 ? 34 : 6));
	for (size_t i = 0; i < pd->n_parts; i++) {
		const struct plan_part *pp = &pd->parts[i];
		assert_int_equal(pp->start % MiB, 0);
		assert_int_equal(pp->size % MiB, 0);
		assert_true(pp->size > 0);
		assert_int_equal(pp->start, prev_end);   /* contiguous, physical order */
		assert_int_equal(pp->start_lba * ss, pp->start);
		assert_int_equal(pp->n_lba * ss, pp->size);
		assert_true(pp->start_lba >= pd->first_usable_lba);
		assert_true(pp->start_lba + pp->n_lba - 1 <= pd->last_usable_lba);
		prev_end = pp->start + pp->size;
	}
}

static void test_min_size_constants(void **state)
{
	struct fx *f = *state;
	assert_int_equal(plan_min_disk_size(f->c, 512, true), MIN_512);
	assert_int_equal(plan_min_disk_size(f->c, 4096, true), MIN_4K);
	assert_int_equal(plan_min_disk_size(f->c, 512, false), MiB + GiB + 33 * 512);
	f->c->guest_storage = false;
	assert_int_equal(plan_min_disk_size(f->c, 512, true), MIN_512 - GiB);
}

static void test_large_disk_512(void **state)
{
	struct fx *f = *state;
	f->n = 1;
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->n_disks, 1);
	const struct plan_disk *pd = &f->p->disks[0];
	assert_true(pd->primary);
	check_layout(pd);
	static const unsigned order[] = { 7, 4, 1, 2, 5, 6, 3 };
	assert_int_equal(pd->n_parts, 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(pd->parts[i].number, order[i]);
	assert_int_equal(part(pd, 7)->start_lba, 2048);
	assert_int_equal(part(pd, 7)->size, MiB);
	assert_int_equal(part(pd, 4)->size, 512 * MiB);
	assert_int_equal(part(pd, 1)->size, 18 * GiB);
	assert_int_equal(part(pd, 2)->size, 18 * GiB);
	assert_int_equal(part(pd, 5)->size, 4 * GiB);
	assert_int_equal(part(pd, 6)->size, 1 * GiB);
	/* local storage: the rest, up to the last whole MiB before the backup GPT */
	assert_int_equal(part(pd, 3)->start + part(pd, 3)->size, 2 * TiB - MiB);
	assert_int_equal(part(pd, 3)->size, 2 * TiB - MiB - (41 * GiB + 514 * MiB));
	assert_int_equal(pd->unused, 0);
	assert_string_equal(part(pd, 1)->label, "xh-root-0123abcd");
	assert_string_equal(part(pd, 2)->label, "xh-backup-0123abcd");
	assert_string_equal(part(pd, 3)->label, "xh-storage-0123abcd");
	assert_string_equal(part(pd, 4)->label, "xh-esp-0123abcd");
	assert_string_equal(part(pd, 5)->label, "xh-logs-0123abcd");
	assert_string_equal(part(pd, 6)->label, "xh-swap-0123abcd");
	assert_string_equal(part(pd, 7)->label, "xh-biosboot-0123abcd");
	assert_string_equal(part(pd, 4)->type_guid, GPT_TYPE_ESP);
	assert_string_equal(part(pd, 7)->type_guid, GPT_TYPE_BIOS_BOOT);
	assert_string_equal(part(pd, 6)->type_guid, GPT_TYPE_SWAP);
	assert_string_equal(part(pd, 1)->type_guid, GPT_TYPE_LINUX_DATA);
	assert_int_equal(part(pd, 1)->fs, FS_EXT4);
	assert_string_equal(part(pd, 1)->mountpoint, "/");
	assert_int_equal(part(pd, 3)->fs, FS_EXT4);
	assert_int_equal(part(pd, 4)->fs, FS_VFAT);
	assert_string_equal(part(pd, 5)->mountpoint, "/var/log");
	assert_false(part(pd, 2)->mkfs);   /* the backup is made at the first upgrade */
	assert_false(part(pd, 7)->mkfs);
	assert_int_equal(f->p->min_primary_size, MIN_512);
	assert_int_equal(f->p->firmware, FW_BIOS);
	assert_false(f->p->firmware_forced);
}

static void test_large_disk_4096(void **state)
{
	struct fx *f = *state;
	f->disks[0] = disk("nvme0n1", 960 * GiB + 12345 * 4096, 4096);
	strcpy(f->c->primary_disk.path, "/dev/nvme0n1");
	f->n = 1;
	f->c->sr_type = SR_XFS;
	assert_int_equal(plan(f), 0);
	const struct plan_disk *pd = &f->p->disks[0];
	check_layout(pd);
	assert_int_equal(part(pd, 7)->start_lba, 256);
	assert_int_equal(part(pd, 7)->n_lba, 256);
	assert_int_equal(part(pd, 4)->start_lba, 512);
	assert_int_equal(part(pd, 1)->n_lba, 18 * GiB / 4096);
	assert_int_equal(part(pd, 3)->fs, FS_XFS);
	/* the partial MiB at the end is left out */
	uint64_t end = part(pd, 3)->start + part(pd, 3)->size;
	assert_int_equal(end, (960 * GiB + 12345 * 4096 - 5 * 4096) / MiB * MiB);
	assert_int_equal(f->p->min_primary_size, MIN_4K);
}

static void exact_minimum(struct fx *f, unsigned ss, uint64_t min)
{
	f->disks[0] = disk("sda", min, ss);
	f->n = 1;
	assert_int_equal(plan(f), 0);
	const struct plan_disk *pd = &f->p->disks[0];
	check_layout(pd);
	assert_int_equal(part(pd, 3)->size, PLAN_MIN_STORAGE);
	assert_int_equal(part(pd, 3)->start_lba + part(pd, 3)->n_lba - 1 + (ss == 512 ? 33 : 5), pd->n_sectors - 1);
	/* one sector less is refused, with both sizes in the message */
	diag_free(&f->d);
	diag_init(&f->d, "test.xml");
	f->disks[0] = disk("sda", min - ss, ss);
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -ENOSPC);
	char want[200];
	snprintf(want, sizeof(want), "(%llu bytes), but the primary disk layout needs at least 42.5 GiB (%llu bytes)",
		 (unsigned long long)(min - ss), (unsigned long long)min);
	const struct diag *g = diag_find(&f->d, want);
	if (!g)
		diag_print(&f->d, stderr);
	assert_non_null(g);
	assert_int_equal(g->pos.line, 3);
}

static void test_exact_minimum_512(void **state)
{
	exact_minimum(*state, 512, MIN_512);
}

static void test_exact_minimum_4096(void **state)
{
	exact_minimum(*state, 4096, MIN_4K);
}

static void test_small_disk_refused(void **state)
{
	struct fx *f = *state;
	f->disks[0] = disk("sda", 20 * GiB, 512);
	f->n = 1;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -ENOSPC);
	assert_non_null(diag_find(&f->d, "disk /dev/sda (TEST DISK) is 20 GiB (21474836480 bytes), but the primary disk "
				       "layout needs at least 42.5 GiB (45636141568 bytes): use a larger disk, or make the "
				       "partitions smaller with <partition-sizes>"));
}

static void test_smaller_partitions_fit(void **state)
{
	struct fx *f = *state;
	f->c->sizes = (struct part_sizes){ .root = 4 * GiB, .backup = 4 * GiB, .esp = 100 * MiB, .logs = 512 * MiB,
					   .swap = 64 * MiB };
	f->disks[0] = disk("sda", 16 * GiB, 512);
	f->n = 1;
	assert_int_equal(plan(f), 0);
	check_layout(&f->p->disks[0]);
	assert_int_equal(part(&f->p->disks[0], 1)->size, 4 * GiB);
}

static void test_sr_not_at_end(void **state)
{
	struct fx *f = *state;
	f->c->sr_at_end = false;
	f->n = 1;
	assert_int_equal(plan(f), 0);
	const struct plan_disk *pd = &f->p->disks[0];
	check_layout(pd);
	static const unsigned order[] = { 7, 4, 1, 2, 3, 5, 6 };
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(pd->parts[i].number, order[i]);
	assert_int_equal(part(pd, 6)->start + part(pd, 6)->size, 2 * TiB - MiB);
}

static void test_no_guest_storage(void **state)
{
	struct fx *f = *state;
	f->c->guest_storage = false;
	f->n = 1;
	assert_int_equal(plan(f), 0);
	const struct plan_disk *pd = &f->p->disks[0];
	check_layout(pd);
	assert_int_equal(pd->n_parts, 6);
	assert_null(part(pd, 3));
	assert_int_equal(pd->unused, 2 * TiB - MiB - (41 * GiB + 514 * MiB));
	const struct diag *g = diag_find(&f->d, "no local storage will be made");
	assert_non_null(g);
	assert_int_equal(g->sev, DIAG_WARNING);
}

static void test_guest_disks(void **state)
{
	struct fx *f = *state;
	f->c->sr_type = SR_XFS;
	f->c->guest_disks[0] = (struct disk_selector){ .kind = DISK_SEL_PATH, .path = "/dev/sdb", .pos = { 6, 1 } };
	f->c->n_guest_disks = 1;
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->n_disks, 2);
	const struct plan_disk *g = &f->p->disks[1];
	assert_false(g->primary);
	check_layout(g);
	assert_int_equal(g->n_parts, 1);
	assert_int_equal(g->parts[0].number, 1);
	assert_int_equal(g->parts[0].role, PART_STORAGE);
	assert_int_equal(g->parts[0].fs, FS_XFS);
	assert_string_equal(g->parts[0].label, "xh-storage2-0123abcd");
	assert_int_equal(g->parts[0].start_lba, 256);
	assert_int_equal(g->parts[0].size, 100 * GiB - 2 * MiB);
	assert_int_equal(part(&f->p->disks[0], 3)->fs, FS_XFS);
}

static void test_guest_disk_too_small(void **state)
{
	struct fx *f = *state;
	f->disks[1] = disk("sdb", 512 * MiB, 512);
	f->c->guest_disks[0] = (struct disk_selector){ .kind = DISK_SEL_PATH, .path = "/dev/sdb", .pos = { 6, 1 } };
	f->c->n_guest_disks = 1;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -ENOSPC);
	const struct diag *g = diag_find(&f->d, "the local storage layout needs at least 1.0 GiB");
	assert_non_null(g);
	assert_int_equal(g->pos.line, 6);
}

static void test_same_disk_twice(void **state)
{
	struct fx *f = *state;
	snprintf(f->disks[0].by_id[0], CFG_PATH_MAX, "/dev/disk/by-id/ata-TEST_1");
	f->disks[0].n_by_id = 1;
	f->c->guest_disks[0] = (struct disk_selector){ .kind = DISK_SEL_PATH, .path = "/dev/disk/by-id/ata-TEST_1", .pos = { 6, 1 } };
	f->c->n_guest_disks = 1;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -EEXIST);
	const struct diag *g = diag_find(&f->d, "<guest-disk> is /dev/sda, which is already used (named at line 3, column 1)");
	assert_non_null(g);
	assert_int_equal(g->pos.line, 6);
}

static void test_missing_primary(void **state)
{
	struct fx *f = *state;
	strcpy(f->c->primary_disk.path, "/dev/sdq");
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -ENODEV);
	assert_non_null(diag_find(&f->d, "<primary-disk> /dev/sdq does not exist on this machine"));
	assert_int_equal(f->p->n_disks, 0);
}

static void test_readonly_and_odd_sectors(void **state)
{
	struct fx *f = *state;
	f->disks[0].readonly = true;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -EROFS);
	assert_non_null(diag_find(&f->d, "disk /dev/sda is read-only"));
	f->disks[0].readonly = false;
	f->disks[0].logical_sector = 520;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -EINVAL);
	assert_non_null(diag_find(&f->d, "has 520-byte sectors"));
}

static void test_firmware(void **state)
{
	struct fx *f = *state;
	f->host.uefi = true;
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->firmware, FW_UEFI);
	assert_false(f->p->firmware_forced);
	f->c->firmware = FW_BIOS;
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->firmware, FW_BIOS);
	assert_true(f->p->firmware_forced);
	/* both boot partitions whatever the mode */
	assert_non_null(part(&f->p->disks[0], 4));
	assert_non_null(part(&f->p->disks[0], 7));
}

static void test_dom0_sizing(void **state)
{
	(void)state;
	assert_int_equal(dom0_memory_for(4 * GiB), 1228 * MiB);     /* 1 GiB + 204.8 MiB, rounded down */
	assert_int_equal(dom0_memory_for(16 * GiB), 1843 * MiB);
	assert_int_equal(dom0_memory_for(140 * GiB), 8 * GiB);      /* exactly at the cap */
	assert_int_equal(dom0_memory_for(1 * TiB), 8 * GiB);        /* capped */
	assert_int_equal(dom0_vcpus_for(1), 1);
	assert_int_equal(dom0_vcpus_for(4), 4);
	assert_int_equal(dom0_vcpus_for(16), 16);
	assert_int_equal(dom0_vcpus_for(17), 16);
	assert_int_equal(dom0_vcpus_for(256), 16);
}

static void test_dom0_in_plan(void **state)
{
	struct fx *f = *state;
	f->host.ram = 64 * GiB;
	f->host.cpus = 48;
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->dom0_memory, 4300 * MiB);   /* 1024 + 3276.8 MiB */
	assert_int_equal(f->p->dom0_vcpus, 16);
	assert_true(f->p->dom0_memory_auto);
	assert_true(f->p->dom0_vcpus_auto);
	f->c->dom0_memory = 6 * GiB;
	f->c->dom0_vcpus = 4;
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->dom0_memory, 6 * GiB);
	assert_int_equal(f->p->dom0_vcpus, 4);
	assert_false(f->p->dom0_memory_auto);
	f->host.ram = 4 * GiB;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -EINVAL);
	assert_non_null(diag_find(&f->d, "dom0 memory 6 GiB is not less than the host's RAM (4 GiB)"));
}

static void test_suffix(void **state)
{
	struct fx *f = *state;
	f->opts.suffix_ud = "deadbeef";
	assert_int_equal(plan(f), 0);
	assert_string_equal(f->p->suffix, "deadbeef");
	assert_string_equal(part(&f->p->disks[0], 1)->label, "xh-root-deadbeef");
	f->opts.suffix_ud = "NOTHEX!!";
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -EINVAL);
	f->opts.suffix = failing_suffix;
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, &f->opts, f->p, &f->d), -EIO);
	/* the default source: random hex, different each time */
	char first[PLAN_SUFFIX_LEN + 1];
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, NULL, f->p, &f->d), 0);
	strcpy(first, f->p->suffix);
	assert_int_equal(strspn(first, "0123456789abcdef"), PLAN_SUFFIX_LEN);
	assert_int_equal(plan_make(f->c, f->disks, f->n, &f->host, NULL, f->p, &f->d), 0);
	assert_string_not_equal(first, f->p->suffix);
}

static void test_upgrade_plan(void **state)
{
	struct fx *f = *state;
	f->c->mode = MODE_UPGRADE;
	f->c->existing_installation = (struct disk_selector){ .kind = DISK_SEL_PATH, .path = "/dev/sdb", .pos = { 2, 1 } };
	assert_int_equal(plan(f), 0);
	assert_int_equal(f->p->n_disks, 1);
	assert_string_equal(f->p->disks[0].disk.name, "sdb");
	assert_int_equal(f->p->disks[0].n_parts, 0);   /* the existing layout is kept */
}

static void test_print(void **state)
{
	struct fx *f = *state;
	char *buf = NULL;
	size_t len = 0;
	f->n = 1;
	strcpy(f->c->hostname, "h1");
	assert_int_equal(plan(f), 0);
	FILE *out = open_memstream(&buf, &len);
	plan_print(f->p, out);
	fclose(out);
	assert_non_null(strstr(buf, "mode:          fresh"));
	assert_non_null(strstr(buf, "firmware:      BIOS (detected)"));
	assert_non_null(strstr(buf, "local storage: ext4 /dev/sda3"));
	assert_non_null(strstr(buf, "xh-root-0123abcd"));
	assert_non_null(strstr(buf, "/dev/sda7"));
	assert_non_null(strstr(buf, "18 GiB"));
	assert_non_null(strstr(buf, "i386-pc on /dev/sda"));
	assert_non_null(strstr(buf, "45636141568 bytes"));
	assert_non_null(strstr(buf, "hostname:      h1"));
	free(buf);
}

static void test_part_devnode(void **state)
{
	(void)state;
	char b[64];
	struct disk_info d = disk("nvme0n1", GiB, 512);
	part_devnode(&d, 3, b, sizeof(b));
	assert_string_equal(b, "/dev/nvme0n1p3");
	d = disk("sda", GiB, 512);
	part_devnode(&d, 7, b, sizeof(b));
	assert_string_equal(b, "/dev/sda7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_min_size_constants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_disk_512, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_disk_4096, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_minimum_512, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_minimum_4096, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_disk_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smaller_partitions_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sr_not_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_guest_storage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_disks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_disk_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_disk_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_primary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_and_odd_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware, setup, teardown),
		cmocka_unit_test(test_dom0_sizing),
		cmocka_unit_test_setup_teardown(test_dom0_in_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suffix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
		cmocka_unit_test(test_part_devnode),
	};
	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
