/* hooks.c: scripts and the install report (see hooks.h). */
#include "hooks.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "run.h"

#define LOG_TAIL_LINES 40

static int script_fetch(const char *url, const char *dest, const struct source_env *env, struct xlog *log)
{
	char u[CFG_URL_MAX + 8];
	if (url[0] == '/') {   /* a plain path: libcurl reads it as a file URL */
		if (snprintf(u, sizeof(u), "file://%s", url) >= (int)sizeof(u))
			return -ENAMETOOLONG;
		url = u;
	}
	return fetch_to_file(url, dest, env->fetch, log);
}

int scripts_run(const struct install_config *cfg, enum script_stage stage, const char *arg,
		const struct source_env *env, struct xlog *log)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	int r, status;

	for (size_t i = 0; i < cfg->n_scripts; i++) {
		const struct install_script *s = &cfg->scripts[i];
		if (s->stage != stage)
			continue;
		snprintf(dir, sizeof(dir), "%s/scripts", env->run_dir);
		if ((r = mkdir_p(dir, 0700)) < 0)
			return r;
		snprintf(path, sizeof(path), "%s/%zu-%s", dir, i + 1, stage_name(stage));
		xlog_msg(log, "script %zu (%s): %s", i + 1, stage_name(stage), s->url);
		if ((r = script_fetch(s->url, path, env, log)) < 0) {
			fprintf(stderr, "xenhost-installer: the %s script %s could not be fetched\n", stage_name(stage),
				s->url);
			return r;
		}
		if (chmod(path, 0700) < 0)
			return -errno;
		const char *argv[] = { path, arg, NULL };
		double t0 = xlog_now();
		struct run_opts ro = { .quiet_fail = true, .timeout_s = s->timeout_s };
		r = run_argv(log, &ro, argv, &status);
		xlog_msg(log, "script %zu (%s) %s: exit %d in %.1f s", i + 1, stage_name(stage), s->url, status,
			 xlog_now() - t0);
		if (r == -ETIMEDOUT) {
			fprintf(stderr, "xenhost-installer: the %s script %s did not finish within %u s and was stopped; "
				"make it finish sooner or give <script timeout=\"SECONDS\">; its output is in the install log\n",
				stage_name(stage), s->url, s->timeout_s);
			return r;
		}
		if (r < 0) {
			fprintf(stderr, "xenhost-installer: the %s script %s failed (exit status %d%s); its output is in "
				"the install log\n", stage_name(stage), s->url, status,
				r == -ENOEXEC || status == 126 ? ", is it executable with a #! line?" : "");
			return r;
		}
	}
	return 0;
}

/* --- JSON */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			sb_add(b, e, 2);
		} else if (*p < 0x20) {
			char e[8];
			snprintf(e, sizeof(e), "\\u%04x", *p);
			sb_add(b, e, 6);
		} else {
			sb_add(b, (const char *)p, 1);
		}
	}
	sb_add(b, "\"", 1);
}

static void sb_lit(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_field(struct sbuf *b, const char *name, const char *value)
{
	sb_lit(b, ",\"");
	sb_lit(b, name);
	sb_lit(b, "\":");
	sb_str(b, value);
}

/* The last LOG_TAIL_LINES lines of the log as a JSON array. */
static void sb_log_tail(struct sbuf *b, const char *path)
{
	char *text = NULL;

	sb_add(b, "[", 1);
	if (path && read_file_tail(path, LOG_TAIL_LINES, &text) == 0 && text[0]) {
		for (char *line = text, *nl;; line = nl + 1) {
			if ((nl = strchr(line, '\n')))
				*nl = '\0';
			if (line != text)
				sb_add(b, ",", 1);
			sb_str(b, line);
			if (!nl)
				break;
		}
	}
	free(text);
	sb_add(b, "]", 1);
}

char *report_json(const struct report *r)
{
	struct sbuf b = { 0 };
	char num[64];
	sb_lit(&b, "{\"product\":\"xenhost\",\"version\":\"" XENHOST_VERSION "\",\"result\":\"");
	sb_lit(&b, r->success ? "success" : "failure");
	snprintf(num, sizeof(num), "\",\"exit_code\":%d", r->exit_code);
	sb_lit(&b, num);
	sb_field(&b, "message", r->message);
	sb_field(&b, "failed_step", r->failed_step);
	sb_field(&b, "mode", r->mode);
	sb_field(&b, "firmware", r->firmware);
	sb_field(&b, "disk", r->disk);
	sb_field(&b, "hostname", r->hostname);
	sb_field(&b, "answerfile", r->answerfile);
	snprintf(num, sizeof(num), ",\"duration_s\":%.1f,\"macs\":[", r->duration);
	sb_lit(&b, num);
	for (size_t i = 0; r->id && i < r->id->n_macs; i++) {
		if (i)
			sb_add(&b, ",", 1);
		sb_str(&b, r->id->macs[i]);
	}
	sb_add(&b, "]", 1);
	sb_field(&b, "serial", r->id ? r->id->serial : "");
	sb_add(&b, ",\"log_tail\":", 12);
	sb_log_tail(&b, r->log_path);
	sb_add(&b, "}\n", 2);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int report_send(const char *url, const struct report *r, const struct source_env *env, struct xlog *log)
{
	char *body = report_json(r);
	if (!body)
		return -ENOMEM;
	int ret = post_json(url, body, env->fetch, log);
	free(body);
	if (ret == 0)
		xlog_msg(log, "report (%s) sent to %s", r->success ? "success" : "failure", url);
	return ret;
}
