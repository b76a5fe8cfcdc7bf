/* Unit tests of the Prometheus text format writer (core/prom.c). */
#include <math.h>
#include <stdlib.h>

#include "t.h"
#include "core/prom.h"
#include "core/util.h"

static void test_family_and_samples(void)
{
	struct sbuf b;
	const char *const labels[] = { "device", "br-lan", "skip", NULL, "le", "+Inf", NULL };
	char *text;

	sbuf_init(&b);
	prom_family(&b, "node_network_up", "gauge", "1 if up,\nelse 0 (a \\ b)");
	prom_sample_u(&b, "node_network_up", labels, 1);
	prom_sample_u(&b, "node_network_up", NULL, 18446744073709551615ULL);
	prom_sample(&b, "x", NULL, 0.25);
	prom_sample(&b, "x", NULL, INFINITY);
	prom_sample(&b, "x", NULL, NAN);
	text = sbuf_steal(&b);
	/* HELP escapes a backslash and a newline, not quotes; a label whose
	 * value is NULL is left out; counters stay exact past 2^53 */
	T_CHECK_STR(text, "# HELP node_network_up 1 if up,\\nelse 0 (a \\\\ b)\n"
			  "# TYPE node_network_up gauge\n"
			  "node_network_up{device=\"br-lan\",le=\"+Inf\"} 1\n"
			  "node_network_up 18446744073709551615\n"
			  "x 0.25\nx +Inf\nx NaN\n");
	free(text);
}

static void test_label_values_escaped(void)
{
	struct sbuf b;
	const char *const labels[] = { "rule", "say \"hi\"\\\nbye", NULL };
	char *text;

	sbuf_init(&b);
	prom_sample_u(&b, "m", labels, 2);
	text = sbuf_steal(&b);
	T_CHECK_STR(text, "m{rule=\"say \\\"hi\\\"\\\\\\nbye\"} 2\n");
	free(text);
	sbuf_init(&b);
	prom_escape(&b, "plain");
	prom_escape(&b, "");
	prom_escape(&b, "\"");
	text = sbuf_steal(&b);
	T_CHECK_STR(text, "plain\\\"");
	free(text);
}

int main(void)
{
	T_RUN(test_family_and_samples);
	T_RUN(test_label_values_escaped);
	return t_done("prom");
}
