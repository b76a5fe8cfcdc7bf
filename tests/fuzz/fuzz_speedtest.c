/*
 * libFuzzer target: the speed tester's results file (<state>/speedtest/
 * results.json), read at every start; a file damaged or written by hand
 * must give a list of results the status and the pages can show: at most
 * SPEEDTEST_KEEP, each with its figures numbers and its time an integer.
 */
#include <stdint.h>
#include <stdlib.h>

#include "features/admin/speedtest/speedtest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *l = st_results_parse((const char *)data, size, SPEEDTEST_KEEP), *r;
	size_t i;

	if (!json_is_array(l) || json_array_size(l) > SPEEDTEST_KEEP)
		abort();
	json_array_foreach(l, i, r)
		if (!st_result_ok(r))
			abort();
	json_decref(l);
	return 0;
}
