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

#include <inttypes.h>
#include <unistd.h>

#include "answerfile.h"
#include "install.h"
#include "run.h"
#include "xlog.h"
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
	EXIT_INSTALL = 5,     /* the installation failed after the disks were changed */
	EXIT_IMAGE = 6,       /* no host image, or its sha256 does not match: nothing was written */
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
		"                        (default " INSTALL_DEFAULT_TARGET ")\n"
		"  --log FILE            the install log (default " INSTALL_DEFAULT_LOG ")\n"
		"  --image PATH          the host image (squashfs, with PATH.sha256); default: the first\n"
		"                        of /run/xenhost/rootfs.squashfs and the live medium's image\n"
		"  --install-unit        started by the install unit: do the post-install action\n"
		"                        (reboot, poweroff, shell) at the end\n"
		"  --cmdline FILE        read the kernel command line from FILE (default /proc/cmdline)\n"
		"  --sysfs DIR --devdir DIR --procdir DIR\n"
		"                        probe another tree than /sys, /dev and /proc (for tests)\n"
		"  --host-ram SIZE --host-cpus N\n"
		"                        the host's memory and CPUs, instead of the probed ones\n"
		"  --disk-allow-loop     offer loop devices as disks (for tests only)\n"
		"  --help, --version\n\n"
		"Exit codes: 0 success, 1 internal error, 2 usage, 3 invalid answer file or kernel\n"
		"command line, 4 the configuration does not fit this machine (or a disk is in use),\n"
		"5 installation failed, 6 no image or a bad image checksum. Only 5 means a disk was changed.\n"
		"See xenhost-installer(8).\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_CHECK = 256, O_ANSWERFILE, O_DRY_RUN, O_TARGET, O_LOG, O_CMDLINE, O_SYSFS, O_DEVDIR,
	       O_PROCDIR, O_RAM, O_CPUS, O_HELP, O_VERSION, O_IMAGE, O_ALLOW_LOOP, O_INSTALL_UNIT };
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
		case O_ALLOW_LOOP: o->root.allow_loop = true; break;
		case O_INSTALL_UNIT: o->install_unit = true; break;
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

/* Under Xen, /proc/meminfo and sysfs describe dom0: ask Xen for the host's figures. */
static void xen_physinfo(struct host_info *hi, struct xlog *log)
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
	}
	if (mem)
		hi->ram = (uint64_t)mem * MiB;
	if (cpus)
		hi->cpus = (unsigned)cpus;
}

/* Everything up to a plan, exactly as for --dry-run and for the install. */
struct prepared {
	struct kernel_cmdline k;
	struct install_config *cfg;
	struct install_plan *plan;
	struct disk_info *disks;
	const char *path;
};

static void prepared_free(struct prepared *pp)
{
	if (pp->cfg)
		config_wipe(pp->cfg);
	free(pp->cfg);
	free(pp->plan);
	free(pp->disks);
}

static int prepare(const struct options *o, struct prepared *pp, struct xlog *log)
{
	struct host_info hi;
	struct diag_list kd, d;
	size_t n = 0;
	int code = EXIT_OK, r;

	memset(pp, 0, sizeof(*pp));
	cmdline_init(&pp->k);
	diag_init(&kd, o->cmdline ? o->cmdline : "/proc/cmdline");
	diag_init(&d, NULL);
	pp->cfg = malloc(sizeof(*pp->cfg));
	pp->plan = malloc(sizeof(*pp->plan));
	if (!pp->cfg || !pp->plan) {
		code = EXIT_INTERNAL;
		goto out;
	}
	config_init(pp->cfg);
	r = cmdline_read(o->cmdline ? o->cmdline : "/proc/cmdline", &pp->k, &kd);
	diag_print(&kd, stderr);
	if (r < 0 && (o->cmdline || r == -EINVAL)) {
		code = EXIT_CONFIG;
		goto out;
	}
	if (locate_answerfile(o, &pp->k, &pp->path) < 0) {
		code = EXIT_CONFIG;
		goto out;
	}
	d.file = pp->path;
	r = answerfile_parse_file(pp->path, pp->cfg, &d);
	if (r < 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "xenhost-installer: the answer file %s is not valid; nothing was written\n", pp->path);
		code = r == -ENOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
		goto out;
	}
	if (pp->k.atexit_set)
		pp->cfg->post_action = pp->k.atexit;   /* atexit= on the command line wins */
	r = probe_disks(&o->root, &pp->disks, &n);
	if (r < 0) {
		fprintf(stderr, "xenhost-installer: cannot list the disks in %s/block: %s\n", o->root.sysfs, strerror(-r));
		code = EXIT_INTERNAL;
		goto out;
	}
	probe_host(&o->root, &hi);
	if (!o->host_ram || !o->host_cpus)
		xen_physinfo(&hi, log);
	struct plan_host host = { .ram = o->host_ram ? o->host_ram : hi.ram,
				  .cpus = o->host_cpus ? o->host_cpus : hi.cpus, .uefi = hi.uefi };
	r = plan_make(pp->cfg, pp->disks, n, &host, NULL, pp->plan, &d);
	diag_print(&d, stderr);
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

static int cmd_dry_run(const struct options *o)
{
	struct prepared pp;
	struct xlog log;
	xlog_open(&log, NULL, NULL);
	int code = prepare(o, &pp, &log);
	if (code == EXIT_OK) {
		printf("DRY RUN: nothing is written.\n");
		plan_print(pp.plan, stdout);
	}
	prepared_free(&pp);
	return code;
}

static void post_action(const struct options *o, enum post_action a, struct xlog *log)
{
	if (!o->install_unit) {
		printf("Not started as the install unit (--install-unit): no %s. Remove the installation medium "
		       "before booting the host.\n", post_action_name(a));
		return;
	}
	if (a == POST_SHELL) {
		printf("atexit=shell: the installer exits; the shell is on tty2 (and this console).\n");
		return;
	}
	const char *argv[] = { "systemctl", a == POST_POWEROFF ? "poweroff" : "reboot", NULL };
	printf("%s in 5 seconds ...\n", a == POST_POWEROFF ? "Powering off" : "Rebooting");
	fflush(stdout);
	sleep(5);
	run_argv(log, NULL, argv, NULL);
}

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
	xlog_msg(&log, "xenhost-installer %s started", XENHOST_VERSION);
	code = prepare(o, &pp, &log);
	if (code != EXIT_OK) {
		xlog_msg(&log, "no plan (exit %d); nothing was written", code);
		prepared_free(&pp);
		xlog_close(&log);
		return code;
	}
	if (pp.plan->mode != MODE_FRESH && pp.plan->mode != MODE_REINSTALL) {
		fprintf(stderr, "xenhost-installer: %s is not implemented in this build; nothing was written\n",
			mode_name(pp.plan->mode));
		prepared_free(&pp);
		xlog_close(&log);
		return EXIT_INSTALL;
	}
	if (log.f)
		plan_print(pp.plan, log.f);
	/* Parsed and valid, but not carried out by this build: say so rather than ignore them. */
	if (pp.cfg->source == SOURCE_URL)
		xlog_warn(&log, "<source type=\"url\"> (%s) is not supported by this build: installing the host image of "
			  "the install environment instead", pp.cfg->source_url);
	if (pp.cfg->n_scripts)
		xlog_warn(&log, "the answer file's %zu <script> element(s) are not run by this build", pp.cfg->n_scripts);
	if (pp.cfg->report_url[0])
		xlog_warn(&log, "<report-url> is not supported by this build: no report is sent to %s", pp.cfg->report_url);
	printf("Installing Xenhost %s (%s, %s) on %s; the log is %s\n", XENHOST_VERSION, mode_name(pp.plan->mode),
	       pp.plan->firmware == FW_UEFI ? "UEFI" : "BIOS", pp.plan->disks[0].disk.devnode, log_path);
	struct install_opts io = { .target = o->target_root ? o->target_root : INSTALL_DEFAULT_TARGET,
				   .image = o->image, .answerfile = pp.path, .log_path = log_path,
				   .sysfs = o->root.sysfs };
	double t0 = xlog_now();
	enum install_result res = install_run(pp.plan, &io, &log);
	switch (res) {
	case INSTALL_OK:
		printf("\nXenhost %s is installed on %s in %.0f s (%s boot, dom0 %" PRIu64 " MiB, %u vCPUs, %s local "
		       "storage). Log: %s (and /var/log/installer/ on the host).\n", XENHOST_VERSION,
		       pp.plan->disks[0].disk.devnode, xlog_now() - t0, pp.plan->firmware == FW_UEFI ? "UEFI" : "BIOS",
		       pp.plan->dom0_memory / MiB, pp.plan->dom0_vcpus, sr_type_name(pp.plan->sr_type), log_path);
		code = EXIT_OK;
		break;
	case INSTALL_REFUSED_BUSY:
		code = EXIT_PLAN;
		break;
	case INSTALL_REFUSED_IMAGE:
		code = EXIT_IMAGE;
		break;
	case INSTALL_FAILED:
		fprintf(stderr, "xenhost-installer: the installation FAILED; the disks hold an incomplete "
			"installation. See the log %s; fix the cause and run the installer again\n", log_path);
		code = EXIT_INSTALL;
		break;
	}
	xlog_msg(&log, "exit %d", code);
	enum post_action a = pp.cfg->post_action;
	prepared_free(&pp);
	if (code == EXIT_OK)
		post_action(o, a, &log);
	xlog_close(&log);
	return code;
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
