/* fuzz_netconfig.c: libFuzzer target for the value of network_config= (network_config_parse:
 * dhcp, static:ip=...;netmask=...;gateway=...;dns=...;vlan=...). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct kc_netconfig n;
	char *s = malloc(size + 1);
	struct diag_list d;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!s || !null)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&n, 0, sizeof(n));
	diag_init(&d, "/proc/cmdline");
	network_config_parse(s, &n, &d, 16);
	diag_print(&d, null);
	diag_free(&d);
	free(s);
	return 0;
}
