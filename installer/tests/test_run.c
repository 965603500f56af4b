/* test_run.c: external programs (run.c): exit statuses, captured output, and the
 * deadline every program gets (a program that hangs is stopped with SIGTERM, then
 * SIGKILL, and reported as -ETIMEDOUT), with real programs (sh, sleep). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "xlog.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_exit_status_and_output(void **state)
{
	(void)state;
	struct xlog log;
	char out[64];
	int status = -2;
	xlog_open(&log, NULL, NULL);
	const char *ok[] = { "sh", "-c", "echo hello", NULL };
	struct run_opts o = { .out = out, .out_size = sizeof(out), .quiet_fail = true };
	assert_int_equal(run_argv(&log, &o, ok, &status), 0);
	assert_int_equal(status, 0);
	assert_string_equal(out, "hello\n");
	const char *bad[] = { "sh", "-c", "exit 3", NULL };
	assert_int_equal(run_argv(&log, &o, bad, &status), -EIO);
	assert_int_equal(status, 3);
	const char *none[] = { "xh-no-such-program", NULL };
	assert_int_equal(run_argv(&log, &o, none, &status), -ENOENT);
	xlog_close(&log);
}

/* Run argv with a deadline of timeout_s; its result, its status and how long it took. */
static int run_timed(const char *const argv[], unsigned timeout_s, int *status, double *took)
{
	struct xlog log;
	xlog_open(&log, NULL, NULL);
	struct run_opts o = { .quiet_fail = true, .timeout_s = timeout_s };
	double t0 = now_s();
	int r = run_argv(&log, &o, argv, status);
	*took = now_s() - t0;
	xlog_close(&log);
	return r;
}

/* A program past its deadline gets SIGTERM and is reported as -ETIMEDOUT. */
static void test_deadline_sigterm(void **state)
{
	(void)state;
	const char *argv[] = { "sleep", "30", NULL };
	int status = 0;
	double t;
	assert_int_equal(run_timed(argv, 1, &status, &t), -ETIMEDOUT);
	assert_true(t >= 1.0 && t < 5.0);
	assert_int_equal(status, 128 + SIGTERM);
}

/* One that ignores SIGTERM gets SIGKILL RUN_KILL_GRACE_S later (the shell and its
 * sleep, which inherited the ignored SIGTERM). */
static void test_deadline_sigkill(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "trap '' TERM; sleep 15", NULL };
	int status = 0;
	double t;
	assert_int_equal(run_timed(argv, 1, &status, &t), -ETIMEDOUT);
	assert_true(t >= 1.0 + RUN_KILL_GRACE_S && t < 5.0 + RUN_KILL_GRACE_S);
	assert_int_equal(status, 128 + SIGKILL);
}

/* One that closed its output and goes on is held to the same deadline. */
static void test_deadline_after_output_closed(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "exec > /dev/null 2>&1; exec sleep 30", NULL };
	int status = 0;
	double t;
	assert_int_equal(run_timed(argv, 1, &status, &t), -ETIMEDOUT);
	assert_true(t < 5.0);
	assert_int_equal(status, 128 + SIGTERM);
}

/* What a program started (a script's sleep, holding the output) is stopped with it. */
static void test_deadline_stops_what_it_started(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "sleep 30; echo never", NULL };
	int status = 0;
	double t;
	assert_int_equal(run_timed(argv, 1, &status, &t), -ETIMEDOUT);
	assert_true(t >= 1.0 && t < 5.0);
}

/* A program that finishes in time is not touched by its deadline. */
static void test_in_time(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "sleep 0.2; exit 0", NULL };
	int status = -2;
	double t;
	assert_int_equal(run_timed(argv, 2, &status, &t), 0);
	assert_int_equal(status, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_and_output),
		cmocka_unit_test(test_deadline_sigterm),
		cmocka_unit_test(test_deadline_sigkill),
		cmocka_unit_test(test_deadline_after_output_closed),
		cmocka_unit_test(test_deadline_stops_what_it_started),
		cmocka_unit_test(test_in_time),
	};
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
