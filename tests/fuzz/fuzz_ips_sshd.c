/*
 * libFuzzer target: intrusion prevention's sshd parser
 * (features/services/ips/ips_sshd.c); the promises are in fuzz_ips.h. The
 * seeds hold the injection lines of tests/unit/test_ips_parse.c.
 */
#include "fuzz_ips.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_ips(ips_parse_sshd, IPS_SSH, data, size);
}
