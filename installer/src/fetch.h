/* fetch.h: getting files from URLs (answer files, scripts) and sending the install
 * report, with libcurl.
 *
 * Schemes: http, https (certificates verified against the system's CAs, or a pinned
 * CA file, or a pinned public key), ftp, file. A fetch that fails for a reason that
 * may pass (no network yet, no route, a 5xx answer, a timeout) is retried with an
 * exponential backoff (1 s, 2 s, 4 s ... at most 30 s between tries) until
 * `timeout` seconds have passed; a 4xx answer or a malformed URL fails at once.
 * Every try is logged. */
#ifndef XH_FETCH_H
#define XH_FETCH_H

#include <stddef.h>

#include "xlog.h"

#define FETCH_MAX_HEADERS 8
#define FETCH_DEFAULT_TIMEOUT 300   /* seconds for all the tries of one fetch */
#define FETCH_MAX_SIZE (16u << 20)  /* bytes: an answer file or a script, never an image */

struct fetch_opts {
	unsigned timeout;                 /* seconds, all tries together; 0 = one try */
	const char *cainfo;               /* PEM file of the CA to trust instead of the system's */
	const char *pinned_pubkey;        /* "sha256//BASE64" of the server's public key */
	const char *headers[FETCH_MAX_HEADERS];   /* "Name: value", NULL-terminated */
};

/* Fetch url into the file dest (written atomically, mode 0600). 0, or:
 * -EINVAL malformed or unsupported URL, -ENOENT not found (404, no such file),
 * -EACCES refused (401, 403, a certificate that does not verify), -ETIMEDOUT no
 * success before the timeout, -EFBIG larger than FETCH_MAX_SIZE, another -errno.
 * Messages go to stderr (what failed, on which URL, what to do). */
int fetch_to_file(const char *url, const char *dest, const struct fetch_opts *o, struct xlog *log);

/* Fetch url (of any size: an image) into dest, through dest.part renamed when
 * complete; retried like fetch_to_file, each try from the start; progress on stdout
 * at each tenth. Errors as fetch_to_file, or the errno of a failed write. */
int fetch_large(const char *url, const char *dest, const struct fetch_opts *o, struct xlog *log);

/* POST body (application/json) to url, one try per call, retried like a fetch. */
int post_json(const char *url, const char *body, const struct fetch_opts *o, struct xlog *log);

/* Whether s starts with a scheme this module fetches (http, https, ftp, file). */
int url_is_remote(const char *s);

/* Replace {mac} (the first MAC address, lower case, colons replaced by dashes) and
 * {serial} (the system serial number) in tmpl. -ENAMETOOLONG if out is too small. */
int url_expand(const char *tmpl, const char *mac, const char *serial, char *out, size_t n);

#endif
