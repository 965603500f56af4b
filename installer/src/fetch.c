/* fetch.c: URLs with libcurl (see fetch.h). */
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

/* Where a fetch goes: memory (answer files, scripts: at most FETCH_MAX_SIZE), or a
 * file (images: any size, with progress on stdout). */
struct buf {
	char *data;
	size_t len, cap;
	bool too_big;
	FILE *f;            /* the file sink, or NULL */
	int file_err;       /* errno of a failed write to f */
	int last_tenth;     /* progress printed up to this tenth */
	double t0;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb;
	if (b->f) {
		if (fwrite(p, 1, n, b->f) != n) {
			b->file_err = errno ? errno : EIO;
			return 0;
		}
		b->len += n;
		return n;
	}
	if (b->len + n > FETCH_MAX_SIZE) {
		b->too_big = true;
		return 0;   /* makes curl fail with CURLE_WRITE_ERROR */
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

int url_is_remote(const char *s)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://", NULL };
	for (size_t i = 0; schemes[i]; i++)
		if (!strncasecmp(s, schemes[i], strlen(schemes[i])))
			return 1;
	return 0;
}

int url_expand(const char *tmpl, const char *mac, const char *serial, char *out, size_t n)
{
	size_t k = 0;
	for (const char *p = tmpl; *p;) {
		const char *v = NULL;
		size_t skip = 1;
		char m[32];
		if (!strncmp(p, "{mac}", 5)) {
			snprintf(m, sizeof(m), "%s", mac ? mac : "");
			for (char *c = m; *c; c++)
				*c = *c == ':' ? '-' : *c;
			v = m;
			skip = 5;
		} else if (!strncmp(p, "{serial}", 8)) {
			v = serial ? serial : "";
			skip = 8;
		}
		if (v) {
			size_t l = strlen(v);
			if (k + l >= n)
				return -ENAMETOOLONG;
			memcpy(out + k, v, l);
			k += l;
		} else {
			if (k + 1 >= n)
				return -ENAMETOOLONG;
			out[k++] = *p;
		}
		p += skip;
	}
	out[k] = '\0';
	return 0;
}

static void sleep_s(unsigned s)
{
	struct timespec ts = { .tv_sec = (time_t)s };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress of a file fetch: a line at each tenth of the size the server announced. */
static int on_progress(void *ud, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
	struct buf *b = ud;
	(void)ut;
	(void)un;
	if (total <= 0 || now <= 0)
		return 0;
	int tenth = (int)(now * 10 / total);
	if (tenth > b->last_tenth) {
		double dt = now_s() - b->t0;
		b->last_tenth = tenth;
		printf("  fetched %3d%% (%.1f of %.1f MiB, %.1f MiB/s)\n", tenth * 10, (double)now / 1048576.0,
		       (double)total / 1048576.0, dt > 0 ? (double)now / 1048576.0 / dt : 0.0);
		fflush(stdout);
	}
	return 0;
}

/* One try. *retry says whether another try may succeed. */
static int try_once(const char *url, const char *post, const struct fetch_opts *o, struct buf *b, bool *retry,
		    char *why, size_t why_n)
{
	char err[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL, *h;
	long code = 0;
	int r = 0;
	CURL *c = curl_easy_init();

	*retry = false;
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < FETCH_MAX_HEADERS && o && o->headers[i]; i++) {
		if (!(h = curl_slist_append(hdrs, o->headers[i]))) {
			r = -ENOMEM;
			goto out;
		}
		hdrs = h;
	}
	if (post) {
		if (!(h = curl_slist_append(hdrs, "Content-Type: application/json"))) {
			r = -ENOMEM;
			goto out;
		}
		hdrs = h;
	}
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L) != CURLE_OK ||
	    /* a small file must come within a minute; a large one as long as data flows */
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, b->f ? 0L : 60L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L) != CURLE_OK ||
	    (b->f && (curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK ||
		      curl_easy_setopt(c, CURLOPT_XFERINFODATA, b) != CURLE_OK ||
		      curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK)) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, b) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "xenhost-installer/" XENHOST_VERSION) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    (o && o->cainfo && curl_easy_setopt(c, CURLOPT_CAINFO, o->cainfo) != CURLE_OK) ||
	    (o && o->pinned_pubkey && curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, o->pinned_pubkey) != CURLE_OK) ||
	    (post && curl_easy_setopt(c, CURLOPT_POSTFIELDS, post) != CURLE_OK)) {
		snprintf(why, why_n, "libcurl refused an option (an old libcurl?)");
		r = -EINVAL;
		goto out;
	}
	CURLcode cr = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cr == CURLE_OK)
		goto out;
	snprintf(why, why_n, "%s%s%s", curl_easy_strerror(cr), err[0] ? ": " : "", err);
	switch (cr) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		r = -EINVAL;
		break;
	case CURLE_HTTP_RETURNED_ERROR:
		r = code == 404 || code == 410 ? -ENOENT : code == 401 || code == 403 ? -EACCES : -EIO;
		*retry = code >= 500 || code == 408 || code == 429;
		break;
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_REMOTE_FILE_NOT_FOUND:
		r = -ENOENT;
		break;
	case CURLE_LOGIN_DENIED:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CACERT_BADFILE:
		r = -EACCES;
		break;
	case CURLE_WRITE_ERROR:
		r = b->too_big ? -EFBIG : b->file_err ? -b->file_err : -ENOMEM;
		if (b->file_err)
			snprintf(why, why_n, "cannot write what came: %s", strerror(b->file_err));
		break;
	default:   /* resolving, connecting, timeouts, resets: the network may come */
		r = -EIO;
		*retry = true;
		break;
	}
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return r;
}

static int with_retries(const char *url, const char *post, const struct fetch_opts *o, struct buf *b,
			struct xlog *log)
{
	char why[CURL_ERROR_SIZE + 128] = "";
	unsigned timeout = o ? o->timeout : 0, delay = 1;
	double t0 = now_s();
	bool retry;
	int r;

	for (unsigned n = 1;; n++) {
		b->len = 0;
		b->too_big = false;
		b->last_tenth = 0;
		b->t0 = now_s();
		if (b->f && (fflush(b->f) != 0 || fseek(b->f, 0, SEEK_SET) != 0 || ftruncate(fileno(b->f), 0) != 0)) {
			r = -errno;
			retry = false;
			snprintf(why, sizeof(why), "cannot truncate the partial download: %s", strerror(errno));
			break;
		}
		r = try_once(url, post, o, b, &retry, why, sizeof(why));
		if (r == 0) {
			xlog_msg(log, "%s %s: done (try %u, %zu bytes, %.1f s)", post ? "POST" : "GET", url, n, b->len,
				 now_s() - t0);
			return 0;
		}
		xlog_msg(log, "%s %s: try %u failed: %s", post ? "POST" : "GET", url, n, why);
		double left = (double)timeout - (now_s() - t0);
		if (!retry || left <= 0)
			break;
		if (n == 1 || n % 5 == 0)
			fprintf(stderr, "xenhost-installer: %s: %s; retrying for another %.0f s\n", url, why, left);
		sleep_s(delay < left ? delay : (unsigned)left + 1);
		delay = delay * 2 > 30 ? 30 : delay * 2;
		if (now_s() - t0 >= (double)timeout)
			break;
	}
	if (retry && r == -EIO)
		r = -ETIMEDOUT;
	fprintf(stderr, "xenhost-installer: %s %s failed: %s%s\n", post ? "sending to" : "fetching", url, why,
		r == -ETIMEDOUT ? "; gave up after the timeout: check the network (network_device=, network_config=) "
				  "and the server" :
		r == -ENOENT ? "; the server has no such file: check the URL" :
		r == -EACCES ? "; access refused or the certificate does not verify: check the URL, the credentials "
			       "or the pinned CA" :
		r == -EINVAL ? "; use an http, https, ftp or file URL" : "");
	return r;
}

int fetch_to_file(const char *url, const char *dest, const struct fetch_opts *o, struct xlog *log)
{
	struct buf b = { 0 };
	int r = with_retries(url, NULL, o, &b, log);
	if (r == 0 && (r = write_file(dest, b.data ? b.data : "", b.len, 0600)) < 0)
		fprintf(stderr, "xenhost-installer: cannot write %s (fetched from %s): %s\n", dest, url, strerror(-r));
	free(b.data);
	return r;
}

int fetch_large(const char *url, const char *dest, const struct fetch_opts *o, struct xlog *log)
{
	char part[4096];
	struct buf b = { 0 };
	int r;

	if (snprintf(part, sizeof(part), "%s.part", dest) >= (int)sizeof(part))
		return -ENAMETOOLONG;
	if (!(b.f = fopen(part, "wbe"))) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot create %s to fetch %s into: %s\n", part, url, strerror(-r));
		return r;
	}
	r = with_retries(url, NULL, o, &b, log);
	bool written = fflush(b.f) == 0 && fsync(fileno(b.f)) == 0;
	written = fclose(b.f) == 0 && written;
	if (r == 0 && !written) {
		r = errno ? -errno : -EIO;
		fprintf(stderr, "xenhost-installer: cannot write %s: %s\n", part, strerror(-r));
	}
	if (r == 0 && rename(part, dest) < 0) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot rename %s to %s: %s\n", part, dest, strerror(-r));
	}
	if (r < 0)
		unlink(part);
	return r;
}

int post_json(const char *url, const char *body, const struct fetch_opts *o, struct xlog *log)
{
	struct buf b = { 0 };
	int r = with_retries(url, body, o, &b, log);
	free(b.data);
	return r;
}
