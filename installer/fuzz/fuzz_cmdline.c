/* fuzz_cmdline.c: libFuzzer target for the kernel command-line parser (cmdline_parse:
 * answerfile=, network_config=, report_url=, console=, quoting). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct kernel_cmdline *k = malloc(sizeof(*k));
	char *s = malloc(size + 1);
	struct diag_list d;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!k || !s || !null)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';   /* /proc/cmdline is text: the parser sees up to the first NUL */
	cmdline_init(k);
	diag_init(&d, "/proc/cmdline");
	cmdline_parse(s, k, &d);
	diag_print(&d, null);
	diag_free(&d);
	free(s);
	free(k);
	return 0;
}
