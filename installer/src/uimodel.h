/* uimodel.h: what the interactive installer shows and checks, without a terminal.
 *
 * The screens (ui.c) are thin: every text they show about a disk, a NIC or the plan,
 * and every check of what the operator typed, is made here, so that unit tests cover
 * it. Nothing here draws or reads the keyboard. */
#ifndef XH_UIMODEL_H
#define XH_UIMODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "plan.h"
#include "probe.h"

#define UI_PASSWORD_MIN 8

/* One line for a disk list, at most width columns:
 * "sda     64 GiB  QEMU HARDDISK          QM00001      sata". */
const char *ui_disk_line(const struct disk_info *d, char *buf, size_t n, size_t width);

/* The details of a disk for the line under a list: its by-id name, and a warning when
 * it holds partitions or data ("holds 3 partitions: sda1 ext4 ..., everything on it is
 * erased"). */
const char *ui_disk_details(const struct disk_info *d, char *buf, size_t n);
/* A disk that holds something (partitions or a signature): the operator is warned. */
bool ui_disk_in_use(const struct disk_info *d);

/* The root password as typed twice: NULL when it is accepted, else why not (too short,
 * the two differ, empty). */
const char *ui_password_check(const char *a, const char *b);
/* A one-word strength hint for a password: "weak", "fair", "strong". */
const char *ui_password_strength(const char *pw);

/* The static IPv4 settings as typed: NULL when valid (address/prefix or address with a
 * netmask, a gateway in the same subnet or empty, DNS addresses), else why not; fills
 * the config's admin interface and name servers. */
const char *ui_static_ipv4(struct install_config *c, const char *addr, const char *mask, const char *gw,
			   const char *dns);

/* The regions of a zoneinfo directory (Africa, America, Europe, ...) or the cities of
 * one region, sorted; *out is malloc'ed, each entry too (ui_list_free). */
int ui_tz_regions(const char *zoneinfo, char ***out, size_t *n);
int ui_tz_cities(const char *zoneinfo, const char *region, char ***out, size_t *n);
void ui_list_free(char **v, size_t n);

/* The summary before the install: the plan (planprint.c) preceded by the disks that are
 * erased, one per line, and the host settings. *out is malloc'ed. */
int ui_summary(const struct install_plan *p, const struct install_config *c, char **out);

#endif
