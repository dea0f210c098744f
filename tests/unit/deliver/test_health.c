// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/deliver/health.c: the metrics text, atomic files, sd_notify. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "deliver/health.h"

static const char *const names[MW_EV_MAX] = {
    [MW_EV_EXEC] = "exec", [MW_EV_OPEN] = "open", [MW_EV_IO] = "io"};

static void test_metrics_text(void **state)
{
	cJSON *outs = cJSON_Parse("[{\"name\":\"siem \\\"a\\\"\",\"type\":\"webhook\","
				  "\"delivered\":7,\"pending\":2,\"dropped\":{\"spool_full\":3}}]");
	static const struct health_labeled by_rule[] = {{"mcp-shell-spawn", 4}, {"local \"x\"", 1}};
	static const struct health_grade grades[] = {
	    {NULL, 0, 'B', 84}, {"fs \"srv\"", 4242, 'D', 61}, {"odd", 7, 0, 0}};
	struct health_counts c = {.event_names = names,
				  .alerts = 5,
				  .alerts_by_rule = by_rule,
				  .nalerts_by_rule = 2,
				  .grades = grades,
				  .ngrades = 3,
				  .tool_calls = 9,
				  .servers = 2,
				  .held_replayed = 3,
				  .held_expired = 8,
				  .outputs = outs,
				  .time_ns = 1700000000500000000LL};
	char *t;

	c.events[MW_EV_EXEC] = 11;
	c.lost[MW_EV_IO] = 4;
	c.filtered[MW_EV_OPEN] = 6;
	t = health_metrics_text(&c);
	assert_non_null(t);
	assert_non_null(strstr(t, "# TYPE mcpwatch_events_total counter\n"));
	assert_non_null(strstr(t, "mcpwatch_events_total{type=\"exec\"} 11\n"));
	assert_non_null(strstr(t, "mcpwatch_events_lost_total{type=\"io\"} 4\n"));
	assert_non_null(strstr(t, "mcpwatch_events_filtered_total{type=\"open\"} 6\n"));
	assert_null(strstr(t, "type=\"(null)\""));
	assert_non_null(strstr(t, "mcpwatch_alerts_total 5\n"));
	assert_non_null(strstr(t, "mcpwatch_tool_calls_total 9\n"));
	assert_non_null(strstr(t, "mcpwatch_servers_watched 2\n"));
	assert_non_null(strstr(t, "mcpwatch_held_events_total{outcome=\"replayed\"} 3\n"));
	assert_non_null(strstr(t, "mcpwatch_held_events_total{outcome=\"expired\"} 8\n"));
	assert_non_null(strstr(t, "mcpwatch_held_events_total{outcome=\"dropped\"} 0\n"));
	/* Label values escaped as the exposition format wants. */
	assert_non_null(
	    strstr(t, "mcpwatch_output_delivered_total{output=\"siem \\\"a\\\"\"} 7\n"));
	assert_non_null(strstr(t, "mcpwatch_output_pending{output=\"siem \\\"a\\\"\"} 2\n"));
	assert_non_null(strstr(
	    t,
	    "mcpwatch_output_dropped_total{output=\"siem \\\"a\\\"\",reason=\"spool_full\"} 3\n"));
	assert_non_null(strstr(t, "mcpwatch_last_update_seconds 1700000000.500\n"));
	assert_non_null(strstr(t, "# TYPE mcpwatch_rule_alerts_total counter\n"));
	assert_non_null(strstr(t, "mcpwatch_rule_alerts_total{rule=\"mcp-shell-spawn\"} 4\n"));
	assert_non_null(strstr(t, "mcpwatch_rule_alerts_total{rule=\"local \\\"x\\\"\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE mcpwatch_posture_score gauge\n"));
	assert_non_null(strstr(t, "mcpwatch_posture_score{scope=\"host\",grade=\"B\"} 84\n"));
	assert_non_null(strstr(t, "mcpwatch_posture_score{scope=\"server\",server=\"fs "
				  "\\\"srv\\\"\",pid=\"4242\",grade=\"D\"} 61\n"));
	/* A grade that is not a letter is not passed through. */
	assert_non_null(strstr(t, "server=\"odd\",pid=\"7\",grade=\"?\"} 0\n"));
	free(t);
	cJSON_Delete(outs);
}

/* Before the first grade and before any alert: the families, no samples. */
static void test_metrics_text_empty(void **state)
{
	struct health_counts c = {.event_names = names};
	char *t = health_metrics_text(&c);

	(void)state;
	assert_non_null(t);
	assert_non_null(strstr(t, "# TYPE mcpwatch_posture_score gauge\n"));
	assert_null(strstr(t, "mcpwatch_posture_score{"));
	assert_null(strstr(t, "mcpwatch_rule_alerts_total{"));
	free(t);
}

static void test_files_replaced_atomically(void **state)
{
	char dir[] = "/tmp/mcpwatch-health-XXXXXX", path[128], tmp[160], buf[128] = "", err[256];
	struct health_counts c = {.event_names = names};
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/health", dir);
	assert_int_equal(health_write_heartbeat(path, 1700000000123456789LL, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "ok 2023-11-14T22:13:20.123Z\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0); /* no temporary left behind */
	snprintf(path, sizeof(path), "%s/metrics.prom", dir);
	assert_int_equal(health_write_metrics(path, &c, err, sizeof(err)), 0);
	assert_int_equal(access(path, R_OK), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/health", dir);
	unlink(path);
	/* An unwritable place fails with the reason, naming the file. */
	snprintf(path, sizeof(path), "%s/no/such/dir/health", dir);
	assert_true(health_write_heartbeat(path, 0, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, path));
	rmdir(dir);
}

static void test_sd_notify(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[64];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t n;

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/mcpwatch-notify-%d", getpid());
	unlink(sa.sun_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(health_notify("READY=1"), 0); /* not under systemd: nothing to do */
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	assert_int_equal(health_notify("READY=1"), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(health_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(sa.sun_path);
}

static void test_watchdog(void **state)
{
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(health_watchdog_ns(), 0);
	setenv("WATCHDOG_USEC", "20000000", 1);
	assert_int_equal(health_watchdog_ns(), 20000000000LL);
	setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
	assert_int_equal(health_watchdog_ns(), 0);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics_text),
	    cmocka_unit_test(test_metrics_text_empty),
	    cmocka_unit_test(test_files_replaced_atomically),
	    cmocka_unit_test(test_sd_notify),
	    cmocka_unit_test(test_watchdog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
