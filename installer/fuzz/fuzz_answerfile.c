/* fuzz_answerfile.c: libFuzzer target for the answer-file loader, parser and validator
 * (answerfile_parse_mem), and for the planner and plan printer on what they accept,
 * with two fixed disks (512 and 4096-byte sectors) and a fixed host. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answerfile.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fixed_suffix(void *ud, char *out)
{
	(void)ud;
	strcpy(out, "0123abcd");
	return 0;
}

static struct disk_info disk(const char *name, uint64_t size, unsigned ss)
{
	struct disk_info d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.devnode, sizeof(d.devnode), "/dev/%s", name);
	snprintf(d.model, sizeof(d.model), "FUZZ DISK");
	snprintf(d.bus, sizeof(d.bus), "sata");
	d.size = size;
	d.logical_sector = d.physical_sector = ss;
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct install_config *c = malloc(sizeof(*c));
	struct install_plan *p = malloc(sizeof(*p));
	struct diag_list d;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!c || !p || !null)
		abort();
	config_init(c);
	diag_init(&d, "fuzz.xml");
	if (answerfile_parse_mem((const char *)data, size, c, &d) == 0) {
		const struct disk_info disks[2] = { disk("sda", UINT64_C(2) << 40, 512), disk("sdb", UINT64_C(100) << 30, 4096) };
		const struct plan_host host = { .ram = UINT64_C(64) << 30, .cpus = 8, .uefi = false };
		const struct plan_opts opts = { fixed_suffix, NULL };
		memset(p, 0, sizeof(*p));
		if (plan_make(c, disks, 2, &host, &opts, p, &d) == 0)
			plan_print(p, null);
	}
	diag_print(&d, null);
	diag_free(&d);
	config_wipe(c);
	free(c);
	free(p);
	return 0;
}
