/* answerfile.h: the XML answer file -> struct install_config.
 *
 * The file is parsed safely (xmldoc.c), checked element by element in C (unknown
 * elements and attributes, duplicates, booleans, enumerations, addresses, names,
 * hashes, disks named twice, what each mode needs), then validated against the
 * RELAX NG schema answerfiles/answerfile.rng (schema.c). Every problem is recorded
 * in the diag_list with its line and column and a hint saying what to do. */
#ifndef XH_ANSWERFILE_H
#define XH_ANSWERFILE_H

#include <stddef.h>

#include "config.h"
#include "diag.h"

/* cfg must have been set up with config_init(). Returns 0 when the answer file is
 * valid (warnings may have been recorded), -EINVAL when it has errors (all in d),
 * -ENOMEM or another negative errno when it could not be checked. */
int answerfile_parse_mem(const char *buf, size_t len, struct install_config *cfg,
			 struct diag_list *d);
int answerfile_parse_file(const char *path, struct install_config *cfg, struct diag_list *d);
/* A disk filter as on the command line (--match-disk): "model=QEMU*,min-size=60GB" (the
 * attributes of <match>, comma-separated) or the element itself, "<match .../>".
 * Checked as in an answer file; 0, -EINVAL (problems in d) or -ENOMEM. */
/* The time zone of c exists under zoneinfo (/usr/share/zoneinfo); 0 when it does, when
 * none was given, or when there is no zoneinfo directory to check against; -EINVAL with
 * the reason in d otherwise. */
int answerfile_check_zone(const struct install_config *c, const char *zoneinfo, struct diag_list *d);
int answerfile_parse_match(const char *spec, struct disk_selector *sel, struct diag_list *d);

#endif
