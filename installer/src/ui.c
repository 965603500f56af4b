/* ui.c: the screens of the interactive installer (newt). See ui.h.
 *
 * One function per screen. A screen builds its window, runs its form until the
 * operator goes on (Next, F12, Enter on a list) or back (Back), checks what was typed
 * (the checks are in uimodel.c) and stores it in the config. ui_run() walks the screens
 * of the chosen action forwards and backwards. */
#include "ui.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <newt.h>
#include <slang.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "diag.h"
#include "probe.h"
#include "uimodel.h"
#include "validate.h"

extern char **environ;

#define W 74          /* window width: fits 80 columns with the border and shadow */
#define KEY_CTRL_C 3
#define KEY_BACK NEWT_KEY_F11
/* single-byte keys for serial terminals whose function keys arrive late or not at all
 * (an escape sequence split by a slow line reads as Escape); newt's lists, text boxes
 * and entries keep Ctrl-N, Ctrl-P and Ctrl-B for themselves, not Ctrl-X and Ctrl-R */
#define KEY_NEXT2 24   /* Ctrl-X */
#define KEY_BACK2 18   /* Ctrl-R */
#define HELP_LINE " <Tab> field | <Space> mark | <F1> help | <F11>/^R back | <F12>/^X next | ^C quit"

enum nav { NAV_NEXT, NAV_BACK, NAV_CANCEL, NAV_SKIP /* nothing to ask: on in the same direction */ };

struct uistate {
	enum ui_action act;
	int found;                    /* index in env->found for upgrade and restore */
	struct install_plan *plan;
	int disk;                     /* index of the primary disk in env->disks, or -1 */
};

struct win {
	newtComponent form, next, back;
	bool buttons_added;
};

/* --- the frame every screen uses */

static void win_open(struct win *w, const char *title, int h, bool back, const char *next_text)
{
	newtCenteredWindow(W, h, title);
	w->form = newtForm(NULL, NULL, 0);
	w->next = newtCompactButton(W - 2 - (int)strlen(next_text) - 4, h - 1, next_text);
	w->back = back ? newtCompactButton(1, h - 1, "Back") : NULL;
	w->buttons_added = false;
	newtFormAddHotKey(w->form, NEWT_KEY_F1);
	newtFormAddHotKey(w->form, KEY_CTRL_C);
	newtFormAddHotKey(w->form, KEY_NEXT2);
	if (back) {
		newtFormAddHotKey(w->form, KEY_BACK);
		newtFormAddHotKey(w->form, KEY_BACK2);
	}
}

static void win_close(struct win *w)
{
	newtFormDestroy(w->form);
	newtPopWindow();
}

static bool confirm_cancel(void)
{
	return newtWinChoice("Quit the installer?", "Keep going", "Quit",
			     "Quit without installing? Nothing has been written to any disk.") == 2;
}

/* Run the form: NAV_NEXT with *hit the component that ended it (NULL for F12). */
static enum nav win_run(struct win *w, const char *help, newtComponent *hit)
{
	struct newtExitStruct es;
	if (!w->buttons_added) {
		newtFormAddComponent(w->form, w->next);
		if (w->back)
			newtFormAddComponent(w->form, w->back);
		w->buttons_added = true;
	}
	for (;;) {
		newtFormRun(w->form, &es);
		if (es.reason == NEWT_EXIT_HOTKEY) {
			if (es.u.key == NEWT_KEY_F1) {
				newtWinMessage("Help", "OK", "%s", help);
				continue;
			}
			if ((es.u.key == KEY_BACK || es.u.key == KEY_BACK2) && w->back)
				return NAV_BACK;
			if (es.u.key == KEY_CTRL_C) {
				if (confirm_cancel())
					return NAV_CANCEL;
				continue;
			}
			if (es.u.key == NEWT_KEY_F12 || es.u.key == KEY_NEXT2) {
				if (hit)
					*hit = NULL;
				return NAV_NEXT;
			}
			continue;
		}
		if (es.reason == NEWT_EXIT_COMPONENT) {
			if (w->back && es.u.co == w->back)
				return NAV_BACK;
			if (hit)
				*hit = es.u.co;
			return NAV_NEXT;
		}
		if (es.reason == NEWT_EXIT_ERROR)
			return NAV_CANCEL;
	}
}

/* A question with two buttons, the safe one (b1) focused first: 1 or 2, 0 for Ctrl-C.
 * (newtWinChoice makes its text a scrolling, focusable box when it wraps to several
 * lines: Tab then went to the first button instead of the second) */
static int choose(const char *title, const char *b1, const char *b2, const char *text)
{
	int lines = 1, h;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	if (lines > 14)
		lines = 14;
	h = lines + 3;
	newtCenteredWindow(W - 6, h, title);
	newtComponent f = newtForm(NULL, NULL, 0);
	newtComponent t = newtTextbox(1, 0, W - 8, lines, NEWT_FLAG_WRAP);
	newtTextboxSetText(t, text);
	newtComponent c1 = newtCompactButton(2, h - 1, b1);
	newtComponent c2 = newtCompactButton(W - 6 - (int)strlen(b2) - 8, h - 1, b2);
	newtFormAddComponents(f, t, c1, c2, NULL);
	newtFormAddHotKey(f, KEY_CTRL_C);
	struct newtExitStruct es;
	newtFormRun(f, &es);
	int r = es.reason == NEWT_EXIT_COMPONENT ? (es.u.co == c1 ? 1 : es.u.co == c2 ? 2 : 0) : 0;
	newtFormDestroy(f);
	newtPopWindow();
	return r;
}

static void oops(const char *title, const char *msg)
{
	newtWinMessage((char *)title, "OK", "%s", msg);
}

/* A child's exit status, its output discarded (loadkeys). */
static int spawn_quiet(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -ENOMEM;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

/* --- the screens */

static const char *const keymaps[] = { "us", "uk", "de", "de-latin1-nodeadkeys", "fr", "fr-latin9", "es", "it",
				       "pt-latin1", "br-abnt2", "be-latin1", "fr_CH", "de_CH-latin1", "dk", "no",
				       "se-lat6", "fi", "nl", "pl", "cz-qwertz", "hu", "ru", "jp106", "la-latin1", NULL };

static enum nav scr_keymap(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	(void)s;
	win_open(&w, "Keyboard", 16, false, "Next");
	newtComponent t = newtTextboxReflowed(1, 1, "The keyboard layout of this console and of the installed host:",
					      W - 2, 0, 0, 0);
	newtComponent lb = newtListbox(1, 3, 10, NEWT_FLAG_SCROLL | NEWT_FLAG_RETURNEXIT | NEWT_FLAG_BORDER);
	newtListboxSetWidth(lb, 30);
	for (size_t i = 0; keymaps[i]; i++) {
		newtListboxAppendEntry(lb, keymaps[i], (void *)keymaps[i]);
		if (!strcmp(keymaps[i], c->keymap))
			newtListboxSetCurrent(lb, (int)i);
	}
	newtFormAddComponents(w.form, t, lb, NULL);
	enum nav n = win_run(&w, "Choose the layout of your keyboard. It applies to the VGA console now and to the "
				 "installed host. On a serial console the terminal's own layout counts.", NULL);
	if (n == NAV_NEXT) {
		const char *k = newtListboxGetCurrent(lb);
		snprintf(c->keymap, sizeof(c->keymap), "%s", k ? k : "us");
		if (e->keymaps) {
			const char *argv[] = { "loadkeys", c->keymap, NULL };
			spawn_quiet(argv);   /* best effort: a serial console has no keymap */
		}
	}
	win_close(&w);
	return n;
}

static enum nav scr_welcome(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	char text[2048], ram[32];
	size_t o = 0;
	struct win w;
	(void)c;
	(void)s;
	o += (size_t)snprintf(text + o, sizeof(text) - o,
			      "Xenhost %s installs a Xen virtualization host on this machine.\n\n"
			      "This machine: %s firmware, %s of memory, %u CPUs, %zu disk(s), %zu network interface(s).\n",
			      e->version, e->uefi ? "UEFI" : "BIOS", e->ram ? fmt_size(e->ram, ram, sizeof(ram)) : "unknown",
			      e->cpus, e->n_disks, e->n_nics);
	if (!e->hvm)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "\nWARNING: Xen reports no hardware virtualization (Intel VT-x or AMD-V): only "
				      "paravirtualized guests will run. Check that it is enabled in the firmware setup.\n");
	if (e->ram && e->ram < 4ULL << 30)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "\nWARNING: less than 4 GiB of memory: dom0 takes 1 GiB or more, little is left for "
				      "guests.\n");
	if (!e->n_disks)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "\nWARNING: no disk to install on was found.\n");
	if (!e->n_nics)
		snprintf(text + o, sizeof(text) - o, "\nWARNING: no Ethernet interface was found.\n");
	win_open(&w, "Welcome", 16, true, "Next");
	newtComponent t = newtTextbox(1, 1, W - 4, 12, NEWT_FLAG_WRAP | NEWT_FLAG_SCROLL);
	newtTextboxSetText(t, text);
	newtFormAddComponent(w.form, t);
	enum nav n = win_run(&w, "The installer asks a few questions, shows what it will do, and writes nothing "
				 "until you confirm. A shell is on tty2 (Alt-F2) and the log on tty3 (Alt-F3).", NULL);
	win_close(&w);
	return n;
}

static enum nav scr_action(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char lines[20][160];
	int kind[20], which[20], k = 0;
	snprintf(lines[k], sizeof(lines[k]), "Install Xenhost %s (erases the disk you choose)", e->version);
	kind[k] = UI_INSTALL, which[k++] = -1;
	for (size_t i = 0; i < e->n_found && k < 17; i++) {
		const struct ui_found *f = &e->found[i];
		if (f->why_not[0])
			snprintf(lines[k], sizeof(lines[k]), "Upgrade %s on %s: not possible (F1 says why)", f->version,
				 f->disk->name);
		else
			snprintf(lines[k], sizeof(lines[k]), "Upgrade Xenhost %s on %s to %s (keeps its settings)", f->version,
				 f->disk->name, e->version);
		kind[k] = UI_UPGRADE, which[k++] = (int)i;
		if (f->backup_version[0]) {
			snprintf(lines[k], sizeof(lines[k]), "Restore Xenhost %s from the backup on %s", f->backup_version,
				 f->disk->name);
			kind[k] = UI_RESTORE, which[k++] = (int)i;
		}
	}
	snprintf(lines[k], sizeof(lines[k]), "Shell (leave the installer)");
	kind[k] = UI_SHELL, which[k++] = -1;

	win_open(&w, "What to do", 16, true, "Next");
	newtComponent t = newtTextboxReflowed(1, 1, e->n_found ? "Xenhost installations were found on this machine." :
								 "No Xenhost installation was found on this machine.",
					      W - 2, 0, 0, 0);
	newtComponent lb = newtListbox(1, 3, 10, NEWT_FLAG_SCROLL | NEWT_FLAG_RETURNEXIT | NEWT_FLAG_BORDER);
	newtListboxSetWidth(lb, W - 2);
	for (int i = 0; i < k; i++)
		newtListboxAppendEntry(lb, lines[i], (void *)(intptr_t)i);
	newtFormAddComponents(w.form, t, lb, NULL);
	enum nav n;
	char help[1024];
	size_t o = (size_t)snprintf(help, sizeof(help), "Install: a new host on an empty or erased disk. Upgrade: the "
				    "new version on an installed host; its configuration is kept and the old root stays on "
				    "its backup partition. Restore: the backup becomes the root again.");
	for (size_t i = 0; i < e->n_found && o < sizeof(help); i++)
		if (e->found[i].why_not[0])
			o += (size_t)snprintf(help + o, sizeof(help) - o, "\n\n%s: %s", e->found[i].disk->name,
					      e->found[i].why_not);
	for (;;) {
		n = win_run(&w, help, NULL);
		if (n != NAV_NEXT)
			break;
		int i = (int)(intptr_t)newtListboxGetCurrent(lb);
		if (kind[i] == UI_UPGRADE && e->found[which[i]].why_not[0]) {
			oops("Cannot upgrade", e->found[which[i]].why_not);
			continue;
		}
		s->act = (enum ui_action)kind[i];
		s->found = which[i];
		c->mode = s->act == UI_UPGRADE ? MODE_UPGRADE : s->act == UI_RESTORE ? MODE_RESTORE : MODE_FRESH;
		if (s->found >= 0) {
			struct disk_selector *sel = s->act == UI_UPGRADE ? &c->existing_installation : &c->backup_disk;
			sel->kind = DISK_SEL_PATH;
			snprintf(sel->path, sizeof(sel->path), "%s", e->found[s->found].disk->devnode);
		}
		break;
	}
	win_close(&w);
	return n;
}

struct disk_cb {
	struct ui_env *e;
	newtComponent details;
};

static void disk_changed(newtComponent lb, void *data)
{
	struct disk_cb *cb = data;
	char buf[1024];
	intptr_t i = (intptr_t)newtListboxGetCurrent(lb);
	newtTextboxSetText(cb->details, ui_disk_details(&cb->e->disks[i], buf, sizeof(buf)));
	newtRefresh();
}

static enum nav scr_disk(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char line[160], buf[1024];
	size_t n_ok = 0;
	win_open(&w, "System disk", 17, true, "Next");
	newtComponent t = newtTextboxReflowed(1, 1, "The disk for Xenhost (system, boot loader and, unless you say "
						 "otherwise, local storage for guests). It is ERASED.",
					      W - 2, 0, 0, 0);
	char head[128];
	snprintf(head, sizeof(head), "%-8s %9s  %-22s %-14s %s", "disk", "size", "model", "serial", "bus");
	newtComponent hdr = newtLabel(3, 4, head);
	newtComponent lb = newtListbox(1, 5, 7, NEWT_FLAG_SCROLL | NEWT_FLAG_RETURNEXIT | NEWT_FLAG_BORDER);
	newtListboxSetWidth(lb, W - 2);
	newtComponent details = newtTextbox(1, 13, W - 2, 3, NEWT_FLAG_WRAP);
	for (size_t i = 0; i < e->n_disks; i++) {
		if (e->disks[i].excluded)
			continue;
		newtListboxAppendEntry(lb, ui_disk_line(&e->disks[i], line, sizeof(line), W - 4), (void *)(intptr_t)i);
		if ((int)i == s->disk)
			newtListboxSetCurrentByKey(lb, (void *)(intptr_t)i);
		n_ok++;
	}
	if (!n_ok) {
		win_close(&w);
		oops("No disk", "There is no disk to install on (the boot medium and the answer-file volume are never "
				"targets). Attach a disk and start the installer again.");
		return NAV_BACK;
	}
	struct disk_cb cb = { e, details };
	newtComponentAddCallback(lb, disk_changed, &cb);
	disk_changed(lb, &cb);
	newtFormAddComponents(w.form, t, hdr, lb, details, NULL);
	enum nav n;
	for (;;) {
		n = win_run(&w, "Every disk is listed, even when there is only one. Its by-id name (below the list) is "
				"what an answer file can use to name the same disk. A disk that holds partitions or data "
				"is marked: it is erased when you confirm the summary.", NULL);
		if (n != NAV_NEXT)
			break;
		intptr_t i = (intptr_t)newtListboxGetCurrent(lb);
		const struct disk_info *d = &e->disks[i];
		if (ui_disk_in_use(d) && newtWinChoice("This disk holds data", "Use it", "Choose another", "%s",
						       ui_disk_details(d, buf, sizeof(buf))) != 1)
			continue;
		s->disk = (int)i;
		c->primary_disk.kind = DISK_SEL_PATH;
		snprintf(c->primary_disk.path, sizeof(c->primary_disk.path), "%s", d->devnode);
		/* a guest disk cannot be the primary one */
		for (size_t g = 0; g < c->n_guest_disks; g++)
			if (!strcmp(c->guest_disks[g].path, d->devnode)) {
				memmove(&c->guest_disks[g], &c->guest_disks[g + 1],
					(c->n_guest_disks - g - 1) * sizeof(c->guest_disks[0]));
				c->n_guest_disks--;
				break;
			}
		break;
	}
	win_close(&w);
	return n;
}

static enum nav scr_storage(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char line[160];
	win_open(&w, "Local storage for guests", 17, true, "Next");
	newtComponent t = newtTextboxReflowed(1, 1, "Where guest disk images are kept. The other disks you mark are "
						 "ERASED and used whole.",
					      W - 2, 0, 0, 0);
	newtComponent tree = newtCheckboxTreeMulti(1, 4, 7, " *", NEWT_FLAG_SCROLL);
	newtCheckboxTreeAddItem(tree, "the rest of the system disk", (void *)(intptr_t)-1, 0, NEWT_ARG_APPEND, NEWT_ARG_LAST);
	newtCheckboxTreeSetEntryValue(tree, (void *)(intptr_t)-1, c->guest_storage ? '*' : ' ');
	for (size_t i = 0; i < e->n_disks; i++) {
		if (e->disks[i].excluded || (int)i == s->disk)
			continue;
		newtCheckboxTreeAddItem(tree, ui_disk_line(&e->disks[i], line, sizeof(line), W - 10), (void *)(intptr_t)i, 0,
					NEWT_ARG_APPEND, NEWT_ARG_LAST);
		for (size_t g = 0; g < c->n_guest_disks; g++)
			if (!strcmp(c->guest_disks[g].path, e->disks[i].devnode))
				newtCheckboxTreeSetEntryValue(tree, (void *)(intptr_t)i, '*');
	}
	newtComponent l = newtLabel(1, 12, "Filesystem:");
	newtComponent r1 = newtRadiobutton(14, 12, "ext4: the default; quick to check, grows online", c->sr_type == SR_EXT4,
					   NULL);
	newtComponent r2 = newtRadiobutton(14, 13, "XFS: for large disks and files; grows online, never shrinks",
					   c->sr_type == SR_XFS, r1);
	newtFormAddComponents(w.form, t, tree, l, r1, r2, NULL);
	enum nav n = win_run(&w, "Space marks or unmarks an entry. Without any, the host has no local storage and "
				 "guests use network storage. ext4 and XFS both hold guest disk images as files.", NULL);
	if (n == NAV_NEXT) {
		int num = 0;
		const void **sel = newtCheckboxTreeGetSelection(tree, &num);
		c->guest_storage = false;
		c->n_guest_disks = 0;
		for (int i = 0; i < num; i++) {
			intptr_t d = (intptr_t)sel[i];
			if (d < 0) {
				c->guest_storage = true;
			} else if (c->n_guest_disks < CFG_MAX_GUEST_DISKS) {
				struct disk_selector *g = &c->guest_disks[c->n_guest_disks++];
				memset(g, 0, sizeof(*g));
				g->kind = DISK_SEL_PATH;
				snprintf(g->path, sizeof(g->path), "%s", e->disks[d].devnode);
			}
		}
		free((void *)sel);
		c->sr_type = newtRadioGetCurrent(r1) == r2 ? SR_XFS : SR_EXT4;
	}
	win_close(&w);
	return n;
}

static enum nav scr_nic(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char line[160];
	(void)s;
	if (!e->n_nics) {
		static bool told;
		if (!told)
			oops("No network interface", "No Ethernet interface was found: the host is installed without a "
						     "management network; configure one later in /etc/systemd/network/.");
		told = true;
		return NAV_SKIP;
	}
	win_open(&w, "Management network interface", 15, true, "Next");
	newtComponent t = newtTextboxReflowed(1, 1, "The interface of the management network (the bridge xenbr0 "
						 "carries it):",
					      W - 2, 0, 0, 0);
	newtComponent lb = newtListbox(1, 3, 8, NEWT_FLAG_SCROLL | NEWT_FLAG_RETURNEXIT | NEWT_FLAG_BORDER);
	newtListboxSetWidth(lb, W - 2);
	for (size_t i = 0; i < e->n_nics; i++) {
		snprintf(line, sizeof(line), "%-6s %-17s  %-12.12s  %s  (now %s)", e->nics[i].name, e->nics[i].mac,
			 e->nics[i].driver, e->link[i] ? "link up  " : "no link  ", e->nics[i].kname);
		newtListboxAppendEntry(lb, line, (void *)(intptr_t)i);
		if (!strcmp(c->admin.hwaddr, e->nics[i].mac) || (!c->admin.hwaddr[0] && !strcmp(c->admin.name, e->nics[i].name)))
			newtListboxSetCurrent(lb, (int)i);
	}
	newtFormAddComponent(w.form, t);
	newtFormAddComponent(w.form, lb);
	enum nav n = win_run(&w, "The names are the ones the installed host gives its interfaces (eth0, eth1... in "
				 "PCI order). Choose one with a link (cable plugged in).", NULL);
	if (n == NAV_NEXT) {
		intptr_t i = (intptr_t)newtListboxGetCurrent(lb);
		snprintf(c->admin.hwaddr, sizeof(c->admin.hwaddr), "%s", e->nics[i].mac);
		c->admin.name[0] = '\0';
	}
	win_close(&w);
	return n;
}

static enum nav scr_network(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char addr[64] = "", vlan[8] = "", dns[512] = "";
	const char *v_addr, *v_mask, *v_gw, *v_dns, *v_vlan;
	(void)s;
	if (!e->n_nics)
		return NAV_SKIP;
	if (c->admin.proto == PROTO4_STATIC)
		snprintf(addr, sizeof(addr), "%s/%u", c->admin.ipv4, c->admin.prefix4);
	if (c->admin.vlan)
		snprintf(vlan, sizeof(vlan), "%u", c->admin.vlan % 10000);
	for (size_t i = 0, o = 0; i < c->n_nameservers && o < sizeof(dns); i++)
		o += (size_t)snprintf(dns + o, sizeof(dns) - o, "%s%s", i ? " " : "", c->nameservers[i]);
	win_open(&w, "Management network", 16, true, "Next");
	newtComponent r1 = newtRadiobutton(1, 1, "DHCP", c->admin.proto != PROTO4_STATIC, NULL);
	newtComponent r2 = newtRadiobutton(1, 2, "Static:", c->admin.proto == PROTO4_STATIC, r1);
	newtComponent l1 = newtLabel(5, 3, "IP address/prefix");
	newtComponent e1 = newtEntry(26, 3, addr, 24, &v_addr, NEWT_FLAG_SCROLL);
	newtComponent l2 = newtLabel(5, 4, "netmask (no prefix)");
	newtComponent e2 = newtEntry(26, 4, "", 24, &v_mask, NEWT_FLAG_SCROLL);
	newtComponent l3 = newtLabel(5, 5, "gateway");
	newtComponent e3 = newtEntry(26, 5, c->admin.gateway4, 24, &v_gw, NEWT_FLAG_SCROLL);
	newtComponent l4 = newtLabel(5, 6, "DNS servers");
	newtComponent e4 = newtEntry(26, 6, dns, 40, &v_dns, NEWT_FLAG_SCROLL);
	newtComponent l5 = newtLabel(1, 8, "VLAN tag (empty: none)");
	newtComponent e5 = newtEntry(26, 8, vlan, 6, &v_vlan, 0);
	newtComponent l6 = newtLabel(1, 10, "IPv6:");
	newtComponent s1 = newtRadiobutton(8, 10, "off", c->admin.protov6 == PROTO6_NONE, NULL);
	newtComponent s2 = newtRadiobutton(18, 10, "autoconf", c->admin.protov6 == PROTO6_AUTOCONF, s1);
	newtComponent s3 = newtRadiobutton(33, 10, "DHCPv6", c->admin.protov6 == PROTO6_DHCP, s2);
	newtFormAddComponents(w.form, r1, r2, l1, e1, l2, e2, l3, e3, l4, e4, l5, e5, l6, s1, s2, s3, NULL);
	enum nav n;
	for (;;) {
		n = win_run(&w, "DHCP: the address, gateway and DNS come from your DHCP server. Static: type the "
				"address as 192.168.1.10/24 (or the address and a netmask), the gateway, and DNS servers "
				"separated by spaces. A VLAN tag makes the management network a tagged VLAN on the "
				"interface.", NULL);
		if (n != NAV_NEXT)
			break;
		unsigned long long vl = 0;
		if (v_vlan[0] && parse_uint(v_vlan, 1, 4094, &vl) < 0) {
			oops("VLAN", "The VLAN tag must be a number from 1 to 4094, or empty for none.");
			continue;
		}
		if (newtRadioGetCurrent(r1) == r2) {
			const char *why = ui_static_ipv4(c, v_addr, v_mask, v_gw, v_dns);
			if (why) {
				oops("Static address", why);
				continue;
			}
		} else {
			c->admin.proto = PROTO4_DHCP;
			c->admin.ipv4[0] = c->admin.gateway4[0] = '\0';
			c->n_nameservers = 0;
		}
		c->admin.vlan = (unsigned)vl;
		newtComponent v6 = newtRadioGetCurrent(s1);
		c->admin.protov6 = v6 == s2 ? PROTO6_AUTOCONF : v6 == s3 ? PROTO6_DHCP : PROTO6_NONE;
		break;
	}
	win_close(&w);
	return n;
}

static enum nav scr_hostname(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	const char *v;
	(void)e;
	(void)s;
	win_open(&w, "Host name", 8, true, "Next");
	newtComponent l = newtLabel(1, 1, "Host name (empty: from DHCP)");
	newtComponent en = newtEntry(31, 1, c->hostname, 36, &v, NEWT_FLAG_SCROLL);
	newtFormAddComponents(w.form, l, en, NULL);
	enum nav n;
	for (;;) {
		n = win_run(&w, "A name like xh-rack1-03, or a fully qualified name like xh03.example.com: letters, "
				"digits and hyphens, dot-separated labels of at most 63 characters.", NULL);
		if (n != NAV_NEXT)
			break;
		const char *why = v[0] ? check_hostname(v) : NULL;
		if (why) {
			char msg[300];
			snprintf(msg, sizeof(msg), "The host name is not valid: %s.", why);
			oops("Host name", msg);
			continue;
		}
		snprintf(c->hostname, sizeof(c->hostname), "%s", v);
		break;
	}
	win_close(&w);
	return n;
}

static enum nav pick_list(const char *title, const char *intro, char **items, size_t n_items, const char *cur,
			  const char *help, char *out, size_t n)
{
	struct win w;
	win_open(&w, title, 17, true, "Next");
	newtComponent t = newtTextboxReflowed(1, 1, (char *)intro, W - 2, 0, 0, 0);
	newtComponent lb = newtListbox(1, 3, 12, NEWT_FLAG_SCROLL | NEWT_FLAG_RETURNEXIT | NEWT_FLAG_BORDER);
	newtListboxSetWidth(lb, 40);
	for (size_t i = 0; i < n_items; i++) {
		newtListboxAppendEntry(lb, items[i], items[i]);
		if (cur && !strcmp(cur, items[i]))
			newtListboxSetCurrent(lb, (int)i);
	}
	newtFormAddComponents(w.form, t, lb, NULL);
	enum nav r = win_run(&w, help, NULL);
	if (r == NAV_NEXT) {
		const char *v = newtListboxGetCurrent(lb);
		snprintf(out, n, "%s", v ? v : "");
	}
	win_close(&w);
	return r;
}

static enum nav scr_timezone(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	char **regions = NULL, **cities = NULL, region[48], city[48], cur_region[48] = "";
	size_t nr = 0, nc = 0;
	(void)s;
	const char *slash = strchr(c->timezone, '/');
	if (slash)
		snprintf(cur_region, sizeof(cur_region), "%.*s", (int)(slash - c->timezone), c->timezone);
	if (ui_tz_regions(e->zoneinfo, &regions, &nr) < 0 || !nr) {
		oops("Time zone", "The time zone database is missing in this environment: the host uses UTC.");
		snprintf(c->timezone, sizeof(c->timezone), "Etc/UTC");
		ui_list_free(regions, nr);
		return NAV_SKIP;
	}
	/* UTC first, then the regions */
	char **v = calloc(nr + 1, sizeof(*v));
	if (!v || !(v[0] = strdup("UTC"))) {
		free(v);
		ui_list_free(regions, nr);
		return NAV_CANCEL;
	}
	memcpy(v + 1, regions, nr * sizeof(*v));
	free(regions);
	regions = v;
	nr++;
	enum nav n;
	for (;;) {
		n = pick_list("Time zone", "The region of the host's time zone (UTC keeps the clock on UTC):", regions, nr,
			      !strcmp(c->timezone, "Etc/UTC") ? "UTC" : cur_region,
			      "The host keeps its hardware clock in UTC; the time zone is for what people read.", region,
			      sizeof(region));
		if (n != NAV_NEXT)
			break;
		if (!strcmp(region, "UTC")) {
			snprintf(c->timezone, sizeof(c->timezone), "Etc/UTC");
			break;
		}
		ui_list_free(cities, nc);
		cities = NULL;
		nc = 0;
		if (ui_tz_cities(e->zoneinfo, region, &cities, &nc) < 0 || !nc)
			continue;
		n = pick_list("Time zone", "The city (or zone) in that region:", cities, nc, slash ? slash + 1 : NULL,
			      "Choose the city whose time the host shows.", city, sizeof(city));
		if (n == NAV_BACK)
			continue;
		if (n == NAV_NEXT)
			snprintf(c->timezone, sizeof(c->timezone), "%s/%s", region, city);
		break;
	}
	ui_list_free(regions, nr);
	ui_list_free(cities, nc);
	return n;
}

static enum nav scr_ntp(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char servers[600] = "";
	const char *v;
	(void)e;
	(void)s;
	for (size_t i = 0, o = 0; i < c->n_ntp_servers && o < sizeof(servers); i++)
		o += (size_t)snprintf(servers + o, sizeof(servers) - o, "%s%s", i ? " " : "", c->ntp_servers[i]);
	win_open(&w, "Time synchronisation (NTP)", 11, true, "Next");
	newtComponent r1 = newtRadiobutton(1, 1, "servers from DHCP (else the default ones)", c->ntp == NTP_DHCP, NULL);
	newtComponent r2 = newtRadiobutton(1, 2, "the default servers (Debian's pool)", c->ntp == NTP_DEFAULT, r1);
	newtComponent r3 = newtRadiobutton(1, 3, "these servers:", c->ntp == NTP_MANUAL, r2);
	newtComponent en = newtEntry(20, 3, servers, 48, &v, NEWT_FLAG_SCROLL);
	newtComponent r4 = newtRadiobutton(1, 5, "none (not recommended: guests follow the host's clock)", c->ntp == NTP_NONE,
					   r3);
	newtFormAddComponents(w.form, r1, r2, r3, en, r4, NULL);
	enum nav n;
	for (;;) {
		n = win_run(&w, "Xen hosts need a correct clock (TLS, logs, live migration). Give servers as names "
				"or addresses, separated by spaces.", NULL);
		if (n != NAV_NEXT)
			break;
		newtComponent r = newtRadioGetCurrent(r1);
		if (r == r3) {
			char list[600];
			size_t k = 0;
			const char *bad = NULL;
			snprintf(list, sizeof(list), "%s", v);
			for (char *sv = NULL, *t = strtok_r(list, " ,", &sv); t && !bad; t = strtok_r(NULL, " ,", &sv)) {
				if (k >= CFG_MAX_NTP_SERVERS || (check_hostname(t) && check_ip_any(t)))
					bad = t;
				else
					snprintf(c->ntp_servers[k++], sizeof(c->ntp_servers[0]), "%s", t);
			}
			if (bad || !k) {
				oops("NTP servers", k ? "An NTP server is not a host name or an IP address (at most 8 servers)." :
							"Type at least one NTP server, or choose another option.");
				continue;
			}
			c->n_ntp_servers = k;
			c->ntp = NTP_MANUAL;
		} else {
			c->ntp = r == r1 ? NTP_DHCP : r == r2 ? NTP_DEFAULT : NTP_NONE;
			c->n_ntp_servers = 0;
		}
		break;
	}
	win_close(&w);
	return n;
}

static enum nav scr_password(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	const char *a, *b;
	(void)e;
	(void)s;
	win_open(&w, "Root password", 11, true, "Next");
	newtComponent l1 = newtLabel(1, 1, "Password");
	newtComponent e1 = newtEntry(20, 1, "", 40, &a, NEWT_FLAG_PASSWORD | NEWT_FLAG_SCROLL);
	newtComponent l2 = newtLabel(1, 2, "Again");
	newtComponent e2 = newtEntry(20, 2, "", 40, &b, NEWT_FLAG_PASSWORD | NEWT_FLAG_SCROLL);
	newtComponent hint = newtLabel(1, 4, "At least 8 characters; long ones with digits and symbols are better.");
	newtComponent ssh = newtCheckbox(1, 6, "Allow root to log in over SSH with this password", c->ssh_root_password ? '*' : ' ',
					 " *", NULL);
	newtFormAddComponents(w.form, l1, e1, l2, e2, hint, ssh, NULL);
	enum nav n;
	for (;;) {
		n = win_run(&w, "The password of root on the host's console. Over SSH root logs in with a key "
				"(/root/.ssh/authorized_keys) unless you allow the password here. The password is stored "
				"as a SHA-512 hash; it never appears in the logs.", NULL);
		if (n != NAV_NEXT)
			break;
		const char *why = ui_password_check(a, b);
		if (why) {
			oops("Root password", why);
			newtEntrySet(e1, "", 0);
			newtEntrySet(e2, "", 0);
			newtFormSetCurrent(w.form, e1);
			continue;
		}
		if (!strcmp(ui_password_strength(a), "weak") &&
		    newtWinChoice("Weak password", "Use it", "Choose another",
				  "This password is weak (short, or few kinds of characters). Use it anyway?") != 1) {
			newtEntrySet(e1, "", 0);
			newtEntrySet(e2, "", 0);
			newtFormSetCurrent(w.form, e1);
			continue;
		}
		snprintf(c->root_password, sizeof(c->root_password), "%s", a);
		c->root_password_type = PW_PLAINTEXT;
		c->ssh_root_password = newtCheckboxGetValue(ssh) == '*';
		break;
	}
	newtEntrySet(e1, "", 0);
	newtEntrySet(e2, "", 0);
	win_close(&w);
	return n;
}

static enum nav scr_summary(struct ui_env *e, struct install_config *c, struct uistate *s)
{
	struct win w;
	char msg[2048], *text = NULL;
	const char *go = s->act == UI_UPGRADE ? "Upgrade" : s->act == UI_RESTORE ? "Restore" : "Install";
	if (s->act == UI_SHELL)
		return NAV_NEXT;
	memset(s->plan, 0, sizeof(*s->plan));
	if (e->plan(e->plan_ud, c, s->plan, msg, sizeof(msg)) < 0) {
		oops("This cannot be installed", msg);
		return NAV_BACK;
	}
	if (s->act == UI_INSTALL) {
		if (ui_summary(s->plan, c, &text) < 0)
			return NAV_CANCEL;
	} else {
		const struct ui_found *f = &e->found[s->found];
		if (s->act == UI_UPGRADE)
			snprintf(msg, sizeof(msg),
				 "Upgrade Xenhost %s on %s to %s.\n\nThe current root is copied to the backup partition "
				 "(it replaces the backup there), a new root is made from the new image, and the host's "
				 "configuration is carried over. The local storage and the logs are not touched. The new "
				 "version boots on trial: if it does not confirm a healthy boot within 3 boots, the host "
				 "goes back to %s by itself.",
				 f->version, f->disk->devnode, e->version, f->version);
		else
			snprintf(msg, sizeof(msg),
				 "Restore Xenhost %s from the backup partition on %s.\n\nThe root partition (now %s) is "
				 "replaced by the backup; the local storage and the logs are not touched.",
				 f->backup_version, f->disk->devnode, f->version);
		if (!(text = strdup(msg)))
			return NAV_CANCEL;
	}
	win_open(&w, "Summary: nothing has been written yet", 19, true, go);
	newtComponent t = newtTextbox(1, 1, W - 4, 16, NEWT_FLAG_WRAP | NEWT_FLAG_SCROLL);
	newtTextboxSetText(t, text);
	newtFormAddComponent(w.form, t);
	enum nav n;
	for (;;) {
		newtComponent hit = NULL;
		n = win_run(&w, "Read what will be done; scroll with the arrow keys. Back changes any answer; nothing "
				"is written until you confirm.", &hit);
		if (n != NAV_NEXT)
			break;
		if (hit != w.next)
			continue;   /* (Enter in the text, F12: only the button starts it) */
		if (s->act == UI_INSTALL) {
			size_t o = (size_t)snprintf(msg, sizeof(msg), "Everything on these disks will be lost:\n\n");
			for (size_t i = 0; i < s->plan->n_disks && o < sizeof(msg); i++) {
				char size[32];
				const struct disk_info *d = &s->plan->disks[i].disk;
				o += (size_t)snprintf(msg + o, sizeof(msg) - o, "  %s  %s  %s %s\n", d->devnode,
						      fmt_size(d->size, size, sizeof(size)), d->model, d->serial);
			}
			if (choose("Erase the disks?", "Back", "Erase and install", msg) != 2)
				continue;
		} else {
			snprintf(msg, sizeof(msg), "%s %s now?", go, s->act == UI_UPGRADE ? "the installation" : "the backup");
			if (choose(s->act == UI_UPGRADE ? "Upgrade?" : "Restore?", "Back", go, msg) != 2)
				continue;
		}
		break;
	}
	win_close(&w);
	free(text);
	return n;
}

/* --- the flow */

typedef enum nav (*screen_fn)(struct ui_env *, struct install_config *, struct uistate *);

static const struct {
	screen_fn fn;
	bool install_only;
	unsigned given;          /* a partial answer file that gave these skips the screen */
} flow[] = {
	{ scr_keymap, false, GIVEN_KEYMAP },     { scr_welcome, false, 0 },
	{ scr_action, false, GIVEN_MODE },       { scr_disk, true, GIVEN_PRIMARY_DISK },
	{ scr_storage, true, GIVEN_STORAGE },    { scr_nic, true, GIVEN_ADMIN },
	{ scr_network, true, GIVEN_ADMIN },      { scr_hostname, true, GIVEN_HOSTNAME },
	{ scr_timezone, true, GIVEN_TIMEZONE },  { scr_ntp, true, GIVEN_NTP },
	{ scr_password, true, GIVEN_PASSWORD },  { scr_summary, false, 0 },
};

/* interactive="partial": the answer file answered screen i, which is not shown. The action
 * is answered only by mode="fresh" or "reinstall" (an upgrade or restore still chooses
 * the installation); a skipped disk screen still tells the storage screen which disk is
 * the system's. */
static bool answered(struct ui_env *e, const struct install_config *c, struct uistate *s, size_t i)
{
	if (!c->interactive_partial || !flow[i].given || (c->given & flow[i].given) != flow[i].given)
		return false;
	if (flow[i].fn == scr_action) {
		if (c->mode != MODE_FRESH && c->mode != MODE_REINSTALL)
			return false;
		s->act = UI_INSTALL;
		s->found = -1;
	}
	if (flow[i].fn == scr_disk) {
		struct diag_list d;
		diag_init(&d, NULL);
		int k = disk_select(&c->primary_disk, e->disks, e->n_disks, "<primary-disk>", &d);
		diag_free(&d);
		if (k < 0)
			return false;   /* not on this machine: the screen asks */
		s->disk = k;
	}
	return true;
}

static bool ui_started;

int ui_run(struct ui_env *e, struct install_config *c, struct install_plan *p, enum ui_action *act)
{
	struct uistate s = { .act = UI_INSTALL, .found = -1, .plan = p, .disk = -1 };
	const size_t n = sizeof(flow) / sizeof(flow[0]);
	char title[128];
	if (!ui_started) {
		if (newtInit() != 0)
			return -EIO;
		ui_started = true;
	}
	newtCls();
	snprintf(title, sizeof(title), "Xenhost %s installer (%s)", e->version, e->uefi ? "UEFI" : "BIOS");
	newtDrawRootText(1, 0, title);
	newtPushHelpLine(HELP_LINE);
	size_t i = 0;
	bool forward = true;
	while (i < n) {
		bool skip = (flow[i].install_only && s.act != UI_INSTALL) || answered(e, c, &s, i);
		enum nav r = skip ? NAV_SKIP : flow[i].fn(e, c, &s);
		if (r == NAV_CANCEL)
			return -ECANCELED;
		if (r == NAV_SKIP)
			r = forward ? NAV_NEXT : NAV_BACK;
		if (r == NAV_BACK) {
			forward = i == 0;   /* nothing before the first screen: forward again */
			if (i > 0)
				i--;
			continue;
		}
		forward = true;
		if (flow[i].fn == scr_action && s.act == UI_SHELL)
			break;
		i++;
	}
	*act = s.act;
	return 0;
}

/* --- progress */

struct ui_progress {
	newtComponent form, title, scale, detail;
	unsigned i, n;
};

struct ui_progress *ui_progress_open(const char *title)
{
	struct ui_progress *pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	if (!ui_started) {
		if (newtInit() != 0) {
			free(pr);
			return NULL;
		}
		ui_started = true;
		newtCls();
	}
	newtCenteredWindow(W, 7, title);
	pr->form = newtForm(NULL, NULL, 0);
	pr->title = newtLabel(1, 1, "");
	newtLabelSetText(pr->title, "starting...");
	pr->scale = newtScale(1, 3, W - 2, 1000);
	pr->detail = newtLabel(1, 5, "");
	newtFormAddComponents(pr->form, pr->title, pr->scale, pr->detail, NULL);
	newtDrawForm(pr->form);
	newtRefresh();
	return pr;
}

void ui_progress_step(void *ud, unsigned i, unsigned n, const char *title)
{
	struct ui_progress *pr = ud;
	char line[W + 1];
	pr->i = i;
	pr->n = n ? n : 1;
	snprintf(line, sizeof(line), "[%2u/%u] %-*.*s", i, n, W - 12, W - 12, title);
	newtLabelSetText(pr->title, line);
	newtLabelSetText(pr->detail, "                    ");
	newtScaleSet(pr->scale, (unsigned long long)(i - 1) * 1000 / pr->n);
	newtRefresh();
}

void ui_progress_detail(void *ud, const char *what)
{
	struct ui_progress *pr = ud;
	char line[64];
	unsigned pct = 0;
	snprintf(line, sizeof(line), "%-20.20s", what);
	newtLabelSetText(pr->detail, line);
	if (sscanf(what, "%u%%", &pct) == 1 && pct <= 100 && pr->n)
		newtScaleSet(pr->scale, ((unsigned long long)(pr->i - 1) * 100 + pct) * 10 / pr->n);
	newtRefresh();
}

void ui_progress_step_end(void *ud, unsigned i, bool ok, double seconds)
{
	struct ui_progress *pr = ud;
	char line[64];
	snprintf(line, sizeof(line), "%-20s", ok ? "done" : "FAILED");
	(void)seconds;
	newtLabelSetText(pr->detail, line);
	if (pr->n)
		newtScaleSet(pr->scale, (unsigned long long)i * 1000 / pr->n);
	newtRefresh();
}

bool ui_progress_close(struct ui_progress *pr, bool ok, const char *message, const char *log_tail)
{
	char text[4096];
	if (pr) {
		newtFormDestroy(pr->form);
		newtPopWindow();
		free(pr);
	}
	snprintf(text, sizeof(text), "%s%s%s", message, log_tail && log_tail[0] ? "\n\nThe end of the log:\n" : "",
		 log_tail ? log_tail : "");
	return newtWinChoice(ok ? "Done" : "The installation FAILED", ok ? "Reboot" : "Shell", ok ? "Shell" : "Reboot",
			     "%s", text) == (ok ? 1 : 2);
}

void ui_output_fd(int fd)
{
	SLang_TT_Write_FD = fd;
}

void ui_finish(void)
{
	if (ui_started) {
		newtPopHelpLine();
		newtFinished();
		ui_started = false;
	}
}
