/* fakesys.h: a fake /sys, /dev/disk/by-id and /proc tree in a temporary directory,
 * for the probe and planner tests. */
#ifndef XH_FAKESYS_H
#define XH_FAKESYS_H

#include <stdint.h>

struct fake_disk {
	const char *name;         /* sda */
	uint64_t size;            /* bytes */
	unsigned lss, pss;        /* logical and physical sector size (0: 512) */
	const char *devpath;      /* under sys/devices, e.g. pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0 */
	const char *vendor, *model;
	const char *serial;       /* written to device/vpd_pg80 (SCSI/ATA) ... */
	const char *serial_file;  /* ... or to this file under the block dir ("serial", "device/serial") */
	const char *wwid;         /* "wwid" file in the block dir */
	int rotational, removable, ro;
	const char *by_id[4];     /* names in dev/disk/by-id pointing at the disk */
	unsigned partitions;
};

/* Make the tree; returns its root (free() it) or NULL. */
char *fakesys_create(void);
int fakesys_add_disk(const char *root, const struct fake_disk *d);
int fakesys_write(const char *root, const char *rel, const char *content);
void fakesys_destroy(char *root);

#endif
