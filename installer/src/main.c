/* main.c: xenhost-installer's command line.
 *
 *   --check FILE             validate an answer file offline
 *   --dry-run                probe, plan and print the plan; write nothing
 *   (neither)                install: probe, plan, then execute the plan
 *
 * Exit codes (also in xenhost-installer.8): see enum exit_code. Only main() exits;
 * the cmd_* functions return an exit code, everything below them a negative errno. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include <inttypes.h>
#include <limits.h>
#include <unistd.h>

#include <curl/curl.h>

#include "answerfile.h"
#include "fetch.h"
#include "fsutil.h"
#include "hooks.h"
#include "source.h"
#include "writers.h"
#include "install.h"
#include "existing.h"
#include "upgrade.h"
#include "run.h"
#include "xlog.h"
#include "cmdline.h"
#include "config.h"
#include "plan.h"
#include "probe.h"
#include "ui.h"
#include "validate.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,    /* out of memory, or a bug */
	EXIT_USAGE = 2,       /* bad options */
	EXIT_CONFIG = 3,      /* the answer file or the kernel command line is invalid or unreadable */
	EXIT_PLAN = 4,        /* the configuration does not fit this machine (disks, memory) */
	EXIT_INSTALL = 5,     /* the installation failed after the disks were changed */
	EXIT_IMAGE = 6,       /* no host image, or its sha256 does not match: nothing was written */
	EXIT_SCRIPT = 7,      /* an installation-start script failed: nothing was written */
	EXIT_QUIT = 8,        /* the operator left the interactive installer: nothing was written */
	EXIT_SHELL = 9,       /* the operator chose the shell in the interactive installer */
	EXIT_SCREENS = 10,    /* a partial answer file (interactive="partial") needs the screens,
			       * and there is no terminal: nothing was written */
};

struct options {
	const char *check;
	const char *answerfile;
	bool dry_run;
	const char *target_root;
	const char *log;
	const char *cmdline;
	struct probe_root root;
	uint64_t host_ram;
	unsigned host_cpus;
	const char *image;
	bool install_unit;
	const char *live_network;   /* --write-live-network DIR */
	const char *run_dir, *live_dir;
	unsigned fetch_timeout;
	const char *ca_file, *pinned_key;
	const char *leases_dir;     /* --leases-dir (tests) */
	bool list_disks;            /* --list-disks */
	const char *match_disk;     /* --match-disk FILTER */
	bool interactive;           /* --interactive */
	const char *zoneinfo;       /* --zoneinfo DIR (tests) */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xenhost-installer [OPTIONS]\n"
		"Install Xenhost on this machine, from an answer file or interactively.\n\n"
		"  --check FILE          validate an answer file offline; print every problem\n"
		"  --answerfile PATH     the answer file (a path or file:// URL; default: answerfile=\n"
		"                        on the kernel command line)\n"
		"  --dry-run             probe the hardware, plan, print the plan; write nothing\n"
		"  --interactive         the text screens (newt): ask, show the plan, install after the\n"
		"                        operator confirms; with --answerfile, its values are the\n"
		"                        screens' defaults (a partial answer file)\n"
		"  --target-root DIR     where the target is mounted while installing\n"
		"                        (default " INSTALL_DEFAULT_TARGET ")\n"
		"  --log FILE            the install log (default " INSTALL_DEFAULT_LOG ")\n"
		"  --image PATH          the host image (squashfs, with PATH.sha256); default: the first\n"
		"                        of /run/xenhost/rootfs.squashfs and the live medium's image\n"
		"  --install-unit        started by the install unit: do the post-install action\n"
		"                        (reboot, poweroff, shell) at the end\n"
		"  --cmdline FILE        read the kernel command line from FILE (default /proc/cmdline)\n"
		"  --write-live-network DIR\n"
		"                        write the install environment's networkd files for\n"
		"                        network_device= and network_config= into DIR, and exit\n"
		"  --fetch-timeout SEC   how long to retry fetching the answer file and scripts\n"
		"                        (default 300; answerfile_timeout= on the kernel command line)\n"
		"  --ca FILE             trust only this CA (PEM) for https (answerfile_ca=)\n"
		"  --pin-key sha256//B64 accept only this server public key for https (answerfile_pin=)\n"
		"  --run-dir DIR         where fetched files go (default " RUN_DIR ")\n"
		"  --live-dir DIR        the boot medium (default " LIVE_MEDIUM_DIR ")\n"
		"  --leases-dir DIR      systemd-networkd's DHCP leases, for answerfile=dhcp|auto\n"
		"                        (default " LEASES_DIR ")\n"
		"  --list-disks          print every disk with what a <match> filter can test, and exit\n"
		"  --match-disk FILTER   show which disk FILTER selects (\"model=QEMU*,min-size=60GB\" or\n"
		"                        \"<match .../>\"); exit 0 when exactly one, 4 otherwise\n"
		"  --sysfs DIR --devdir DIR --procdir DIR\n"
		"                        probe another tree than /sys, /dev and /proc (for tests)\n"
		"  --host-ram SIZE --host-cpus N\n"
		"                        the host's memory and CPUs, instead of the probed ones\n"
		"  --disk-allow-loop     offer attached loop devices as the only disks (tests only)\n"
		"  --help, --version\n\n"
		"Exit codes: 0 success, 1 internal error, 2 usage, 3 invalid answer file or kernel\n"
		"command line, 4 the configuration does not fit this machine (or a disk is in use),\n"
		"5 installation failed, 6 no image or a bad image checksum, 7 an installation-start\n"
		"script failed, 8 the operator quit the interactive installer (nothing written),\n"
		"9 the operator chose the shell, 10 the answer file is partial (interactive=\"partial\")\n"
		"and there is no terminal for the screens. Only 5 means a disk was changed.\n"
		"See xenhost-installer(8).\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_CHECK = 256, O_ANSWERFILE, O_DRY_RUN, O_TARGET, O_LOG, O_CMDLINE, O_SYSFS, O_DEVDIR,
	       O_PROCDIR, O_RAM, O_CPUS, O_HELP, O_VERSION, O_IMAGE, O_ALLOW_LOOP, O_INSTALL_UNIT,
	       O_LIVE_NET, O_TIMEOUT, O_CA, O_PIN, O_RUN_DIR, O_LIVE_DIR, O_LIST_DISKS, O_MATCH_DISK,
	       O_LEASES_DIR, O_INTERACTIVE, O_ZONEINFO };
	static const struct option longopts[] = {
		{ "check", required_argument, NULL, O_CHECK },
		{ "answerfile", required_argument, NULL, O_ANSWERFILE },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "target-root", required_argument, NULL, O_TARGET },
		{ "log", required_argument, NULL, O_LOG },
		{ "cmdline", required_argument, NULL, O_CMDLINE },
		{ "sysfs", required_argument, NULL, O_SYSFS },
		{ "devdir", required_argument, NULL, O_DEVDIR },
		{ "procdir", required_argument, NULL, O_PROCDIR },
		{ "host-ram", required_argument, NULL, O_RAM },
		{ "host-cpus", required_argument, NULL, O_CPUS },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "disk-allow-loop", no_argument, NULL, O_ALLOW_LOOP },
		{ "install-unit", no_argument, NULL, O_INSTALL_UNIT },
		{ "write-live-network", required_argument, NULL, O_LIVE_NET },
		{ "fetch-timeout", required_argument, NULL, O_TIMEOUT },
		{ "ca", required_argument, NULL, O_CA },
		{ "pin-key", required_argument, NULL, O_PIN },
		{ "run-dir", required_argument, NULL, O_RUN_DIR },
		{ "live-dir", required_argument, NULL, O_LIVE_DIR },
		{ "list-disks", no_argument, NULL, O_LIST_DISKS },
		{ "leases-dir", required_argument, NULL, O_LEASES_DIR },
		{ "interactive", no_argument, NULL, O_INTERACTIVE },
		{ "zoneinfo", required_argument, NULL, O_ZONEINFO },
		{ "match-disk", required_argument, NULL, O_MATCH_DISK },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_CHECK: o->check = optarg; break;
		case O_ANSWERFILE: o->answerfile = optarg; break;
		case O_DRY_RUN: o->dry_run = true; break;
		case O_TARGET: o->target_root = optarg; break;
		case O_LOG: o->log = optarg; break;
		case O_CMDLINE: o->cmdline = optarg; break;
		case O_SYSFS: o->root.sysfs = optarg; break;
		case O_DEVDIR: o->root.dev = optarg; break;
		case O_PROCDIR: o->root.proc = optarg; break;
		case O_RAM:
			if (parse_size(optarg, &o->host_ram) < 0 || o->host_ram == 0) {
				fprintf(stderr, "xenhost-installer: --host-ram %s is not a size (like 64GiB)\n", optarg);
				return -EINVAL;
			}
			break;
		case O_CPUS:
			if (parse_uint(optarg, 1, 65536, &v) < 0) {
				fprintf(stderr, "xenhost-installer: --host-cpus %s is not a CPU count\n", optarg);
				return -EINVAL;
			}
			o->host_cpus = (unsigned)v;
			break;
		case O_IMAGE: o->image = optarg; break;
		case O_ALLOW_LOOP: o->root.loop_only = true; break;
		case O_INSTALL_UNIT: o->install_unit = true; break;
		case O_LIVE_NET: o->live_network = optarg; break;
		case O_TIMEOUT:
			if (parse_uint(optarg, 0, 86400, &v) < 0) {
				fprintf(stderr, "xenhost-installer: --fetch-timeout %s is not a number of seconds\n", optarg);
				return -EINVAL;
			}
			o->fetch_timeout = (unsigned)v;
			break;
		case O_CA: o->ca_file = optarg; break;
		case O_PIN: o->pinned_key = optarg; break;
		case O_RUN_DIR: o->run_dir = optarg; break;
		case O_LIVE_DIR: o->live_dir = optarg; break;
		case O_LIST_DISKS: o->list_disks = true; break;
		case O_LEASES_DIR: o->leases_dir = optarg; break;
		case O_INTERACTIVE: o->interactive = true; break;
		case O_ZONEINFO: o->zoneinfo = optarg; break;
		case O_MATCH_DISK: o->match_disk = optarg; break;
		case O_HELP: return 1;
		case O_VERSION: return 2;
		default:
			fprintf(stderr, "Try 'xenhost-installer --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xenhost-installer: unexpected argument '%s'; try --help\n", argv[optind]);
		return -EINVAL;
	}
	if (o->check && (o->dry_run || o->answerfile)) {
		fprintf(stderr, "xenhost-installer: --check takes the file itself and no other mode; try --help\n");
		return -EINVAL;
	}
	return 0;
}

static int cmd_check(const char *file)
{
	struct install_config *cfg = malloc(sizeof(*cfg));
	struct diag_list d;
	int r;

	if (!cfg)
		return EXIT_INTERNAL;
	config_init(cfg);
	diag_init(&d, file);
	r = answerfile_parse_file(file, cfg, &d);
	if (r == 0)
		r = answerfile_check_zone(cfg, "/usr/share/zoneinfo", &d);
	diag_print(&d, stderr);
	if (r == 0)
		printf("%s: valid %sanswer file (mode %s)\n", file,
		       cfg->interactive_partial ? "partial (interactive=\"partial\") " : "", mode_name(cfg->mode));
	else if (r != -ENOMEM)
		fprintf(stderr, "%s: %zu error%s; the answer file is not valid\n", file, d.n_errors,
			d.n_errors == 1 ? "" : "s");
	config_wipe(cfg);
	free(cfg);
	diag_free(&d);
	return r == 0 ? EXIT_OK : r == -ENOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
}

/* Under Xen, /proc/meminfo and sysfs describe dom0: ask Xen for the host's figures. */
static void xen_physinfo(struct host_info *hi, int *hvm, struct xlog *log)
{
	char type[16] = "", out[8192];
	FILE *f = fopen("/sys/hypervisor/type", "re");
	if (!f)
		return;
	if (!fgets(type, sizeof(type), f))
		type[0] = '\0';
	fclose(f);
	if (strncmp(type, "xen", 3) != 0 || !have_program(NULL, "xl"))
		return;
	struct run_opts ro = { .out = out, .out_size = sizeof(out), .quiet_fail = true };
	const char *argv[] = { "xl", "info", NULL };
	if (run_argv(log, &ro, argv, NULL) < 0) {
		fprintf(stderr, "xenhost-installer: warning: 'xl info' failed: dom0 is sized from dom0's own memory and "
			"CPUs; give --host-ram and --host-cpus or <dom0 memory= vcpus=>\n");
		return;
	}
	unsigned long long mem = 0, cpus = 0;
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		sscanf(l, "total_memory : %llu", &mem);
		sscanf(l, "nr_cpus : %llu", &cpus);
		if (hvm && !strncmp(l, "virt_caps", 9))
			*hvm = strstr(l, " hvm") != NULL;
	}
	if (mem)
		hi->ram = (uint64_t)mem * MiB;
	if (cpus)
		hi->cpus = (unsigned)cpus;
}

/* Problems on stderr, and in the log (so that a report's log tail says why). */
static void diag_report(const struct diag_list *d, const struct xlog *log)
{
	diag_print(d, stderr);
	if (log->f)
		diag_print(d, log->f);
}

/* Everything up to a plan, exactly as for --dry-run and for the install. */
struct prepared {
	struct kernel_cmdline k;
	struct install_config *cfg;
	struct install_plan *plan;
	struct disk_info *disks;
	struct answer_source src;
	struct host_identity id;
	struct fetch_opts fetch;
	struct source_env env;
	size_t n_disks;             /* probed */
	bool parsed;                /* cfg holds a valid answer file */
	struct xlog *log;           /* for the scripts' callback */
};

static void prepared_free(struct prepared *pp)
{
	if (pp->cfg)
		config_wipe(pp->cfg);
	free(pp->cfg);
	free(pp->plan);
	free(pp->disks);
}

/* The options for fetching: the command line's, else the kernel command line's. */
static void fetch_setup(const struct options *o, struct prepared *pp)
{
	pp->fetch.timeout = o->fetch_timeout ? o->fetch_timeout :
			    pp->k.fetch_timeout_set ? pp->k.fetch_timeout : FETCH_DEFAULT_TIMEOUT;
	pp->fetch.cainfo = o->ca_file ? o->ca_file : pp->k.ca_file[0] ? pp->k.ca_file : NULL;
	pp->fetch.pinned_pubkey = o->pinned_key ? o->pinned_key : pp->k.pinned_key[0] ? pp->k.pinned_key : NULL;
	host_identity_read(o->root.sysfs, &pp->id, &pp->fetch);
	pp->env = (struct source_env){ .run_dir = o->run_dir ? o->run_dir : RUN_DIR,
				       .live_dir = o->live_dir ? o->live_dir : LIVE_MEDIUM_DIR,
				       .leases_dir = o->leases_dir, .id = &pp->id, .fetch = &pp->fetch };
}

/* The disks, without the boot medium and the answer-file volume's disk. */
static int probe_targets(const struct options *o, struct prepared *pp, size_t *n, struct xlog *log)
{
	char dev[64];
	int r = probe_disks(&o->root, &pp->disks, n);
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: cannot list the disks in %s/block: %s\n", o->root.sysfs, strerror(-r));
		return r;
	}
	if (probe_mounted_dev(&o->root, pp->env.live_dir, dev, sizeof(dev)) == 0 &&
	    probe_mark_excluded(o->root.sysfs, pp->disks, *n, dev, "the boot medium") > 0)
		xlog_msg(log, "%s holds the boot medium: not a target", dev);
	/* whether or not the answer file came from it */
	if ((pp->src.volume_dev[0] || answer_volume_find(pp->src.volume_dev, sizeof(pp->src.volume_dev)) == 0) &&
	    probe_mark_excluded(o->root.sysfs, pp->disks, *n, pp->src.volume_dev, "the answer-file volume's disk") > 0)
		xlog_msg(log, "%s holds the answer-file volume: not a target", pp->src.volume_dev);
	return 0;
}

static int prepare(const struct options *o, struct prepared *pp, struct xlog *log)
{
	struct host_info hi;
	struct diag_list kd, d;
	int code = EXIT_OK, r;

	memset(pp, 0, sizeof(*pp));
	cmdline_init(&pp->k);
	diag_init(&kd, o->cmdline ? o->cmdline : "/proc/cmdline");
	diag_init(&d, NULL);
	pp->cfg = malloc(sizeof(*pp->cfg));
	if (pp->cfg)
		config_init(pp->cfg);
	pp->plan = calloc(1, sizeof(*pp->plan));
	if (!pp->cfg || !pp->plan) {
		code = EXIT_INTERNAL;
		goto out;
	}
	r = cmdline_read(o->cmdline ? o->cmdline : "/proc/cmdline", &pp->k, &kd);
	diag_report(&kd, log);
	if (r < 0 && (o->cmdline || r == -EINVAL)) {
		code = EXIT_CONFIG;
		goto out;
	}
	fetch_setup(o, pp);
	const char *given = o->answerfile ? o->answerfile : pp->k.answerfile[0] ? pp->k.answerfile : NULL;
	if (!given) {
		fprintf(stderr, "xenhost-installer: no answer file: give --answerfile PATH|URL or answerfile= on the kernel "
			"command line, or run the screens with --interactive\n");
		code = EXIT_CONFIG;
		goto out;
	}
	if ((r = answer_locate(given, &pp->env, &pp->src, log)) < 0) {
		fprintf(stderr, "xenhost-installer: no answer file from %s; nothing was written\n", given);
		code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
		goto out;
	}
	xlog_msg(log, "answer file: %s (%s)", pp->src.origin, pp->src.path);
	d.file = pp->src.path;
	r = answerfile_parse_file(pp->src.path, pp->cfg, &d);
	if (r == 0)
		r = answerfile_check_zone(pp->cfg, o->zoneinfo ? o->zoneinfo : "/usr/share/zoneinfo", &d);
	if (r < 0) {
		diag_report(&d, log);
		fprintf(stderr, "xenhost-installer: the answer file %s is not valid; nothing was written\n", pp->src.origin);
		code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
		goto out;
	}
	pp->parsed = true;
	if (pp->cfg->interactive_partial) {
		xlog_msg(log, "the answer file is partial (interactive=\"partial\"): the screens ask for the rest");
		code = EXIT_SCREENS;
		goto out;
	}
	if (pp->k.atexit_set)
		pp->cfg->post_action = pp->k.atexit;   /* atexit= on the command line wins */
	if (probe_targets(o, pp, &pp->n_disks, log) < 0) {
		code = EXIT_INTERNAL;
		goto out;
	}
	probe_host(&o->root, &hi);
	if (!o->host_ram || !o->host_cpus)
		xen_physinfo(&hi, NULL, log);
	struct plan_host host = { .ram = o->host_ram ? o->host_ram : hi.ram,
				  .cpus = o->host_cpus ? o->host_cpus : hi.cpus, .uefi = hi.uefi };
	r = plan_make(pp->cfg, pp->disks, pp->n_disks, &host, NULL, pp->plan, &d);
	diag_report(&d, log);
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: no plan: the answer file does not fit this machine; nothing was "
			"written\n");
		code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_PLAN;
		goto out;
	}
out:
	diag_free(&kd);
	diag_free(&d);
	return code;
}

/* Where the image comes from, in this order: --image; the answer file's <source
 * type="url"> (a directory holding rootfs.squashfs, or the .squashfs itself); an image
 * on the boot medium; the URL the install environment was booted from (root=live:URL,
 * a PXE boot). url: "" for a local image. */
static int image_source(const struct options *o, const struct prepared *pp, char *url, size_t n)
{
	url[0] = '\0';
	if (o->image)
		return 0;
	if (pp->cfg->source == SOURCE_URL) {
		const char *u = pp->cfg->source_url;
		size_t l = strlen(u);
		bool whole = l > 9 && !strcmp(u + l - 9, ".squashfs");
		const char *sep = whole || (l && u[l - 1] == '/') ? "" : "/";
		return snprintf(url, n, "%s%s%s", u, sep, whole ? "" : "rootfs.squashfs") >= (int)n ? -ENAMETOOLONG : 0;
	}
	if (install_local_image())
		return 0;
	if (pp->k.live_url[0])
		return snprintf(url, n, "%s", pp->k.live_url) >= (int)n ? -ENAMETOOLONG : 0;
	return 0;
}

/* Upgrade, restore: the installation on the plan's disk (for a restore without
 * <backup-disk>, the one disk holding an installation), and whether it may be changed.
 * Nothing is written: the root and backup are mounted read-only without journal replay. */
static int examine(const struct options *o, struct prepared *pp, struct existing *ex, struct xlog *log)
{
	struct install_plan *p = pp->plan;
	char mnt[PATH_MAX], why[1024];
	int r;
	if (!p->n_disks) {
		size_t found = 0, k = 0;
		for (size_t i = 0; i < pp->n_disks; i++)
			if (pp->disks[i].xenhost_suffix[0])
				found++, k = i;
		if (found != 1) {
			fprintf(stderr, "xenhost-installer: %s disks hold a Xenhost installation; name the one to restore "
				"with <backup-disk>. The disks:\n", found ? "several" : "no");
			for (size_t i = 0; i < pp->n_disks; i++) {
				char desc[1024];
				fprintf(stderr, "  %s\n", disk_describe(&pp->disks[i], desc, sizeof(desc)));
			}
			return EXIT_PLAN;
		}
		p->disks[0].disk = pp->disks[k];
		p->n_disks = 1;
	}
	const char *target = o->target_root ? o->target_root : INSTALL_DEFAULT_TARGET;
	if (snprintf(mnt, sizeof(mnt), "%s-probe", target) >= (int)sizeof(mnt))
		return EXIT_CONFIG;
	r = existing_probe(log, &p->disks[0].disk, mnt, ex);
	if (r == -ENOENT) {
		fprintf(stderr, "xenhost-installer: there is no Xenhost installation on %s (no partition named "
			"xh-root-*): nothing to %s; nothing was written. Check the disk named in the answer file, or "
			"make a fresh install\n", p->disks[0].disk.devnode, mode_name(p->mode));
		return EXIT_PLAN;
	}
	if (r < 0)
		return EXIT_PLAN;
	if (p->mode == MODE_UPGRADE && existing_resume(ex)) {
		printf("An upgrade of %s was cut short after its backup was complete: it is resumed, with the backup "
		       "(version %s, made %s) as the installation to upgrade.\n", ex->disk, ex->root.version, ex->backup_date);
		xlog_msg(log, "resuming an interrupted upgrade from the backup (version %s)", ex->root.version);
	}
	existing_print(ex, stdout);
	if (log->f)
		existing_print(ex, log->f);
	if (existing_check(ex, p->mode, pp->cfg->upgrade_force, XENHOST_VERSION, why, sizeof(why)) < 0) {
		fprintf(stderr, "xenhost-installer: %s\n", why);
		xlog_msg(log, "refused: %s", why);
		return EXIT_PLAN;
	}
	if (p->mode == MODE_UPGRADE)
		printf("The installation can be upgraded from %s to %s%s.\n", ex->root.version, XENHOST_VERSION,
		       version_cmp(ex->root.version, XENHOST_VERSION) > 0 ? " (a downgrade: force=\"true\")" : "");
	else
		printf("The backup (version %s, made %s) can be restored.\n", ex->backup.version, ex->backup_date);
	return EXIT_OK;
}

static int cmd_dry_run(const struct options *o)
{
	struct prepared pp;
	struct xlog log;
	xlog_open(&log, NULL, NULL);
	int code = prepare(o, &pp, &log);
	if (code == EXIT_SCREENS)
		fprintf(stderr, "xenhost-installer: the answer file is partial (interactive=\"partial\"): the screens ask "
			"for the rest, so there is no plan yet; nothing was written\n");
	if (code == EXIT_OK && (pp.plan->mode == MODE_UPGRADE || pp.plan->mode == MODE_RESTORE)) {
		struct existing ex;
		code = examine(o, &pp, &ex, &log);
	}
	if (code == EXIT_OK) {
		char url[CFG_URL_MAX];
		printf("DRY RUN: nothing is written.\n");
		plan_print(pp.plan, stdout);
		if (image_source(o, &pp, url, sizeof(url)) == 0)
			printf("image: %s\n", url[0] ? url : o->image ? o->image : "the boot medium's");
	}
	prepared_free(&pp);
	return code;
}

static void post_action(const struct options *o, enum post_action a, bool ok, struct xlog *log)
{
	if (!o->install_unit) {
		if (ok)
			printf("Not started as the install unit (--install-unit): no %s. Remove the installation medium "
			       "before booting the host.\n", post_action_name(a));
		return;
	}
	if (!ok || a == POST_SHELL) {
		/* After a failure the machine stays up, so that the operator can read why. */
		printf("%s: the installer exits; a root shell is on tty2 (Alt-F2), the log on tty3.\n",
		       ok ? "atexit=shell" : "The installation did not complete");
		return;
	}
	const char *argv[] = { "systemctl", a == POST_POWEROFF ? "poweroff" : "reboot", NULL };
	printf("%s in 5 seconds ...\n", a == POST_POWEROFF ? "Powering off" : "Rebooting");
	fflush(stdout);
	sleep(5);
	run_argv(log, NULL, argv, NULL);
}

static int run_scripts(void *ud, enum script_stage stage, const char *arg)
{
	struct prepared *pp = ud;
	return scripts_run(pp->cfg, stage, arg, &pp->env, pp->log);
}

static const char *exit_message(int code)
{
	switch (code) {
	case EXIT_OK: return "installed";
	case EXIT_CONFIG: return "the answer file or the kernel command line is invalid or could not be read; nothing "
				  "was written";
	case EXIT_PLAN: return "the answer file does not fit this machine, or a disk is in use or cannot be checked; "
		"nothing was written";
	case EXIT_INSTALL: return "the installation failed after the disks were changed";
	case EXIT_IMAGE: return "no host image, or its checksum does not match; nothing was written";
	case EXIT_SCRIPT: return "an installation-start script failed; nothing was written";
	default: return "internal error";
	}
}

/* The report, on success and on failure, when the answer file asks for one. */
static void send_report(const struct prepared *pp, int code, const char *failed_step, double t0,
			const char *log_path, struct xlog *log)
{
	/* the answer file's report URL, else report_url= of the kernel command line (which
	 * also hears of answer files that could not be fetched or read) */
	if (!pp->cfg)
		return;
	const char *url = pp->parsed && pp->cfg->report_url[0] ? pp->cfg->report_url : pp->k.report_url;
	if (!url[0])
		return;
	const struct install_plan *p = pp->plan;
	bool planned = code == EXIT_OK || code == EXIT_INSTALL || code == EXIT_SCRIPT || code == EXIT_IMAGE;
	struct report r = { .success = code == EXIT_OK, .exit_code = code, .message = exit_message(code),
			    .failed_step = failed_step ? failed_step : "", .mode = mode_name(pp->cfg->mode),
			    .firmware = planned ? (p->firmware == FW_UEFI ? "uefi" : "bios") : "",
			    .disk = planned ? p->disks[0].disk.devnode : "", .hostname = pp->cfg->hostname,
			    .answerfile = pp->src.origin, .duration = xlog_now() - t0, .id = &pp->id,
			    .log_path = log_path };
	/* a report must not hold the machine for long: at most a minute of retries */
	struct fetch_opts fo = pp->fetch;
	struct source_env env = pp->env;
	fo.timeout = fo.timeout < 60 ? fo.timeout : 60;
	env.fetch = &fo;
	printf("Sending the report to %s ...\n", url);
	if (report_send(url, &r, &env, log) < 0)
		xlog_warn(log, "the report could not be sent to %s", url);
}

/* syslog= on the kernel command line: the log also goes there, from the first line
 * (the command line is read again, fully checked, by prepare()). */
static void remote_log(const struct options *o, struct xlog *log)
{
	struct kernel_cmdline k;
	struct diag_list d;
	cmdline_init(&k);
	diag_init(&d, NULL);
	cmdline_read(o->cmdline ? o->cmdline : "/proc/cmdline", &k, &d);
	diag_free(&d);
	if (!k.syslog[0])
		return;
	int r = xlog_remote(log, k.syslog);
	if (r < 0)
		fprintf(stderr, "xenhost-installer: warning: cannot send the log to the syslog server %s: %s; the "
			"install goes on without it\n", k.syslog, r == -EINVAL ? "not HOST[:PORT]" : strerror(-r));
	else
		printf("The install log also goes to the syslog server %s (UDP).\n", k.syslog);
}

/* Examine the installation (upgrade, restore), run the plan, the installation-complete
 * scripts, and send the report. summary: the result in a sentence (also printed). */
static int execute(const struct options *o, struct prepared *pp, struct xlog *log, double t0, const char *log_path,
		   char *summary, size_t summary_n)
{
	int code = EXIT_OK;
	summary[0] = '\0';
	bool changing = pp->plan->mode == MODE_UPGRADE || pp->plan->mode == MODE_RESTORE;
	struct existing ex = { 0 };
	if (changing && (code = examine(o, pp, &ex, log)) != EXIT_OK) {
		send_report(pp, code, "examine the installation", t0, log_path, log);
		snprintf(summary, summary_n, "The installation on %s cannot be changed: see the messages above.",
			 pp->plan->disks[0].disk.devnode);
		return code;
	}
	for (size_t i = 0; changing && i < pp->cfg->n_scripts; i++)
		if (pp->cfg->scripts[i].stage != STAGE_INSTALLATION_COMPLETE)
			xlog_warn(log, "the %s script %s is not run by an %s (only installation-complete scripts are)",
				  stage_name(pp->cfg->scripts[i].stage), pp->cfg->scripts[i].url, mode_name(pp->plan->mode));
	if (log->f)
		plan_print(pp->plan, log->f);
	char image_url[CFG_URL_MAX], image_dir[PATH_MAX];
	if (image_source(o, pp, image_url, sizeof(image_url)) < 0 ||
	    snprintf(image_dir, sizeof(image_dir), "%s/image", pp->env.run_dir) >= (int)sizeof(image_dir)) {
		fprintf(stderr, "xenhost-installer: the image URL from <source> is too long; nothing was written\n");
		code = EXIT_CONFIG;
		send_report(pp, code, NULL, t0, log_path, log);
		snprintf(summary, summary_n, "The image URL from <source> is too long; nothing was written.");
		return code;
	}
	if (image_url[0])
		xlog_msg(log, "image: %s (fetched, then verified against %s.sha256)", image_url, image_url);
	const char *fw = pp->plan->firmware == FW_UEFI ? "UEFI" : "BIOS", *dev = pp->plan->disks[0].disk.devnode;
	if (pp->plan->mode == MODE_UPGRADE)
		printf("Upgrading the installation on %s from %s to Xenhost %s (%s); the log is %s\n", dev, ex.root.version,
		       XENHOST_VERSION, fw, log_path);
	else if (pp->plan->mode == MODE_RESTORE)
		printf("Restoring Xenhost %s from the backup on %s (%s); the log is %s\n", ex.backup.version, dev, fw, log_path);
	else
		printf("Installing Xenhost %s (%s, %s) on %s; the log is %s\n", XENHOST_VERSION, mode_name(pp->plan->mode), fw,
		       dev, log_path);
	struct install_opts io = { .target = o->target_root ? o->target_root : INSTALL_DEFAULT_TARGET,
				   .image = o->image, .image_url = image_url[0] ? image_url : NULL,
				   .image_dir = image_dir, .fetch = &pp->fetch, .answerfile = pp->src.path[0] ? pp->src.path : NULL, .log_path = log_path,
				   .sysfs = o->root.sysfs, .scripts = run_scripts, .scripts_ud = pp };
	enum install_result res = pp->plan->mode == MODE_UPGRADE ? upgrade_run(pp->plan, &io, &ex, log) :
				  pp->plan->mode == MODE_RESTORE ? restore_run(pp->plan, &io, &ex, log) :
				  install_run(pp->plan, &io, log);
	switch (res) {
	case INSTALL_OK:
		if (pp->plan->mode == MODE_UPGRADE) {
			snprintf(summary, summary_n, "Xenhost on %s is upgraded from %s to %s in %.0f s. It boots %s on trial: unless it "
			       "confirms a healthy boot within %d boots, %s (kept on %s) boots again by itself. "
			       "Log: %s (and /var/log/installer/upgrade.log on the host).", pp->plan->disks[0].disk.devnode,
			       ex.root.version, XENHOST_VERSION, xlog_now() - t0, XENHOST_VERSION, UPGRADE_TRIAL_BOOTS,
			       ex.root.version, ex.dev[PART_BACKUP], log_path);
			code = EXIT_OK;
			break;
		}
		if (pp->plan->mode == MODE_RESTORE) {
			snprintf(summary, summary_n, "Xenhost %s is restored on %s from its backup in %.0f s. Log: %s (and "
			       "/var/log/installer/restore.log on the host).", ex.backup.version, pp->plan->disks[0].disk.devnode,
			       xlog_now() - t0, log_path);
			code = EXIT_OK;
			break;
		}
		snprintf(summary, summary_n, "Xenhost %s is installed on %s in %.0f s (%s boot, dom0 %" PRIu64 " MiB, %u vCPUs, %s local "
		       "storage). Log: %s (and /var/log/installer/ on the host).", XENHOST_VERSION,
		       pp->plan->disks[0].disk.devnode, xlog_now() - t0, pp->plan->firmware == FW_UEFI ? "UEFI" : "BIOS",
		       pp->plan->dom0_memory / MiB, pp->plan->dom0_vcpus, sr_type_name(pp->plan->sr_type), log_path);
		code = EXIT_OK;
		break;
	case INSTALL_REFUSED_BUSY:
		code = EXIT_PLAN;
		break;
	case INSTALL_REFUSED_IMAGE:
		code = EXIT_IMAGE;
		break;
	case INSTALL_REFUSED_SCRIPT:
		code = EXIT_SCRIPT;
		break;
	case INSTALL_FAILED:
		code = EXIT_INSTALL;
		break;
	}
	if (scripts_run(pp->cfg, STAGE_INSTALLATION_COMPLETE, code == EXIT_OK ? "0" : "1", &pp->env, log) < 0)
		xlog_warn(log, "an installation-complete script failed (see the log)");
	if (code != EXIT_OK) {
		char err[80] = "";
		if (io.failed_errno)
			snprintf(err, sizeof(err), " (%s)", strerror(io.failed_errno));
		snprintf(summary, summary_n, "xenhost-installer: the installation FAILED%s%s%s: %s. The log is %s.",
			 io.failed_step[0] ? " at the step: " : "", io.failed_step, err, exit_message(code), log_path);
		fprintf(stderr, "\n%s\n", summary);
	} else {
		printf("\n%s\n", summary);
	}
	send_report(pp, code, io.failed_step, t0, log_path, log);
	return code;
}

static int cmd_interactive(const struct options *o);

static int cmd_install(const struct options *o)
{
	struct prepared pp;
	struct xlog log;
	const char *log_path = o->log ? o->log : INSTALL_DEFAULT_LOG;
	int code, r;

	if ((r = xlog_open(&log, log_path, stdout)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot open the install log %s: %s; give another with --log FILE\n",
			log_path, strerror(-r));
		return EXIT_INSTALL;
	}
	double t0 = xlog_now();
	remote_log(o, &log);
	xlog_msg(&log, "xenhost-installer %s started", XENHOST_VERSION);
	code = prepare(o, &pp, &log);
	pp.log = &log;
	if (code == EXIT_SCREENS) {
		prepared_free(&pp);
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
			xlog_msg(&log, "on to the screens");
			xlog_close(&log);
			return cmd_interactive(o);
		}
		fprintf(stderr, "xenhost-installer: the answer file is partial (interactive=\"partial\") and there is no "
			"terminal to ask the rest on; nothing was written. Run xenhost-installer --interactive on a "
			"console, or complete the answer file\n");
		xlog_msg(&log, "exit %d", code);
		xlog_close(&log);
		return code;
	}
	if (code != EXIT_OK) {
		xlog_msg(&log, "no plan (exit %d); nothing was written", code);
		send_report(&pp, code, !pp.parsed ? "get the answer file" : code == EXIT_PLAN ? "plan (disks)" : NULL, t0,
			    log_path, &log);
		goto done;
	}
	char summary[1024];
	code = execute(o, &pp, &log, t0, log_path, summary, sizeof(summary));
done:
	xlog_msg(&log, "exit %d", code);
	enum post_action a = pp.cfg ? pp.cfg->post_action : POST_REBOOT;
	prepared_free(&pp);
	post_action(o, a, code == EXIT_OK, &log);
	xlog_close(&log);
	return code;
}


/* --- the interactive installer */

struct ui_planner {
	struct prepared *pp;
	struct plan_host host;
};

static int ui_plan(void *ud, const struct install_config *c, struct install_plan *p, char *msg, size_t n)
{
	struct ui_planner *u = ud;
	struct diag_list d;
	char *buf = NULL;
	size_t len = 0;
	diag_init(&d, NULL);
	int r = plan_make(c, u->pp->disks, u->pp->n_disks, &u->host, NULL, p, &d);
	if (r < 0) {
		FILE *f = open_memstream(&buf, &len);
		if (f) {
			diag_print(&d, f);
			fclose(f);
		}
		snprintf(msg, n, "%s", buf && buf[0] ? buf : "The plan cannot be made for this machine.");
		free(buf);
	}
	diag_free(&d);
	return r;
}

/* What the screens show: the host, its disks and NICs, the installations on its disks. */
static int ui_probe(const struct options *o, struct prepared *pp, struct ui_env *e, struct ui_planner *up,
		    struct xlog *log)
{
	struct host_info hi = { 0 };
	int hvm = -1;
	if (probe_targets(o, pp, &pp->n_disks, log) < 0)
		return EXIT_INTERNAL;
	probe_host(&o->root, &hi);
	xen_physinfo(&hi, &hvm, log);
	up->pp = pp;
	up->host = (struct plan_host){ .ram = o->host_ram ? o->host_ram : hi.ram,
				       .cpus = o->host_cpus ? o->host_cpus : hi.cpus, .uefi = hi.uefi };
	e->version = XENHOST_VERSION;
	e->uefi = hi.uefi;
	e->ram = up->host.ram;
	e->cpus = up->host.cpus;
	e->hvm = hvm != 0;
	e->disks = pp->disks;
	e->n_disks = pp->n_disks;
	e->zoneinfo = o->zoneinfo ? o->zoneinfo : "/usr/share/zoneinfo";
	const char *term = getenv("TERM");
	e->keymaps = term && !strcmp(term, "linux") && have_program(NULL, "loadkeys") ? "loadkeys" : NULL;
	e->plan = ui_plan;
	e->plan_ud = up;
	if (probe_nics(o->root.sysfs, e->nics, NIC_MAX, &e->n_nics) < 0)
		e->n_nics = 0;
	for (size_t i = 0; i < e->n_nics; i++) {
		char path[PATH_MAX], v[8] = "";
		snprintf(path, sizeof(path), "%s/class/net/%s/carrier", o->root.sysfs, e->nics[i].kname);
		FILE *f = fopen(path, "re");
		if (f) {
			e->link[i] = fgets(v, sizeof(v), f) && v[0] == '1';
			fclose(f);
		}
	}
	const char *target = o->target_root ? o->target_root : INSTALL_DEFAULT_TARGET;
	char mnt[PATH_MAX];
	snprintf(mnt, sizeof(mnt), "%s-probe", target);
	for (size_t i = 0; i < pp->n_disks && e->n_found < sizeof(e->found) / sizeof(e->found[0]); i++) {
		struct existing ex;
		if (!pp->disks[i].xenhost_suffix[0] || pp->disks[i].excluded ||
		    existing_probe(log, &pp->disks[i], mnt, &ex) < 0)
			continue;
		struct ui_found *f = &e->found[e->n_found++];
		f->disk = &pp->disks[i];
		snprintf(f->version, sizeof(f->version), "%s", ex.root.version[0] ? ex.root.version : "(unknown)");
		if (ex.backup.present)
			snprintf(f->backup_version, sizeof(f->backup_version), "%s", ex.backup.version);
		if (existing_check(&ex, MODE_UPGRADE, false, XENHOST_VERSION, f->why_not, sizeof(f->why_not)) == 0)
			f->why_not[0] = '\0';
	}
	return EXIT_OK;
}

/* The last lines of the log, for the failure screen. */
static void log_tail(const char *path, char *out, size_t n, unsigned lines)
{
	char *text = NULL;
	out[0] = '\0';
	if (read_file_tail(path, lines, &text) == 0)
		snprintf(out, n, "%s", text);
	free(text);
}

static int cmd_interactive(const struct options *o)
{
	struct prepared pp;
	struct xlog log;
	struct ui_env env = { 0 };
	struct ui_planner up;
	const char *log_path = o->log ? o->log : INSTALL_DEFAULT_LOG;
	enum ui_action act = UI_INSTALL;
	char summary[1024], tail[2048];
	int code = EXIT_OK, r;

	if ((r = xlog_open(&log, log_path, NULL)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot open the install log %s: %s; give another with --log FILE\n",
			log_path, strerror(-r));
		return EXIT_INSTALL;
	}
	double t0 = xlog_now();
	xlog_msg(&log, "xenhost-installer %s started (interactive)", XENHOST_VERSION);
	memset(&pp, 0, sizeof(pp));
	pp.log = &log;
	cmdline_init(&pp.k);
	pp.cfg = malloc(sizeof(*pp.cfg));
	pp.plan = calloc(1, sizeof(*pp.plan));
	if (!pp.cfg || !pp.plan) {
		code = EXIT_INTERNAL;
		goto done;
	}
	config_init(pp.cfg);
	struct diag_list kd, d;
	diag_init(&kd, o->cmdline ? o->cmdline : "/proc/cmdline");
	if (cmdline_read(o->cmdline ? o->cmdline : "/proc/cmdline", &pp.k, &kd) < 0)
		xlog_msg(&log, "the kernel command line has errors (above); the screens ask for everything");
	diag_report(&kd, &log);
	diag_free(&kd);
	fetch_setup(o, &pp);
	/* An answer file (--answerfile, or answerfile= on the kernel command line): with
	 * interactive="partial" the screens ask only what it leaves out; any other gives the
	 * screens' defaults. */
	const char *given = o->answerfile ? o->answerfile : pp.k.answerfile[0] ? pp.k.answerfile : NULL;
	if (given) {
		diag_init(&d, given);
		if (answer_locate(given, &pp.env, &pp.src, &log) < 0 ||
		    answerfile_parse_file(pp.src.path, pp.cfg, &d) < 0 ||
		    answerfile_check_zone(pp.cfg, o->zoneinfo ? o->zoneinfo : "/usr/share/zoneinfo", &d) < 0) {
			diag_report(&d, &log);
			diag_free(&d);
			fprintf(stderr, "xenhost-installer: the answer file %s cannot pre-fill the screens; nothing was "
				"written\n", given);
			code = EXIT_CONFIG;
			goto done;
		}
		diag_free(&d);
		pp.parsed = true;
		xlog_msg(&log, "answer file %s pre-fills the screens%s", pp.src.origin,
			 pp.cfg->interactive_partial ? " (partial: only the rest is asked)" : "");
	}
	if ((code = ui_probe(o, &pp, &env, &up, &log)) != EXIT_OK)
		goto done;
	xlog_msg(&log, "interactive: %zu disk(s), %zu NIC(s), %zu installation(s) found", env.n_disks, env.n_nics,
		 env.n_found);
	r = ui_run(&env, pp.cfg, pp.plan, &act);
	if (r < 0) {
		ui_finish();
		xlog_msg(&log, r == -ECANCELED ? "the operator quit; nothing was written" : "the screen cannot be used");
		printf(r == -ECANCELED ? "xenhost-installer: you quit the installer; nothing was written.\n" :
					 "xenhost-installer: the text screens cannot start on this terminal; nothing was "
					 "written. Install with --answerfile.\n");
		code = r == -ECANCELED ? EXIT_QUIT : EXIT_INTERNAL;
		goto done;
	}
	if (act == UI_SHELL) {
		ui_finish();
		xlog_msg(&log, "the operator chose the shell; nothing was written");
		code = EXIT_SHELL;
		goto done;
	}
	xlog_msg(&log, "the operator confirmed the %s", mode_name(pp.plan->mode));

	/* the progress screen; everything the executor prints goes to the log */
	struct ui_progress *pr = ui_progress_open(pp.plan->mode == MODE_UPGRADE ? "Upgrading" :
						  pp.plan->mode == MODE_RESTORE ? "Restoring" : "Installing");
	if (pr) {
		log.on_step = ui_progress_step;
		log.on_progress = ui_progress_detail;
		log.on_step_end = ui_progress_step_end;
		log.hook_ud = pr;
	}
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2), lf = open(log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (so < 0 || se < 0 || lf < 0 || dup2(lf, 1) < 0 || dup2(lf, 2) < 0) {
		ui_finish();
		fprintf(stderr, "xenhost-installer: cannot send the output to the log %s: %s\n", log_path, strerror(errno));
		code = EXIT_INTERNAL;
		goto done;
	}
	ui_output_fd(so);
	code = execute(o, &pp, &log, t0, log_path, summary, sizeof(summary));
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	ui_output_fd(1);
	close(so);
	close(se);
	close(lf);
	log.on_step = NULL;
	log.on_progress = NULL;
	log.on_step_end = NULL;
	if (log.f)
		fflush(log.f);
	log_tail(log_path, tail, sizeof(tail), 10);
	bool reboot = ui_progress_close(pr, code == EXIT_OK, summary, code == EXIT_OK ? NULL : tail);
	ui_finish();
	printf("%s\n", summary);
	pp.cfg->post_action = reboot ? POST_REBOOT : POST_SHELL;
done:
	xlog_msg(&log, "exit %d", code);
	enum post_action a = pp.cfg && code == EXIT_OK ? pp.cfg->post_action : POST_SHELL;
	prepared_free(&pp);
	if (code == EXIT_OK)
		post_action(o, a, true, &log);
	xlog_close(&log);
	return code;
}

/* --write-live-network DIR: the install environment's network for fetching. */
static int cmd_live_network(const struct options *o)
{
	struct kernel_cmdline k;
	struct diag_list kd;
	struct gen_files *g = calloc(1, sizeof(*g));
	char path[PATH_MAX];
	int code = EXIT_OK;

	if (!g)
		return EXIT_INTERNAL;
	cmdline_init(&k);
	diag_init(&kd, o->cmdline ? o->cmdline : "/proc/cmdline");
	int r = cmdline_read(o->cmdline ? o->cmdline : "/proc/cmdline", &k, &kd);
	diag_print(&kd, stderr);
	diag_free(&kd);
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: the kernel command line is not valid: DHCP on every NIC instead\n");
		cmdline_init(&k);
	}
	int w = gen_live_network(&k, g);
	if (w < 0 || (w = mkdir_p(o->live_network, 0755)) < 0) {
		fprintf(stderr, "xenhost-installer: cannot make %s: %s\n", o->live_network, strerror(-w));
		code = EXIT_INTERNAL;
	}
	for (size_t i = 0; code == EXIT_OK && i < g->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", o->live_network, g->v[i].path);
		if ((w = write_file(path, g->v[i].text, g->v[i].len, g->v[i].mode)) < 0) {
			fprintf(stderr, "xenhost-installer: cannot write %s: %s\n", path, strerror(-w));
			code = EXIT_INTERNAL;
			break;
		}
		printf("wrote %s\n", path);
	}
	gen_files_free(g);
	free(g);
	return r < 0 ? EXIT_CONFIG : code;
}

/* One disk for --list-disks: the properties a <match> filter tests, and a filter that
 * selects exactly this disk. */
static void print_disk(const struct disk_info *d)
{
	char sz[32];
	printf("%-8s %10s  bus=%-6s rotational=%-5s model=\"%s\" serial=\"%s\"%s%s%s%s%s\n", d->name,
	       fmt_size(d->size, sz, sizeof(sz)), d->bus[0] ? d->bus : "?", d->rotational ? "true" : "false", d->model,
	       d->serial, d->wwn[0] ? " wwn=\"" : "", d->wwn, d->wwn[0] ? "\"" : "", d->excluded ? "  NOT A TARGET: " : "",
	       d->excluded ? d->excluded : "");
	for (size_t k = 0; k < d->n_by_id; k++)
		printf("%-8s by-id    %s\n", "", d->by_id[k]);
	if (d->contents[0])
		printf("%-8s holds    %s\n", "", d->contents);
	if (!d->excluded && (d->serial[0] || d->wwn[0]))
		printf("%-8s filter   <match %s=\"%s\"/>\n", "", d->serial[0] ? "serial" : "wwn",
		       d->serial[0] ? d->serial : d->wwn);
}

/* --list-disks and --match-disk FILTER: what filters see, without an answer file. */
static int cmd_disks(const struct options *o)
{
	struct prepared pp;
	struct xlog log;
	struct disk_selector sel = { 0 };
	struct diag_list d;
	size_t n = 0;
	int code = EXIT_OK;

	memset(&pp, 0, sizeof(pp));
	cmdline_init(&pp.k);
	fetch_setup(o, &pp);
	xlog_open(&log, NULL, NULL);
	diag_init(&d, "--match-disk");
	if (o->match_disk) {
		int r = answerfile_parse_match(o->match_disk, &sel, &d);
		if (r < 0) {
			diag_print(&d, stderr);
			fprintf(stderr, "xenhost-installer: the filter \"%s\" is not valid\n", o->match_disk);
			code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
			goto out;
		}
	}
	if (probe_targets(o, &pp, &n, &log) < 0) {
		code = EXIT_INTERNAL;
		goto out;
	}
	if (!o->match_disk) {
		for (size_t i = 0; i < n; i++)
			print_disk(&pp.disks[i]);
		if (!n)
			printf("no disks\n");
		goto out;
	}
	int i = disk_select(&sel, pp.disks, n, "the filter", &d);
	diag_print(&d, stderr);
	if (i < 0) {
		code = EXIT_PLAN;
		goto out;
	}
	printf("the filter selects exactly one disk:\n");
	print_disk(&pp.disks[i]);
out:
	free(pp.disks);
	diag_free(&d);
	xlog_close(&log);
	return code;
}

int main(int argc, char **argv)
{
	struct options o = { .root = { .sysfs = "/sys", .dev = "/dev", .proc = "/proc" } };
	int r, code;

	LIBXML_TEST_VERSION;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "xenhost-installer: libcurl cannot be initialised\n");
		return EXIT_INTERNAL;
	}
	r = parse_args(argc, argv, &o);
	if (r < 0)
		return EXIT_USAGE;
	if (r == 1) {
		usage(stdout);
		return EXIT_OK;
	}
	if (r == 2) {
		printf("xenhost-installer %s\n", XENHOST_VERSION);
		return EXIT_OK;
	}
	if (o.check)
		code = cmd_check(o.check);
	else if (o.list_disks || o.match_disk)
		code = cmd_disks(&o);
	else if (o.live_network)
		code = cmd_live_network(&o);
	else if (o.dry_run)
		code = cmd_dry_run(&o);
	else if (o.interactive)
		code = cmd_interactive(&o);
	else
		code = cmd_install(&o);
	xmlCleanupParser();
	curl_global_cleanup();
	return code;
}
