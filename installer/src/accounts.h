/* accounts.h: the operator's local accounts, carried from an old root to a new one.
 *
 * A new root comes with the image's /etc/passwd, /etc/shadow, /etc/group and
 * /etc/gshadow: the system accounts of that version. The accounts an operator added on
 * the host (users and groups with an ID in the local range, Debian's 1000-59999) are
 * appended from the old files, with their password hashes; their memberships in groups
 * both versions have (sudo, adm...) are added to the new member lists. An account of
 * the image is never replaced: an old local account whose name the image already uses is
 * left out and reported. */
#ifndef XENHOST_ACCOUNTS_H
#define XENHOST_ACCOUNTS_H

#include <stddef.h>

#define ACCT_LOCAL_MIN 1000UL
#define ACCT_LOCAL_MAX 59999UL

/* A list of account names. */
struct names {
	char **v;
	size_t n;
};

void names_free(struct names *s);
int names_has(const struct names *s, const char *name, size_t len);

/* The names of the passwd or group lines in text whose ID (the third field) is in the
 * local range, in file order. 0 or -ENOMEM. */
int accounts_local(const char *text, struct names *out);

/* Merge one account file: the lines of old whose name is in add and not in new are
 * appended to new (each name in clash gets the ones that were not, for the caller's
 * report). member_field >= 0 (3 for group and gshadow) also adds, on every line of new
 * whose group old has too, old's members that are in users. *out is new text to free.
 * 0 or -ENOMEM. */
int accounts_merge(const char *old, const char *new_, const struct names *add, const struct names *users,
		   int member_field, struct names *clash, char **out);

#endif
