/* source.c: locating and fetching the answer file (see source.h). */
#include "source.h"

#include <blkid/blkid.h>
#include <openssl/crypto.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "writers.h"

static void read_id(const char *sysfs, const char *attr, char *buf, size_t n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/class/dmi/id/%s", sysfs, attr);
	buf[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)n, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	/* only what is safe in a header and a URL */
	for (char *c = buf; *c; c++)
		if (*c < 0x21 || *c > 0x7e || *c == '/' || *c == '?' || *c == '#' || *c == '%')
			*c = '_';
}

void host_identity_read(const char *sysfs, struct host_identity *id, struct fetch_opts *o)
{
	struct nic *nics = calloc(NIC_MAX, sizeof(*nics));
	size_t n = 0, h = 0;

	memset(id, 0, sizeof(*id));
	if (nics && probe_nics(sysfs, nics, NIC_MAX, &n) == 0)
		for (size_t i = 0; i < n && id->n_macs < FETCH_MAX_HEADERS - 3; i++) {
			snprintf(id->macs[id->n_macs], sizeof(id->macs[0]), "%s", nics[i].mac);
			snprintf(id->names[id->n_macs], sizeof(id->names[0]), "%s", nics[i].name);
			id->n_macs++;
		}
	free(nics);
	read_id(sysfs, "product_serial", id->serial, sizeof(id->serial));
	read_id(sysfs, "product_name", id->product, sizeof(id->product));
	for (size_t i = 0; i < id->n_macs; i++, h++)
		snprintf(id->lines[h], sizeof(id->lines[h]), "X-Xenhost-MAC-%zu: %s %s", i, id->names[i], id->macs[i]);
	if (id->serial[0])
		snprintf(id->lines[h++], sizeof(id->lines[0]), "X-Xenhost-Serial: %s", id->serial);
	if (id->product[0])
		snprintf(id->lines[h++], sizeof(id->lines[0]), "X-Xenhost-Product: %s", id->product);
	if (!o)
		return;
	for (size_t i = 0; i < FETCH_MAX_HEADERS; i++)
		o->headers[i] = i < h ? id->lines[i] : NULL;
}

/* The device of the volume labelled XENHOST-ANSWER (libblkid: with or without udev),
 * malloc'ed, or NULL. */
static char *answer_volume_path(void)
{
	return blkid_evaluate_tag("LABEL", ANSWER_VOLUME_LABEL, NULL);
}

static void basename_to(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	snprintf(out, n, "%s", base ? base + 1 : path);
}

int answer_volume_find(char *name, size_t n)
{
	char *dev = answer_volume_path();
	if (!dev)
		return -ENOENT;
	basename_to(dev, name, n);
	free(dev);
	return 0;
}

/* The volume labelled XENHOST-ANSWER (found by libblkid, with or without udev): mount
 * it read-only, copy /answerfile.xml out, unmount. -ENOENT when there is no volume. */
static int from_volume(const struct source_env *env, struct answer_source *out, struct xlog *log)
{
	char mnt[PATH_MAX], file[PATH_MAX + 32];
	int r;
	char *dev = answer_volume_path();
	if (!dev)
		return -ENOENT;
	char *type = blkid_get_tag_value(NULL, "TYPE", dev);
	basename_to(dev, out->volume_dev, sizeof(out->volume_dev));
	snprintf(mnt, sizeof(mnt), "%s/answer-volume", env->run_dir);
	if (mkdir(mnt, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot make %s: %s\n", mnt, strerror(-r));
		goto out;
	}
	if (mount(dev, mnt, type ? type : "auto", MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL) < 0) {
		r = -errno;
		fprintf(stderr, "xenhost-installer: cannot mount the answer-file volume %s (label %s, %s) on %s: %s\n",
			dev, ANSWER_VOLUME_LABEL, type ? type : "unknown type", mnt, strerror(-r));
		goto out;
	}
	snprintf(file, sizeof(file), "%s/answerfile.xml", mnt);
	snprintf(out->path, sizeof(out->path), "%s/answerfile.xml", env->run_dir);
	r = copy_file(file, out->path, 0600);
	if (umount(mnt) < 0)
		xlog_warn(log, "cannot unmount the answer-file volume %s from %s: %s", dev, mnt, strerror(errno));
	if (r < 0)
		fprintf(stderr, "xenhost-installer: the volume %s labelled %s has no readable /answerfile.xml (%s): put "
			"the answer file there\n", dev, ANSWER_VOLUME_LABEL, strerror(-r));
	else
		snprintf(out->origin, sizeof(out->origin), "/answerfile.xml on %s (label %s)", dev, ANSWER_VOLUME_LABEL);
out:
	free(type);
	free(dev);
	return r;
}

static int from_url(const char *url, const struct source_env *env, struct answer_source *out, struct xlog *log)
{
	char expanded[CFG_URL_MAX];
	const struct host_identity *id = env->id;
	int r = url_expand(url, id && id->n_macs ? id->macs[0] : NULL, id ? id->serial : NULL, expanded,
			   sizeof(expanded));
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: the answer file URL %s is too long once expanded\n", url);
		return r;
	}
	if (strstr(url, "{mac}") && !(id && id->n_macs)) {
		fprintf(stderr, "xenhost-installer: the answer file URL %s has {mac}, but this machine has no Ethernet "
			"NIC\n", url);
		return -ENODEV;
	}
	if (strstr(url, "{serial}") && !(id && id->serial[0])) {
		fprintf(stderr, "xenhost-installer: the answer file URL %s has {serial}, but the firmware gives no system "
			"serial number (/sys/class/dmi/id/product_serial)\n", url);
		return -ENODEV;
	}
	snprintf(out->path, sizeof(out->path), "%s/answerfile.xml", env->run_dir);
	snprintf(out->origin, sizeof(out->origin), "%s", expanded);
	printf("Fetching the answer file %s ...\n", expanded);
	fflush(stdout);
	return fetch_to_file(expanded, out->path, env->fetch, log);
}

int lease_answer_url(const char *lease_file, char *url, size_t n)
{
	char *text = NULL, *save = NULL, *hex = NULL, key[32];
	int r = read_file(lease_file, &text);
	if (r < 0)
		return r;
	size_t kl = (size_t)snprintf(key, sizeof(key), "OPTION_%d=", ANSWER_DHCP_OPTION);
	for (char *line = strtok_r(text, "\n", &save); line && !hex; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, kl))
			hex = line + kl;
	r = -ENOENT;
	if (hex) {
		long len = 0;
		unsigned char *bytes = OPENSSL_hexstr2buf(hex, &len);
		while (bytes && len > 0 && bytes[len - 1] == '\0')   /* servers may NUL-terminate strings */
			len--;
		r = -EINVAL;
		if (bytes && (size_t)len < n && !memchr(bytes, '\0', (size_t)len)) {
			memcpy(url, bytes, (size_t)len);
			url[len] = '\0';
			r = url_is_remote(url) && !strpbrk(url, " \t\r\n") ? 0 : -EINVAL;
		}
		OPENSSL_free(bytes);
	}
	free(text);
	return r;
}

/* The URL from DHCP option ANSWER_DHCP_OPTION in the first lease that has one. */
static int from_dhcp(const struct source_env *env, struct answer_source *out, struct xlog *log)
{
	const char *dir = env->leases_dir ? env->leases_dir : LEASES_DIR;
	char path[PATH_MAX], url[CFG_URL_MAX];
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), r = -ENOENT;
	for (int i = 0; i < n; i++) {
		if (r == -ENOENT && names[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path)) {
			int q = lease_answer_url(path, url, sizeof(url));
			if (q == -EINVAL)
				fprintf(stderr, "xenhost-installer: DHCP option %d in %s is not an http, https or ftp URL; "
					"ignored: fix the DHCP server's configuration (see docs/pxe.md)\n", ANSWER_DHCP_OPTION,
					path);
			if (q == 0) {
				xlog_msg(log, "DHCP option %d (lease %s): %s", ANSWER_DHCP_OPTION, path, url);
				r = 1;
			}
		}
		free(names[i]);
	}
	free(names);
	if (r != 1)
		return -ENOENT;
	printf("The DHCP server names the answer file (option %d): %s\n", ANSWER_DHCP_OPTION, url);
	return from_url(url, env, out, log);
}

int answer_locate(const char *given, const struct source_env *env, struct answer_source *out, struct xlog *log)
{
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = mkdir_p(env->run_dir, 0700)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot make %s: %s\n", env->run_dir, strerror(-r));
		return r;
	}
	if (url_is_remote(given))
		return from_url(given, env, out, log);
	if (!strcasecmp(given, "dhcp")) {
		if ((r = from_dhcp(env, out, log)) == -ENOENT)
			fprintf(stderr, "xenhost-installer: answerfile=dhcp, but no DHCP lease carries option %d (the "
				"answer file URL): set it on the DHCP server (see docs/pxe.md)\n", ANSWER_DHCP_OPTION);
		return r;
	}
	if (!strcasecmp(given, "auto")) {
		r = from_volume(env, out, log);
		if (r != -ENOENT)
			return r;
		snprintf(out->path, sizeof(out->path), "%s/answerfile.xml", env->live_dir);
		if (stat(out->path, &st) == 0) {
			snprintf(out->origin, sizeof(out->origin), "/answerfile.xml on the boot medium");
			return 0;
		}
		if ((r = from_dhcp(env, out, log)) != -ENOENT)
			return r;
		fprintf(stderr, "xenhost-installer: answerfile=auto, but there is no volume labelled %s holding "
			"/answerfile.xml, no /answerfile.xml on the boot medium (%s) and no DHCP option %d: attach "
			"one, set the option, or give answerfile=URL\n", ANSWER_VOLUME_LABEL, env->live_dir,
			ANSWER_DHCP_OPTION);
		return -ENOENT;
	}
	if (!strncasecmp(given, "file://", 7))
		given += 7;
	if (strstr(given, "://")) {
		fprintf(stderr, "xenhost-installer: %s: not a URL this installer fetches: use http, https, ftp or file\n",
			given);
		return -EINVAL;
	}
	/* A path that is not in the install environment is looked for on the boot medium. */
	if (given[0] == '/' && stat(given, &st) < 0 &&
	    snprintf(out->path, sizeof(out->path), "%s%s", env->live_dir, given) < (int)sizeof(out->path) &&
	    stat(out->path, &st) == 0) {
		snprintf(out->origin, sizeof(out->origin), "%s on the boot medium", given);
		return 0;
	}
	snprintf(out->path, sizeof(out->path), "%s", given);
	snprintf(out->origin, sizeof(out->origin), "%s", given);
	return 0;
}
