/* schema.h: RELAX NG validation of an answer file against answerfiles/answerfile.rng,
 * which is compiled into the program (schema_blob.S). */
#ifndef XH_SCHEMA_H
#define XH_SCHEMA_H

#include "diag.h"
#include "xmldoc.h"

/* 0 when x->doc matches the schema; -EINVAL with the problems in d; -ENOMEM, or
 * -EIO when the built-in schema itself cannot be compiled (a build error). */
int schema_validate(const struct xml_doc *x, struct diag_list *d);

/* The schema text (for --print-schema and tests). */
const char *schema_text(size_t *len);

#endif
