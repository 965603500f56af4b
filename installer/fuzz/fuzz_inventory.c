/* fuzz_inventory.c: libFuzzer target for what the installer reads from an existing
 * installation: /etc/xenhost-inventory, the backup's marker (KEY='value' lines), the
 * version comparison, and the upgrade and restore decisions made from them. The input
 * is an inventory, optionally followed by a line "--" and a backup marker; its first byte
 * also sets the first-boot and backup flags. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "existing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct existing *e = calloc(1, sizeof(*e));
	char *s = malloc(size + 1), why[512];

	if (!null)
		null = fopen("/dev/null", "w");
	if (!e || !s || !null)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	unsigned flags = size ? data[0] : 0;
	char *marker = strstr(s, "\n--\n");
	if (marker) {
		*marker = '\0';
		marker += 4;
	}
	snprintf(e->disk, sizeof(e->disk), "/dev/sda");
	snprintf(e->suffix, sizeof(e->suffix), "0123abcd");
	snprintf(e->dev[PART_ROOT], sizeof(e->dev[PART_ROOT]), "/dev/sda4");
	snprintf(e->dev[PART_BACKUP], sizeof(e->dev[PART_BACKUP]), "/dev/sda5");
	e->size[PART_ROOT] = e->size[PART_BACKUP] = UINT64_C(18) << 30;
	existing_read_inventory(s, e, &e->root, false);
	e->root.firstboot_done = flags & 1;
	e->root.upgraded = flags & 2;
	snprintf(e->root.krel, sizeof(e->root.krel), "6.1.0-xh");
	e->root.used = (uint64_t)(flags >> 4) << 30;
	if (marker) {
		existing_read_inventory(marker, e, &e->backup, true);
		existing_read_marker(marker, e);
		e->backup.firstboot_done = flags & 4;
		snprintf(e->backup.krel, sizeof(e->backup.krel), "6.1.0-xh");
	}
	if (flags & 8)
		e->root_error = 5;   /* EIO: an unreadable root */
	existing_resume(e);
	existing_check(e, MODE_UPGRADE, false, "0.1.0", why, sizeof(why));
	existing_check(e, MODE_UPGRADE, true, "0.1.0", why, sizeof(why));
	existing_check(e, MODE_RESTORE, false, "0.1.0", why, sizeof(why));
	(void)version_cmp(e->root.version, e->backup_of);
	(void)version_cmp(e->root.version, "0.1.0~rc1");
	existing_print(e, null);
	free(s);
	free(e);
	return 0;
}
