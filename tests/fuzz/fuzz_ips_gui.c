/*
 * libFuzzer target: intrusion prevention's gui parser
 * (features/services/ips/ips_gui.c); the promises are in fuzz_ips.h. The
 * seeds hold the injection lines of tests/unit/test_ips_parse.c.
 */
#include "fuzz_ips.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_ips(ips_parse_gui, IPS_GUI, data, size);
}
