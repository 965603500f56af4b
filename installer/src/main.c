/* main.c: xenhost-installer's command line.
 *
 *   --check FILE             validate an answer file offline
 *   --dry-run                probe, plan and print the plan; write nothing
 *   (neither)                install: probe, plan, then execute the plan
 *
 * Exit codes (also in xenhost-installer.8): see enum exit_code. Only main() exits;
 * the cmd_* functions return an exit code, everything below them a negative errno. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "answerfile.h"
#include "cmdline.h"
#include "config.h"
#include "plan.h"
#include "probe.h"
#include "validate.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,    /* out of memory, or a bug */
	EXIT_USAGE = 2,       /* bad options */
	EXIT_CONFIG = 3,      /* the answer file or the kernel command line is invalid or unreadable */
	EXIT_PLAN = 4,        /* the configuration does not fit this machine (disks, memory) */
	EXIT_INSTALL = 5,     /* the installation failed (or is not available in this build) */
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
		"  --target-root DIR     where the target is mounted while installing\n"
		"  --log FILE            the install log\n"
		"  --cmdline FILE        read the kernel command line from FILE (default /proc/cmdline)\n"
		"  --sysfs DIR --devdir DIR --procdir DIR\n"
		"                        probe another tree than /sys, /dev and /proc (for tests)\n"
		"  --host-ram SIZE --host-cpus N\n"
		"                        the host's memory and CPUs, instead of the probed ones\n"
		"  --help, --version\n\n"
		"Exit codes: 0 success, 1 internal error, 2 usage, 3 invalid answer file or kernel\n"
		"command line, 4 the configuration does not fit this machine, 5 installation failed.\n"
		"See xenhost-installer(8).\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_CHECK = 256, O_ANSWERFILE, O_DRY_RUN, O_TARGET, O_LOG, O_CMDLINE, O_SYSFS, O_DEVDIR,
	       O_PROCDIR, O_RAM, O_CPUS, O_HELP, O_VERSION };
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
	diag_print(&d, stderr);
	if (r == 0)
		printf("%s: valid answer file (mode %s)\n", file, mode_name(cfg->mode));
	else if (r != -ENOMEM)
		fprintf(stderr, "%s: %zu error%s; the answer file is not valid\n", file, d.n_errors,
			d.n_errors == 1 ? "" : "s");
	config_wipe(cfg);
	free(cfg);
	diag_free(&d);
	return r == 0 ? EXIT_OK : r == -ENOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
}

/* Where the answer file is: --answerfile, else answerfile= on the kernel command line.
 * Only local files for now: fetching URLs (libcurl) belongs with the executor. */
static int locate_answerfile(const struct options *o, const struct kernel_cmdline *k, const char **path)
{
	const char *a = o->answerfile ? o->answerfile : k->answerfile[0] ? k->answerfile : NULL;
	if (!a) {
		fprintf(stderr, "xenhost-installer: no answer file: give --answerfile PATH or answerfile= on the kernel "
			"command line (the interactive installer is not in this build yet)\n");
		return -ENOENT;
	}
	if (!strncasecmp(a, "file://", 7))
		a += 7;
	if (a[0] != '/' && strstr(a, "://")) {
		fprintf(stderr, "xenhost-installer: %s: fetching answer files over the network is not in this build "
			"yet; download it and give its path\n", a);
		return -EPROTONOSUPPORT;
	}
	*path = a;
	return 0;
}

static int cmd_dry_run(const struct options *o)
{
	struct kernel_cmdline k;
	struct install_config *cfg = malloc(sizeof(*cfg));
	struct install_plan *plan = malloc(sizeof(*plan));
	struct disk_info *disks = NULL;
	size_t n = 0;
	struct host_info hi;
	struct diag_list kd, d;
	const char *path = NULL;
	int code = EXIT_OK, r;

	cmdline_init(&k);
	diag_init(&kd, o->cmdline ? o->cmdline : "/proc/cmdline");
	diag_init(&d, NULL);
	if (!cfg || !plan) {
		code = EXIT_INTERNAL;
		goto out;
	}
	config_init(cfg);
	r = cmdline_read(o->cmdline ? o->cmdline : "/proc/cmdline", &k, &kd);
	diag_print(&kd, stderr);
	if (r < 0 && (o->cmdline || r == -EINVAL)) {
		code = EXIT_CONFIG;
		goto out;
	}
	if (locate_answerfile(o, &k, &path) < 0) {
		code = EXIT_CONFIG;
		goto out;
	}
	d.file = path;
	r = answerfile_parse_file(path, cfg, &d);
	if (r < 0) {
		diag_print(&d, stderr);
		code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
		goto out;
	}
	if (k.atexit_set)
		cfg->post_action = k.atexit;   /* atexit= on the command line wins */
	r = probe_disks(&o->root, &disks, &n);
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: cannot list the disks in %s/block: %s\n", o->root.sysfs, strerror(-r));
		code = EXIT_INTERNAL;
		goto out;
	}
	probe_host(&o->root, &hi);
	struct plan_host host = { .ram = o->host_ram ? o->host_ram : hi.ram,
				  .cpus = o->host_cpus ? o->host_cpus : hi.cpus, .uefi = hi.uefi };
	r = plan_make(cfg, disks, n, &host, NULL, plan, &d);
	diag_print(&d, stderr);
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: no plan: the answer file does not fit this machine; nothing was "
			"written\n");
		code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_PLAN;
		goto out;
	}
	printf("DRY RUN: nothing is written.\n");
	plan_print(plan, stdout);
out:
	if (cfg)
		config_wipe(cfg);
	free(cfg);
	free(plan);
	free(disks);
	diag_free(&kd);
	diag_free(&d);
	return code;
}

static int cmd_install(const struct options *o)
{
	(void)o;
	/* The executor (verify the image, wipe, partition, mkfs, unpack, configure,
	 * bootloader, scripts, report) comes in a later step. It will take the plan made
	 * exactly as in cmd_dry_run and carry it out; until then nothing is written. */
	fprintf(stderr, "xenhost-installer: this build can only check answer files and plan (--check, --dry-run); "
		"the install step is not implemented yet. Nothing was written.\n");
	return EXIT_INSTALL;
}

int main(int argc, char **argv)
{
	struct options o = { .root = { .sysfs = "/sys", .dev = "/dev", .proc = "/proc" } };
	int r, code;

	LIBXML_TEST_VERSION;
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
	else if (o.dry_run)
		code = cmd_dry_run(&o);
	else
		code = cmd_install(&o);
	xmlCleanupParser();
	return code;
}
