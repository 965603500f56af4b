/* test_answerfile.c: answer file parsing, every validation error (message, line and
 * column), the worked examples, the schema, and the safety limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answerfile.h"
#include "schema.h"
#include "xmldoc.h"

#define HASH "$6$xenhostsalt$S77ZY/KcU7Upy34xHoCDTJzGhoh9XR/d2cNh82xPrQAbE0iAEazgr.QGBXTX7Muuvysvg40WlAWfnvIJB037l/"

/* Lines 1-5 of most cases: a valid fresh install. The line under test is line 6. */
#define HEAD "<?xml version=\"1.0\"?>\n<installation>\n"
#define BODY "<primary-disk>sda</primary-disk>\n<root-password>secret</root-password>\n" \
	     "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n"
#define TAIL "</installation>\n"
#define AT6(x) HEAD BODY x "\n" TAIL
#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1Mqns4pSx8HJj1z7xTZHO admin@example"
#define RSA "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCzCbjr8eNa+tlCmiERt4HHYYiDgTI5iY+VQQGmHvSOrm57HrIfXV7AiqaUb4r/HMIw" \
	"AldKTIO756Mz8wElpFFyD+q6Zg6TErWFD/jtYud3ThlB6N01AUJw91OrPJE6yt3JCJRZncxjhYDWnoysRnrBz9B0XOWmA63gw09jDzUaIw== r@x"
/* An admin-interface on line 5 with the given attributes and children */
#define NET(attrs, kids) HEAD "<primary-disk>sda</primary-disk>\n<root-password>secret</root-password>\n" \
	"<admin-interface name=\"eth0\" " attrs ">" kids "</admin-interface>\n" TAIL

struct fixture {
	struct install_config *c;
	struct diag_list d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->c = calloc(1, sizeof(*f->c));
	config_init(f->c);
	diag_init(&f->d, "test.xml");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	diag_free(&f->d);
	free(f->c);
	free(f);
	return 0;
}

static int parse(struct fixture *f, const char *xml)
{
	return answerfile_parse_mem(xml, strlen(xml), f->c, &f->d);
}

static void dump(const struct diag_list *d)
{
	diag_print(d, stderr);
}

/* ---------- the error table: one cmocka test per row ---------- */

struct err_case {
	const char *name;
	const char *xml;
	unsigned line, col;   /* col 0: not checked */
	const char *msg;      /* a substring of the message */
};

static const struct err_case err_cases[] = {
	/* structure: unknown, duplicate, wrong place */
	{ "unknown element", AT6("<hostnme>h</hostnme>"), 6, 1, "unknown element <hostnme> in <installation>: did you mean <hostname>?" },
	{ "unknown element far from any name", AT6("<frobnicate/>"), 6, 1, "unknown element <frobnicate>" },
	{ "unknown attribute", AT6("<hostname colour=\"red\">h</hostname>"), 6, 11, "unknown attribute colour on <hostname>" },
	{ "unknown attribute on root", "<installation flavour=\"vanilla\">\n" BODY TAIL, 1, 15, "unknown attribute flavour on <installation>" },
	{ "duplicate singleton", HEAD BODY "<hostname>a</hostname>\n<hostname>b</hostname>\n" TAIL, 7, 1,
	  "<hostname> appears twice (first at line 6, column 1)" },
	{ "duplicate primary-disk", AT6("<primary-disk>sdb</primary-disk>"), 6, 1, "<primary-disk> appears twice (first at line 3" },
	{ "unsupported XCP-ng element", AT6("<driver-source type=\"url\">http://x/</driver-source>"), 6, 1, "driver disks are not supported" },
	{ "raid refused", AT6("<raid device=\"md127\"><disk>sda</disk></raid>"), 6, 1, "software RAID is not supported" },
	{ "text in installation", AT6("stray text"), 6, 1, "text directly inside <installation>" },
	{ "element inside a text element", AT6("<hostname><b>x</b></hostname>"), 6, 11, "<b> is not allowed inside <hostname>" },
	{ "namespaced element", AT6("<x:hostname xmlns:x=\"urn:x\">h</x:hostname>"), 6, 1, "XML namespace" },
	{ "old upgrade root", "<upgrade/>\n", 1, 1, "root element <upgrade>" },
	{ "wrong root", "<?xml version=\"1.0\"?>\n<html/>\n", 2, 1, "root element must be <installation> or <restore>, not <html>" },
	{ "guest-disk in an upgrade", "<installation mode=\"upgrade\">\n<existing-installation>sda</existing-installation>\n"
	  "<guest-disk>sdb</guest-disk>\n</installation>\n", 3, 1, "<guest-disk> is not used when the mode is \"upgrade\"" },
	{ "hostname in a restore", "<restore>\n<hostname>x</hostname>\n</restore>\n", 2, 1, "<hostname> is not used when the mode is \"restore\"" },
	{ "sr-type in an upgrade", "<installation mode=\"upgrade\" sr-type=\"xfs\">\n<existing-installation>sda</existing-installation>\n"
	  "</installation>\n", 1, 30, "sr-type= is not used for an upgrade" },
	/* mandatory elements */
	{ "fresh without primary-disk", HEAD "<root-password>x</root-password>\n<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL,
	  2, 1, "needs <primary-disk>" },
	{ "fresh without root-password", HEAD "<primary-disk>sda</primary-disk>\n<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL,
	  2, 1, "needs <root-password>" },
	{ "fresh without admin-interface", HEAD "<primary-disk>sda</primary-disk>\n<root-password>x</root-password>\n" TAIL,
	  2, 1, "needs <admin-interface>" },
	{ "upgrade without existing-installation", "<installation mode=\"upgrade\">\n<source type=\"local\"/>\n</installation>\n",
	  1, 1, "an upgrade needs <existing-installation>" },
	/* root attributes */
	{ "mode unknown", "<installation mode=\"install\">\n</installation>\n", 1, 15, "mode= on <installation> \"install\" is not valid: use one of \"fresh\", \"reinstall\", \"upgrade\"" },
	{ "mode restore", "<installation mode=\"restore\">\n</installation>\n", 1, 15, "a restore is written as the root element <restore>" },
	{ "sr-type lvm refused", "<installation sr-type=\"lvm\">\n" BODY TAIL, 1, 15, "\"lvm\" is not supported: Xenhost keeps local storage on a filesystem: use sr-type=\"ext4\"" },
	{ "srtype lvm refused", "<installation srtype=\"lvm\">\n" BODY TAIL, 1, 15, "srtype= on <installation> \"lvm\" is not supported" },
	{ "sr-type unknown", "<installation sr-type=\"zfs\">\n" BODY TAIL, 1, 15, "\"zfs\" is not valid: use one of \"ext4\", \"xfs\", \"ext\"" },
	{ "sr-type twice", "<installation sr-type=\"xfs\" srtype=\"ext\">\n" BODY TAIL, 1, 29, "has both sr-type= and srtype=" },
	{ "interactive=true", "<installation interactive=\"true\">\n" BODY TAIL, 1, 15,
	  "interactive=\"partial\" asks for what the file leaves out" },
	{ "root-password ssh= not a boolean", HEAD "<primary-disk>sda</primary-disk>\n<root-password ssh=\"maybe\">x</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 16, "ssh=\"maybe\" on <root-password> is not a boolean" },
	{ "ssh key of an unknown type", AT6("<root-ssh-key>ssh-dss AAAAB3NzaC1kc3M= old</root-ssh-key>"), 6, 15,
	  "<root-ssh-key> is not an SSH public key: the key type is not one OpenSSH accepts" },
	{ "ssh key with options", AT6("<root-ssh-key>from=\"10.0.0.1\" " ED25519 "</root-ssh-key>"), 6, 15,
	  "options before the key type are not supported" },
	{ "ssh key not base64", AT6("<root-ssh-key>ssh-ed25519 AAAA!!!! x</root-ssh-key>"), 6, 15, "is not base64 text" },
	{ "ssh key without the key", AT6("<root-ssh-key>ssh-ed25519</root-ssh-key>"), 6, 15, "the key itself (base64) is missing" },
	{ "ssh key of another type", AT6("<root-ssh-key>ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1Mqns4pSx8HJj1z7xTZHO x"
	  "</root-ssh-key>"), 6, 15, "the key inside is not of the type written before it" },
	{ "ssh key cut short", AT6("<root-ssh-key>ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdsZfzFEYK9DUlqtpfHLkE1 x</root-ssh-key>"),
	  6, 15, "an ssh-ed25519 key is 51 bytes long" },
	{ "ssh key on two lines", AT6("<root-ssh-key>" ED25519 "\n" RSA "</root-ssh-key>"), 6, 15, "a key is one line" },
	{ "ssh key for an upgrade", "<installation mode=\"upgrade\">\n<existing-installation>sda</existing-installation>\n"
	  "<root-ssh-key>" ED25519 "</root-ssh-key>\n" TAIL, 3, 1, "<root-ssh-key> is not used when the mode is \"upgrade\"" },
	{ "partial file: what it holds is still checked", "<installation interactive=\"partial\">\n<hostname>-bad</hostname>\n" TAIL,
	  2, 11, "<hostname> \"-bad\" is not valid" },
	{ "gpgcheck not a boolean", "<installation gpgcheck=\"sure\">\n" BODY TAIL, 1, 15, "gpgcheck=\"sure\" on <installation> is not a boolean" },
	/* disks */
	{ "bad boolean", HEAD "<primary-disk guest-storage=\"maybe\">sda</primary-disk>\n<root-password>x</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 3, 15,
	  "guest-storage=\"maybe\" on <primary-disk> is not a boolean: write true or false" },
	{ "bad boolean sr-at-end", HEAD "<primary-disk sr-at-end=\"1\">sda</primary-disk>\n" "<root-password>x</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 3, 15, "sr-at-end=\"1\" on <primary-disk> is not a boolean" },
	{ "guest-storage twice", HEAD "<primary-disk guest-storage=\"true\" gueststorage=\"no\">sda</primary-disk>\n"
	  "<root-password>x</root-password>\n<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 3, 36, "has both guest-storage= and gueststorage=" },
	{ "preserve-first-partition true", HEAD "<primary-disk preserve-first-partition=\"true\">sda</primary-disk>\n"
	  "<root-password>x</root-password>\n<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 3, 15, "does not keep a vendor utility partition" },
	{ "disk named twice", AT6("<guest-disk>/dev/sda</guest-disk>"), 6, 1, "disk /dev/sda is named twice (first at line 3, column 1)" },
	{ "guest disk named twice", HEAD BODY "<guest-disk>sdb</guest-disk>\n<guest-disk>sdb</guest-disk>\n" TAIL, 7, 1,
	  "disk /dev/sdb is named twice (first at line 6, column 1)" },
	{ "same filter twice", HEAD BODY "<guest-disk><match serial=\"A*\"/></guest-disk>\n<guest-disk><match serial=\"A*\"/></guest-disk>\n" TAIL,
	  7, 13, "disk the same <match> is named twice" },
	{ "empty disk", AT6("<guest-disk></guest-disk>"), 6, 1, "<guest-disk> is empty: name a disk" },
	{ "by-path refused", AT6("<guest-disk>/dev/disk/by-path/pci-0000:00:1f.2-ata-1</guest-disk>"), 6, 13, "by a /dev/disk/by-id/ path, or with a <match> filter" },
	{ "by-id without a name", AT6("<guest-disk>/dev/disk/by-id/</guest-disk>"), 6, 13, "is not a /dev/disk/by-id/ name" },
	{ "iscsi refused", AT6("<guest-disk>iscsi:10.0.0.1::3260:1:iqn.x</guest-disk>"), 6, 13, "iSCSI disks" },
	{ "disk name with a space", AT6("<guest-disk>sd b</guest-disk>"), 6, 13, "is not a device name" },
	{ "empty match", AT6("<guest-disk><match/></guest-disk>"), 6, 13, "<match> selects nothing" },
	{ "match bad size", AT6("<guest-disk><match min-size=\"lots\"/></guest-disk>"), 6, 20, "min-size=\"lots\" on <match> is not a size" },
	{ "match min above max", AT6("<guest-disk><match min-size=\"2T\" max-size=\"1T\"/></guest-disk>"), 6, 34, "max-size= is smaller than min-size=" },
	{ "match bad bus", AT6("<guest-disk><match bus=\"firewire\"/></guest-disk>"), 6, 20, "bus= on <match> \"firewire\" is not valid" },
	{ "match bad rotational", AT6("<guest-disk><match rotational=\"spinning\"/></guest-disk>"), 6, 20, "rotational=\"spinning\" on <match> is not a boolean" },
	{ "match unknown attribute", AT6("<guest-disk><match colour=\"red\"/></guest-disk>"), 6, 20, "unknown attribute colour on <match>" },
	{ "match and a name", AT6("<guest-disk>sdb<match model=\"X\"/></guest-disk>"), 6, 1, "has both a disk name and a <match> filter" },
	{ "two matches", AT6("<guest-disk><match model=\"X\"/><match serial=\"Y\"/></guest-disk>"), 6, 31, "a second <match>" },
	{ "match outside a disk", AT6("<match model=\"X\"/>"), 6, 1, "<match> selects a disk and belongs inside" },
	/* network */
	{ "vlan 0", NET("proto=\"dhcp\" vlan=\"0\"", ""), 5, 43, "vlan=\"0\" on <admin-interface> is not a VLAN id: use a number from 1 to 4094" },
	{ "vlan 4095", NET("proto=\"dhcp\" vlan=\"4095\"", ""), 5, 43, "vlan=\"4095\"" },
	{ "vlan not a number", NET("proto=\"dhcp\" vlan=\"ten\"", ""), 5, 43, "vlan=\"ten\"" },
	{ "proto missing", NET("", ""), 5, 1, "<admin-interface> needs the attribute proto" },
	{ "proto unknown", NET("proto=\"bootp\"", ""), 5, 30, "proto= on <admin-interface> \"bootp\" is not valid: use one of \"dhcp\", \"static\", \"none\"" },
	{ "protov6 unknown", NET("proto=\"dhcp\" protov6=\"slaac\"", ""), 5, 43, "protov6= on <admin-interface> \"slaac\" is not valid" },
	{ "no NIC named", HEAD "<primary-disk>sda</primary-disk>\n<root-password>x</root-password>\n<admin-interface proto=\"dhcp\"/>\n" TAIL,
	  5, 1, "must say which NIC to use" },
	{ "bad NIC name", HEAD "<primary-disk>sda</primary-disk>\n<root-password>x</root-password>\n"
	  "<admin-interface name=\"a very long interface name\" proto=\"dhcp\"/>\n" TAIL, 5, 18, "an interface name has at most 15 characters" },
	{ "bad MAC", HEAD "<primary-disk>sda</primary-disk>\n<root-password>x</root-password>\n"
	  "<admin-interface hwaddr=\"52:54:00:12:34\" proto=\"dhcp\"/>\n" TAIL, 5, 18, "a MAC address has the form" },
	{ "static without ip", NET("proto=\"static\"", "<subnet-mask>255.255.255.0</subnet-mask>"), 5, 1, "proto=\"static\" needs an <ip> element" },
	{ "static without netmask", NET("proto=\"static\"", "<ip>10.0.0.5</ip>"), 5, 1, "static IPv4 needs a netmask" },
	{ "bad IPv4", NET("proto=\"static\"", "<ip>10.0.0.256</ip><subnet-mask>24</subnet-mask>"), 5, 49, "<ip> \"10.0.0.256\": it is not an IPv4 address" },
	{ "bad prefix", NET("proto=\"static\"", "<ip>10.0.0.5/33</ip>"), 5, 49, "the prefix length after '/' must be 1 to 32" },
	{ "netmask not contiguous", NET("proto=\"static\"", "<ip>10.0.0.5</ip><subnet-mask>255.0.255.0</subnet-mask>"), 5, 75,
	  "the netmask is not contiguous" },
	{ "netmask garbage", NET("proto=\"static\"", "<ip>10.0.0.5</ip><subnet>fff</subnet>"), 5, 70, "<subnet> \"fff\"" },
	{ "prefix and netmask disagree", NET("proto=\"static\"", "<ip>10.0.0.5/16</ip><subnet-mask>255.255.255.0</subnet-mask>"), 5, 78,
	  "<subnet-mask> says /24 but <ip> has the prefix /16" },
	{ "network address as host", NET("proto=\"static\"", "<ip>10.0.0.0/24</ip>"), 5, 49, "it is the network address of its subnet" },
	{ "broadcast address as host", NET("proto=\"static\"", "<ip>10.0.0.255/24</ip>"), 5, 49, "it is the broadcast address of its subnet" },
	{ "loopback as host", NET("proto=\"static\"", "<ip>127.0.0.2/8</ip>"), 5, 49, "loopback" },
	{ "gateway outside the subnet", NET("proto=\"static\"", "<ip>10.0.0.5/24</ip><gateway>10.0.1.1</gateway>"), 5, 74,
	  "<gateway> 10.0.1.1 is not in the host's subnet 10.0.0.5/24" },
	{ "gateway is the host", NET("proto=\"static\"", "<ip>10.0.0.5/24</ip><gateway>10.0.0.5</gateway>"), 5, 74, "is the host's own address" },
	{ "bad gateway", NET("proto=\"static\"", "<ip>10.0.0.5/24</ip><gateway>router</gateway>"), 5, 74, "<gateway> \"router\"" },
	{ "ip with dhcp", NET("proto=\"dhcp\"", "<ip>10.0.0.5</ip>"), 5, 43, "<ip> is only used with proto=\"static\"" },
	{ "ipv6 without static", NET("proto=\"dhcp\"", "<ipv6>2001:db8::5/64</ipv6>"), 5, 43, "<ipv6> is only used with protov6=\"static\"" },
	{ "ipv6 without prefix", NET("proto=\"dhcp\" protov6=\"static\"", "<ipv6>2001:db8::5</ipv6>"), 5, 66, "needs a prefix length" },
	{ "bad ipv6", NET("proto=\"dhcp\" protov6=\"static\"", "<ipv6>2001:db8:::5/64</ipv6>"), 5, 66, "it is not an IPv6 address" },
	{ "ipv6 prefix 129", NET("proto=\"dhcp\" protov6=\"static\"", "<ipv6>2001:db8::5/129</ipv6>"), 5, 66, "must be 1 to 128" },
	{ "ipv6 multicast host", NET("proto=\"dhcp\" protov6=\"static\"", "<ipv6>ff02::1/64</ipv6>"), 5, 66, "cannot be the host's address" },
	{ "static ipv6 without address", NET("proto=\"dhcp\" protov6=\"static\"", ""), 5, 1, "protov6=\"static\" needs an <ipv6> element" },
	{ "bad ipv6 gateway", NET("proto=\"dhcp\" protov6=\"static\"", "<ipv6>2001:db8::5/64</ipv6><gatewayv6>ff02::2</gatewayv6>"), 5, 98,
	  "<gatewayv6> \"ff02::2\" cannot be a router's address" },
	{ "no IPv4 and no IPv6", NET("proto=\"none\"", ""), 5, 1, "configures neither IPv4 nor IPv6" },
	{ "unknown element in admin-interface", NET("proto=\"dhcp\"", "<mtu>9000</mtu>"), 5, 43, "unknown element <mtu> in <admin-interface>" },
	{ "ip and ipaddr", NET("proto=\"static\"", "<ip>10.0.0.5/24</ip><ipaddr>10.0.0.6</ipaddr>"), 5, 65, "<ipaddr> appears twice in <admin-interface>" },
	{ "name-server not an address", AT6("<name-server>dns.example.com</name-server>"), 6, 14, "a name server is given by its address" },
	{ "too many name servers", AT6("<nameserver>1.1.1.1</nameserver><nameserver>1.1.1.2</nameserver><nameserver>1.1.1.3</nameserver>"
	  "<nameserver>1.1.1.4</nameserver><nameserver>1.1.1.5</nameserver><nameserver>1.1.1.6</nameserver>"
	  "<nameserver>1.1.1.7</nameserver><nameserver>1.1.1.8</nameserver><nameserver>1.1.1.9</nameserver>"), 6, 257, "more than 8 name servers" },
	/* names and values */
	{ "bad hostname", AT6("<hostname>-bad</hostname>"), 6, 11, "<hostname> \"-bad\" is not valid: a label starts with '-'" },
	{ "hostname underscore", AT6("<hostname>my_host</hostname>"), 6, 11, "may contain only letters, digits, '-' and '.'" },
	{ "hostname label too long", AT6("<hostname>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</hostname>"), 6, 11,
	  "a label is longer than 63 characters" },
	{ "empty hostname", AT6("<hostname>  </hostname>"), 6, 1, "<hostname> is empty" },
	{ "timezone path", AT6("<timezone>/usr/share/zoneinfo/UTC</timezone>"), 6, 11, "not a path" },
	{ "timezone bad characters", AT6("<timezone>Europe/Paris Time</timezone>"), 6, 11, "<timezone> \"Europe/Paris Time\" is not valid" },
	{ "keymap bad", AT6("<keymap>us;rm</keymap>"), 6, 9, "<keymap> \"us;rm\" is not valid" },
	{ "plaintext password that is a hash", HEAD "<primary-disk>sda</primary-disk>\n<root-password>" HASH "</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 16, "holds a crypt hash but its type is \"plaintext\"" },
	{ "hash that is not a hash", HEAD "<primary-disk>sda</primary-disk>\n<root-password type=\"hash\">secret</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 28, "is not a crypt hash: a password hash starts with '$'" },
	{ "hash injecting a shadow line", HEAD "<primary-disk>sda</primary-disk>\n<root-password type=\"hash\">$6$a:1\nb:$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 28, "a password hash has only the characters [./0-9A-Za-z$=,]" },
	{ "truncated SHA-512 hash", HEAD "<primary-disk>sda</primary-disk>\n<root-password type=\"hash\">$6$salt$abc</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 28, "a $6$ (SHA-512) hash has 86 characters" },
	{ "password type unknown", HEAD "<primary-disk>sda</primary-disk>\n<root-password type=\"md5\">x</root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 16, "type= on <root-password> \"md5\" is not valid" },
	{ "empty password", HEAD "<primary-disk>sda</primary-disk>\n<root-password></root-password>\n"
	  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL, 4, 1, "<root-password> is empty" },
	{ "source nfs refused", AT6("<source type=\"nfs\">server:/export</source>"), 6, 9, "type= on <source> \"nfs\" is not supported: put the Xenhost image on an HTTP server" },
	{ "source without type", AT6("<source>http://x/</source>"), 6, 1, "<source> needs the attribute type" },
	{ "source bad URL", AT6("<source type=\"url\">gopher://x/</source>"), 6, 20, "the URL must start with a supported scheme" },
	{ "source URL missing", AT6("<source type=\"url\"/>"), 6, 1, "<source> is empty" },
	{ "ntp-server without manual", AT6("<ntp source=\"dhcp\"/><ntp-server>pool.ntp.org</ntp-server>"), 6, 21,
	  "<ntp-server> is only used with <ntp source=\"manual\"/>" },
	{ "ntp manual without servers", AT6("<ntp source=\"manual\"/>"), 6, 1, "needs at least one <ntp-server>" },
	{ "ntp source unknown", AT6("<ntp source=\"gps\"/>"), 6, 6, "source= on <ntp> \"gps\" is not valid" },
	{ "ntp-server bad", AT6("<ntp-server>not a host</ntp-server>"), 6, 13, "is neither an address nor a host name" },
	{ "bootloader partition", AT6("<bootloader location=\"partition\"/>"), 6, 13, "Xenhost installs GRUB on the disk" },
	{ "bootloader lilo", AT6("<bootloader>lilo</bootloader>"), 6, 13, "bootloader \"lilo\" is not supported" },
	{ "write-boot-entry not a boolean", AT6("<bootloader write-boot-entry=\"y\"/>"), 6, 13, "write-boot-entry=\"y\" on <bootloader> is not a boolean" },
	{ "script stage unknown", AT6("<script stage=\"post\" type=\"url\">http://x/s</script>"), 6, 9, "stage= on <script> \"post\" is not valid" },
	{ "script without stage", AT6("<script type=\"url\">http://x/s</script>"), 6, 1, "<script> needs the attribute stage" },
	{ "script type nfs", AT6("<script stage=\"installation-start\" type=\"nfs\">x:/s</script>"), 6, 36, "type= on <script> \"nfs\" is not supported" },
	{ "script bad URL", AT6("<script stage=\"installation-start\" type=\"url\">/tmp/s</script>"), 6, 47, "<script> URL \"/tmp/s\"" },
	{ "service bad state", AT6("<service name=\"sshd\" state=\"on\"/>"), 6, 22, "state= on <service> \"on\" is not valid" },
	{ "service twice", AT6("<service name=\"sshd\" state=\"enabled\"/><service name=\"sshd\" state=\"disabled\"/>"), 6, 39,
	  "service \"sshd\" is named twice (first at line 6, column 1)" },
	{ "script timeout zero", AT6("<script stage=\"installation-start\" type=\"url\" timeout=\"0\">http://x/s.sh</script>"), 6, 47,
	  "timeout=\"0\" on <script> is not a number of seconds from 1 to 86400 (the default is 600)" },
	{ "script timeout not a number", AT6("<script stage=\"installation-start\" type=\"url\" timeout=\"10m\">http://x/s.sh</script>"), 6, 47,
	  "timeout=\"10m\" on <script> is not a number of seconds" },
	{ "service name that is an option", AT6("<service name=\"--now\" state=\"enabled\"/>"), 6, 10,
	  "a unit name does not start with '-'" },
	{ "service without name", AT6("<service state=\"enabled\"/>"), 6, 1, "<service> needs name=" },
	{ "network-backend unknown", AT6("<network-backend>macvtap</network-backend>"), 6, 18, "the value of <network-backend> \"macvtap\" is not valid" },
	{ "partition too small", AT6("<partition-sizes root=\"1GiB\"/>"), 6, 18, "root=\"1GiB\" on <partition-sizes> is too small: the minimum is 4 GiB" },
	{ "partition not a size", AT6("<partition-sizes logs=\"big\"/>"), 6, 18, "logs=\"big\" on <partition-sizes> is not a size" },
	{ "partition not whole MiB", AT6("<partition-sizes swap=\"100000000\"/>"), 6, 18, "must be a whole number of MiB" },
	{ "backup smaller than root", AT6("<partition-sizes root=\"20GiB\"/>"), 6, 18, "the backup partition (18 GiB) is smaller than the root partition (20 GiB)" },
	{ "partition unknown", AT6("<partition-sizes home=\"10G\"/>"), 6, 18, "unknown attribute home on <partition-sizes>" },
	{ "firmware-mode efi", AT6("<firmware-mode>efi</firmware-mode>"), 6, 16, "the value of <firmware-mode> \"efi\" is not valid: use one of \"auto\", \"bios\", \"uefi\"" },
	{ "dom0 memory too small", AT6("<dom0 memory=\"256MiB\"/>"), 6, 7, "memory=\"256MiB\" on <dom0> is too small: the minimum is 512 MiB" },
	{ "dom0 vcpus 0", AT6("<dom0 vcpus=\"0\"/>"), 6, 7, "vcpus=\"0\" on <dom0> must be a number from 1 to 512" },
	{ "dom0 empty", AT6("<dom0/>"), 6, 1, "<dom0> sets nothing" },
	{ "report-url ftp", AT6("<report-url>ftp://x/r</report-url>"), 6, 13, "<report-url> \"ftp://x/r\": this kind of URL is not accepted here" },
	{ "post-install-action halt", AT6("<post-install-action>halt</post-install-action>"), 6, 22, "\"halt\" is not valid: use one of \"reboot\", \"poweroff\", \"shell\"" },
	/* XML itself, and safety */
	{ "not well-formed", HEAD BODY "<hostname>h</hostnam>\n" TAIL, 6, 0, "XML syntax: Opening and ending tag mismatch" },
	{ "DOCTYPE refused", "<?xml version=\"1.0\"?>\n<!DOCTYPE installation [ <!ENTITY a \"aaaa\"> ]>\n<installation/>\n", 2, 0,
	  "a DOCTYPE declaration is not allowed" },
	{ "external entity refused", "<?xml version=\"1.0\"?>\n<!DOCTYPE i SYSTEM \"http://example.com/x.dtd\">\n<installation/>\n", 2, 0,
	  "a DOCTYPE declaration is not allowed" },
	{ "invalid UTF-8", HEAD BODY "<hostname>caf\xe9</hostname>\n" TAIL, 6, 14, "is not valid UTF-8" },
	{ "too deep", "<installation><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	  "</a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></installation>", 1, 0, "nested too deeply" },
	{ "empty document", "", 0, 0, "the answer file is empty" },
	{ "namespaced root", "<installation xmlns=\"urn:x\">\n</installation>\n", 1, 1, "the root element is in an XML namespace" },
};

/* Each row runs as its own test; cmocka hands the row over as the initial state. */
struct row_fixture {
	struct fixture f;          /* first: the row tests use it as a struct fixture */
	const void *row;
};

static int setup_row(void **state)
{
	struct row_fixture *rf = calloc(1, sizeof(*rf));
	rf->row = *state;
	rf->f.c = calloc(1, sizeof(*rf->f.c));
	config_init(rf->f.c);
	diag_init(&rf->f.d, "test.xml");
	*state = rf;
	return 0;
}

static int teardown_row(void **state)
{
	struct row_fixture *rf = *state;
	diag_free(&rf->f.d);
	free(rf->f.c);
	free(rf);
	return 0;
}

static void run_error_row(void **state)
{
	struct row_fixture *rf = *state;
	const struct err_case *row = rf->row;
	struct fixture *f = &rf->f;
	int r = parse(f, row->xml);
	if (r != -EINVAL)
		dump(&f->d);
	assert_int_equal(r, -EINVAL);
	const struct diag *g = diag_find(&f->d, row->msg);
	if (!g) {
		fprintf(stderr, "expected a message containing: %s\ngot:\n", row->msg);
		dump(&f->d);
	}
	assert_non_null(g);
	assert_int_equal(g->sev, DIAG_ERROR);
	if (g->pos.line != row->line || (row->col && g->pos.col != row->col)) {
		fprintf(stderr, "expected %u:%u, got %u:%u\n", row->line, row->col, g->pos.line, g->pos.col);
		dump(&f->d);
	}
	assert_int_equal(g->pos.line, row->line);
	if (row->col)
		assert_int_equal(g->pos.col, row->col);
}

/* ---------- valid files and what they set ---------- */

static void test_minimal_defaults(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(parse(f, AT6("")), 0);
	assert_int_equal(f->c->mode, MODE_FRESH);
	assert_int_equal(f->c->sr_type, SR_EXT4);
	assert_int_equal(f->c->primary_disk.kind, DISK_SEL_PATH);
	assert_string_equal(f->c->primary_disk.path, "/dev/sda");
	assert_int_equal(f->c->primary_disk.pos.line, 3);
	assert_true(f->c->guest_storage);
	assert_true(f->c->sr_at_end);
	assert_int_equal(f->c->root_password_type, PW_PLAINTEXT);
	assert_string_equal(f->c->root_password, "secret");
	assert_string_equal(f->c->admin.name, "eth0");
	assert_int_equal(f->c->admin.proto, PROTO4_DHCP);
	assert_string_equal(f->c->timezone, "Etc/UTC");
	assert_string_equal(f->c->keymap, "us");
	assert_int_equal(f->c->ntp, NTP_DHCP);   /* no <ntp>, DHCP network: as XCP-ng */
	assert_int_equal(f->c->firmware, FW_AUTO);
	assert_int_equal(f->c->sizes.root, 18 * GiB);
	assert_int_equal(f->c->sizes.esp, 512 * MiB);
	assert_int_equal(f->c->post_action, POST_REBOOT);
	assert_false(f->c->post_action_set);
	assert_int_equal(f->d.n, 0);
}

static void test_sr_type_ext_is_ext4(void **state)
{
	struct fixture *f = *state;
	const char *xml = "<installation srtype=\"ext\">\n" BODY TAIL;
	assert_int_equal(parse(f, xml), 0);
	assert_int_equal(f->c->sr_type, SR_EXT4);
}

static void test_sr_type_xfs(void **state)
{
	struct fixture *f = *state;
	const char *xml = "<installation sr-type=\"xfs\">\n" BODY TAIL;
	assert_int_equal(parse(f, xml), 0);
	assert_int_equal(f->c->sr_type, SR_XFS);
}

static void test_static_network(void **state)
{
	struct fixture *f = *state;
	const char *xml = NET("proto=\"static\" protov6=\"static\" vlan=\"4094\"",
			      "<ip>192.0.2.10/24</ip><gateway>192.0.2.1</gateway><ipv6>2001:DB8::10/64</ipv6><gatewayv6>fe80::1</gatewayv6>");
	assert_int_equal(parse(f, xml), 0);
	assert_string_equal(f->c->admin.ipv4, "192.0.2.10");
	assert_int_equal(f->c->admin.prefix4, 24);
	assert_string_equal(f->c->admin.gateway4, "192.0.2.1");
	assert_string_equal(f->c->admin.ipv6, "2001:db8::10");   /* canonical form */
	assert_int_equal(f->c->admin.prefix6, 64);
	assert_string_equal(f->c->admin.gateway6, "fe80::1");
	assert_int_equal(f->c->admin.vlan, 4094);
	assert_int_equal(f->c->ntp, NTP_DEFAULT);
}

static void test_netmask_forms(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(parse(f, NET("proto=\"static\"", "<ipaddr>10.1.2.3</ipaddr><subnet>255.255.240.0</subnet>")), 0);
	assert_int_equal(f->c->admin.prefix4, 20);
	config_init(f->c);
	assert_int_equal(parse(f, NET("proto=\"static\"", "<ip>10.1.2.3</ip><subnet-mask>/29</subnet-mask>")), 0);
	assert_int_equal(f->c->admin.prefix4, 29);
}

static void test_hwaddr_normalised(void **state)
{
	struct fixture *f = *state;
	const char *xml = HEAD "<primary-disk>sda</primary-disk>\n<root-password>x</root-password>\n"
			  "<admin-interface hwaddr=\"52-54-00-AB-CD-EF\" proto=\"dhcp\"/>\n" TAIL;
	assert_int_equal(parse(f, xml), 0);
	assert_string_equal(f->c->admin.hwaddr, "52:54:00:ab:cd:ef");
	assert_string_equal(f->c->admin.name, "");
}

static void test_disk_forms(void **state)
{
	struct fixture *f = *state;
	const char *xml = HEAD BODY "<guest-disk>/dev/nvme0n1</guest-disk>\n<guest-disk>disk/by-id/wwn-0x5000c500a1b2c3d4</guest-disk>\n"
			  "<guest-disk>\n  <match model=\"ST4000*\" serial=\"ZC1?\" bus=\"ata\" min-size=\"3TB\" max-size=\"5T\" rotational=\"yes\"/>\n"
			  "</guest-disk>\n" TAIL;
	assert_int_equal(parse(f, xml), 0);
	assert_int_equal(f->c->n_guest_disks, 3);
	assert_string_equal(f->c->guest_disks[0].path, "/dev/nvme0n1");
	assert_string_equal(f->c->guest_disks[1].path, "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4");
	const struct disk_selector *s = &f->c->guest_disks[2];
	assert_int_equal(s->kind, DISK_SEL_FILTER);
	assert_int_equal(s->pos.line, 9);
	assert_int_equal(s->pos.col, 3);
	assert_string_equal(s->filter.model, "ST4000*");
	assert_string_equal(s->filter.serial, "ZC1?");
	assert_string_equal(s->filter.bus, "sata");
	assert_int_equal(s->filter.min_size, UINT64_C(3000000000000));
	assert_int_equal(s->filter.max_size, 5 * TiB);
	assert_int_equal(s->filter.rotational, 1);
}

static void test_everything_else(void **state)
{
	struct fixture *f = *state;
	const char *xml = HEAD BODY
		"<keymap>de-latin1</keymap><hostname>h1.example.com</hostname><timezone>America/Argentina/Buenos_Aires</timezone>\n"
		"<name-server>192.0.2.53</name-server><nameserver>2001:db8::53</nameserver>\n"
		"<ntp source=\"manual\"/><ntp-server>pool.ntp.org</ntp-server><ntp-servers>192.0.2.123</ntp-servers>\n"
		"<bootloader location=\"mbr\" write-boot-entry=\"false\">grub2</bootloader>\n"
		"<script stage=\"installation-start\" type=\"url\" timeout=\"30\">http://x/a</script><post-install-script>https://x/b</post-install-script>"
		"<install-failed-script type=\"url\">file:///c</install-failed-script>\n"
		"<service name=\"sshd\" state=\"enabled\"/><service name=\"xendomains\" state=\"disabled\"/>\n"
		"<partition-sizes root=\"10GiB\" backup=\"10G\" esp=\"200M\" logs=\"1GiB\" swap=\"2048MiB\"/>\n"
		"<firmware-mode>uefi</firmware-mode><dom0 memory=\"3GiB\" vcpus=\"6\"/>\n"
		"<report-url>https://r.example.com/x</report-url><post-install-action>shell</post-install-action>\n"
		"<source type=\"url\" gpgcheck=\"false\">http://img.example.com/xenhost/</source>\n" TAIL;
	assert_int_equal(parse(f, xml), 0);
	struct install_config *c = f->c;
	assert_string_equal(c->keymap, "de-latin1");
	assert_string_equal(c->hostname, "h1.example.com");
	assert_string_equal(c->timezone, "America/Argentina/Buenos_Aires");
	assert_int_equal(c->n_nameservers, 2);
	assert_string_equal(c->nameservers[1], "2001:db8::53");
	assert_int_equal(c->ntp, NTP_MANUAL);
	assert_int_equal(c->n_ntp_servers, 2);
	assert_false(c->write_boot_entry);
	assert_int_equal(c->n_scripts, 3);
	assert_int_equal(c->scripts[0].stage, STAGE_INSTALLATION_START);
	assert_int_equal(c->scripts[1].stage, STAGE_FILESYSTEM_POPULATED);
	assert_int_equal(c->scripts[2].stage, STAGE_INSTALLATION_COMPLETE);
	assert_string_equal(c->scripts[2].url, "file:///c");
	assert_int_equal(c->scripts[0].timeout_s, 30);
	assert_int_equal(c->scripts[1].timeout_s, SCRIPT_DEFAULT_TIMEOUT_S);
	assert_int_equal(c->n_services, 2);
	assert_false(c->services[1].enabled);
	assert_int_equal(c->sizes.root, 10 * GiB);
	assert_int_equal(c->sizes.esp, 200 * MiB);
	assert_int_equal(c->sizes.swap, 2 * GiB);
	assert_int_equal(c->firmware, FW_UEFI);
	assert_int_equal(c->dom0_memory, 3 * GiB);
	assert_int_equal(c->dom0_vcpus, 6);
	assert_string_equal(c->report_url, "https://r.example.com/x");
	assert_int_equal(c->post_action, POST_SHELL);
	assert_true(c->post_action_set);
	assert_int_equal(c->source, SOURCE_URL);
	assert_string_equal(c->source_url, "http://img.example.com/xenhost/");
}

static void test_openvswitch_is_a_warning(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(parse(f, AT6("<network-backend>openvswitch</network-backend>")), 0);
	const struct diag *g = diag_find(&f->d, "Linux bridge");
	assert_non_null(g);
	assert_int_equal(g->sev, DIAG_WARNING);
	assert_int_equal(g->pos.line, 6);
	assert_int_equal(f->d.n_errors, 0);
}

static void test_upgrade_and_restore(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(parse(f, "<installation mode=\"upgrade\">\n<existing-installation>/dev/disk/by-id/ata-X_1</existing-installation>\n"
				  "<primary-disk>sda</primary-disk>\n</installation>\n"), 0);
	assert_int_equal(f->c->mode, MODE_UPGRADE);
	assert_string_equal(f->c->existing_installation.path, "/dev/disk/by-id/ata-X_1");
	assert_non_null(diag_find(&f->d, "<primary-disk> is ignored for an upgrade"));
	config_init(f->c);
	assert_int_equal(parse(f, "<restore><backup-disk><match serial=\"S1\"/></backup-disk></restore>"), 0);
	assert_int_equal(f->c->mode, MODE_RESTORE);
	assert_int_equal(f->c->backup_disk.kind, DISK_SEL_FILTER);
}

static void test_all_errors_reported(void **state)
{
	struct fixture *f = *state;
	/* several independent problems: every one is reported, in file order */
	const char *xml = HEAD BODY "<hostname>a_b</hostname>\n<timezone>/x</timezone>\n<keymap>a b</keymap>\n<bogus/>\n" TAIL;
	assert_int_equal(parse(f, xml), -EINVAL);
	assert_int_equal(f->d.n_errors, 4);
	assert_int_equal(f->d.v[0].pos.line, 6);
	assert_int_equal(f->d.v[1].pos.line, 7);
	assert_int_equal(f->d.v[2].pos.line, 8);
	assert_int_equal(f->d.v[3].pos.line, 9);
}

static void test_password_not_in_messages(void **state)
{
	struct fixture *f = *state;
	const char *xml = HEAD "<primary-disk>sda</primary-disk>\n<root-password>$6$Sup3rS3cret</root-password>\n"
			  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL;
	assert_int_equal(parse(f, xml), -EINVAL);
	for (size_t i = 0; i < f->d.n; i++)
		assert_null(strstr(f->d.v[i].msg, "Sup3rS3cret"));
}

/* A time zone must exist in the zoneinfo it is checked against; without one, only its form is checked. */
static void test_timezone_exists(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/xh-zoneinfo.XXXXXX", p[256];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/Europe", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/Europe/Paris", dir);
	FILE *z = fopen(p, "w");
	assert_non_null(z);
	fclose(z);
	const char *xml = HEAD "<primary-disk>sda</primary-disk>\n<root-password>Secret-Pass-1</root-password>\n"
			  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n<timezone>Europe/Pariss</timezone>\n" TAIL;
	assert_int_equal(parse(f, xml), 0);
	assert_int_equal(answerfile_check_zone(f->c, dir, &f->d), -EINVAL);
	assert_int_equal(f->d.n_errors, 1);
	assert_int_equal(f->d.v[0].pos.line, 6);
	assert_non_null(strstr(f->d.v[0].msg, "\"Europe/Pariss\" is not a time zone"));
	snprintf(p, sizeof(p), "%s/none", dir);
	assert_int_equal(answerfile_check_zone(f->c, p, &f->d), 0);   /* nothing to check against */
	snprintf(f->c->timezone, sizeof(f->c->timezone), "Europe/Paris");
	assert_int_equal(answerfile_check_zone(f->c, dir, &f->d), 0);
	snprintf(f->c->timezone, sizeof(f->c->timezone), "Europe");     /* a directory is not a zone */
	assert_int_equal(answerfile_check_zone(f->c, dir, &f->d), -EINVAL);
	snprintf(p, sizeof(p), "%s/Europe/Paris", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/Europe", dir);
	rmdir(p);
	rmdir(dir);
}

/* Positions stay exact deep into a large file (libxml2 shrinks its buffer). */
static void test_positions_in_large_file(void **state)
{
	struct fixture *f = *state;
	size_t cap = 200000, len = 0;
	char *xml = malloc(cap);
	len += (size_t)snprintf(xml + len, cap - len, "%s", HEAD BODY);
	for (int i = 0; i < 3000; i++)   /* lines 6..3005 */
		len += (size_t)snprintf(xml + len, cap - len, "<!-- padding line %d, \xc3\xa9t\xc3\xa9 -->\n", i);
	len += (size_t)snprintf(xml + len, cap - len, "  <hostname   x=\"1\">h</hostname>\n" TAIL);
	assert_int_equal(parse(f, xml), -EINVAL);
	const struct diag *g = diag_find(&f->d, "unknown attribute x on <hostname>");
	assert_non_null(g);
	assert_int_equal(g->pos.line, 3006);
	assert_int_equal(g->pos.col, 15);
	free(xml);
}

static void test_too_large(void **state)
{
	struct fixture *f = *state;
	size_t len = XML_MAX_BYTES + 1;
	char *xml = malloc(len);
	memset(xml, ' ', len);
	assert_int_equal(answerfile_parse_mem(xml, len, f->c, &f->d), -EFBIG);
	assert_non_null(diag_find(&f->d, "larger than"));
	free(xml);
}

static void test_billion_laughs_refused(void **state)
{
	struct fixture *f = *state;
	const char *xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
			  " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
			  " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n"
			  "<installation><hostname>&lol3;</hostname></installation>\n";
	assert_int_equal(parse(f, xml), -EINVAL);
	assert_non_null(diag_find(&f->d, "DOCTYPE"));
	assert_int_equal(f->c->hostname[0], '\0');
}

static void test_file_not_found(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(answerfile_parse_file("/nonexistent/answer.xml", f->c, &f->d), -ENOENT);
	assert_non_null(diag_find(&f->d, "cannot open the answer file"));
}

/* The schema agrees with the C checks on the structural errors. */
static void schema_rejects(const char *xml)
{
	struct xml_doc x;
	struct diag_list d;
	diag_init(&d, "schema.xml");
	assert_int_equal(xml_doc_parse(&x, xml, strlen(xml), &d), 0);
	assert_int_equal(schema_validate(&x, &d), -EINVAL);
	assert_true(d.n_errors > 0);
	assert_non_null(diag_find(&d, "answer file schema"));
	xml_doc_free(&x);
	diag_free(&d);
}

static void test_ssh_keys_and_password_login(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(parse(f, AT6("<root-ssh-key>" ED25519 "</root-ssh-key>\n<root-ssh-key> " RSA " </root-ssh-key>")), 0);
	assert_int_equal(f->c->n_ssh_keys, 2);
	assert_string_equal(f->c->ssh_keys[0], ED25519);
	assert_string_equal(f->c->ssh_keys[1], RSA);
	assert_false(f->c->ssh_root_password);   /* by key only unless the file says so */
	config_init(f->c);
	assert_int_equal(parse(f, HEAD "<primary-disk>sda</primary-disk>\n<root-password ssh=\"true\">secret</root-password>\n"
				  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL), 0);
	assert_true(f->c->ssh_root_password);
	assert_int_equal(f->c->n_ssh_keys, 0);
	assert_false(f->c->interactive_partial);
}

static void test_partial(void **state)
{
	struct fixture *f = *state;
	/* a partial file may leave out what a complete one needs; it says what it answered */
	assert_int_equal(parse(f, "<installation interactive=\"partial\">\n<hostname>h1</hostname>\n</installation>\n"), 0);
	if (f->d.n)
		dump(&f->d);
	assert_int_equal(f->d.n_errors, 0);
	assert_true(f->c->interactive_partial);
	assert_int_equal(f->c->given, GIVEN_HOSTNAME);
	assert_string_equal(f->c->hostname, "h1");
	config_init(f->c);
	assert_int_equal(parse(f, "<installation interactive=\"partial\" mode=\"fresh\" sr-type=\"xfs\">\n"
				  "<primary-disk>sdb</primary-disk>\n<keymap>de</keymap>\n<timezone>Europe/Paris</timezone>\n"
				  "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n<ntp-server>ntp.example.com</ntp-server>\n"
				  "<root-password type=\"hash\">" HASH "</root-password>\n</installation>\n"), 0);
	assert_int_equal(f->c->given, GIVEN_MODE | GIVEN_STORAGE | GIVEN_PRIMARY_DISK | GIVEN_KEYMAP | GIVEN_TIMEZONE |
					      GIVEN_ADMIN | GIVEN_NTP | GIVEN_PASSWORD);
	assert_int_equal(f->c->ntp, NTP_MANUAL);
	assert_int_equal(f->c->sr_type, SR_XFS);
	/* interactive="false" is a complete file: what it lacks is an error */
	config_init(f->c);
	assert_int_equal(parse(f, "<installation interactive=\"false\">\n<hostname>h1</hostname>\n</installation>\n"), -EINVAL);
	assert_false(f->c->interactive_partial);
}

static void test_schema_agrees(void **state)
{
	(void)state;
	schema_rejects(AT6("<hostnme>h</hostnme>"));
	schema_rejects(AT6("<hostname colour=\"red\">h</hostname>"));
	schema_rejects(HEAD "<primary-disk guest-storage=\"maybe\">sda</primary-disk>\n<root-password>x</root-password>\n"
		       "<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n" TAIL);
	schema_rejects(HEAD BODY "<hostname>a</hostname>\n<hostname>b</hostname>\n" TAIL);
	schema_rejects("<installation sr-type=\"lvm\">\n" BODY TAIL);
	schema_rejects(HEAD "<primary-disk>sda</primary-disk>\n" TAIL);
	schema_rejects(NET("proto=\"dhcp\" vlan=\"4095\"", ""));
	schema_rejects("<installation mode=\"upgrade\">\n<existing-installation>sda</existing-installation>\n"
		       "<guest-disk>sdb</guest-disk>\n</installation>\n");
}

/* ---------- the worked examples: one test per file ---------- */

static void run_example(void **state)
{
	struct row_fixture *rf = *state;
	const char *path = rf->row;
	struct fixture *f = &rf->f;
	f->d.file = path;
	int r = answerfile_parse_file(path, f->c, &f->d);
	if (r != 0 || f->d.n)
		dump(&f->d);
	assert_int_equal(r, 0);
	assert_int_equal(f->d.n_errors, 0);
}

static void test_example_contents(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(answerfile_parse_file(XH_ANSWERFILES "/xcpng-style.xml", f->c, &f->d), 0);
	assert_int_equal(f->c->sr_type, SR_EXT4);
	assert_string_equal(f->c->admin.name, "eth0");
	assert_string_equal(f->c->admin.ipv4, "10.0.0.20");
	assert_int_equal(f->c->ntp, NTP_MANUAL);
	assert_int_equal(f->c->n_scripts, 2);
	assert_int_equal(f->c->root_password_type, PW_PLAINTEXT);
	config_init(f->c);
	assert_int_equal(answerfile_parse_file(XH_ANSWERFILES "/static-vlan-ipv6.xml", f->c, &f->d), 0);
	assert_int_equal(f->c->admin.vlan, 42);
	assert_int_equal(f->c->admin.protov6, PROTO6_STATIC);
	config_init(f->c);
	assert_int_equal(answerfile_parse_file(XH_ANSWERFILES "/fresh-uefi-xfs.xml", f->c, &f->d), 0);
	assert_int_equal(f->c->sr_type, SR_XFS);
	assert_int_equal(f->c->firmware, FW_UEFI);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sr_type_ext_is_ext4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sr_type_xfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netmask_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hwaddr_normalised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_everything_else, setup, teardown),
		cmocka_unit_test_setup_teardown(test_openvswitch_is_a_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_errors_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_not_in_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timezone_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions_in_large_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_billion_laughs_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_not_found, setup, teardown),
		cmocka_unit_test(test_schema_agrees),
		cmocka_unit_test_setup_teardown(test_ssh_keys_and_password_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_contents, setup, teardown),
	};
	size_t n_err = sizeof(err_cases) / sizeof(err_cases[0]);
	size_t nf = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest *tests = calloc(nf + n_err + 64, sizeof(*tests));
	char *names[64 + 200];
	size_t n = 0, nn = 0;

	for (size_t i = 0; i < nf; i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < n_err; i++) {
		names[nn] = NULL;
		if (asprintf(&names[nn], "error: %s", err_cases[i].name) < 0)
			return 1;
		tests[n++] = (struct CMUnitTest){ names[nn++], run_error_row, setup_row, teardown_row, (void *)&err_cases[i] };
	}
	/* every .xml file in answerfiles/ */
	DIR *dh = opendir(XH_ANSWERFILES);
	struct dirent *e;
	size_t n_examples = 0;
	while (dh && (e = readdir(dh)) && n_examples < 60) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		char *path = NULL;
		if (asprintf(&path, "%s/%s", XH_ANSWERFILES, e->d_name) < 0 || asprintf(&names[nn], "example %s", e->d_name) < 0)
			return 1;
		tests[n++] = (struct CMUnitTest){ names[nn++], run_example, setup_row, teardown_row, path };
		n_examples++;
	}
	if (dh)
		closedir(dh);
	if (n_examples < 8) {
		fprintf(stderr, "expected at least 8 example answer files in %s, found %zu\n", XH_ANSWERFILES, n_examples);
		return 1;
	}
	int r = _cmocka_run_group_tests("answerfile", tests, n, NULL, NULL);
	for (size_t i = nf; i < n; i++)
		if (tests[i].test_func == run_example)
			free(tests[i].initial_state);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(tests);
	return r;
}
