/*
 * libFuzzer target: stored documents (store/zdoc.c). The input is taken
 * as a stored form, as a damaged or foreign config.db would hold it, and
 * unpacked; and as a text, packed and unpacked again to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/zdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = zdoc_unpack(data, size), *again;
	size_t n = 0;
	void *packed;

	free(text);
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	packed = zdoc_pack(text, size, &n);
	if (!packed)
		abort();
	again = zdoc_unpack(packed, n);
	if (!again || memcmp(again, text, size) != 0)
		abort();
	free(again);
	free(packed);
	free(text);
	return 0;
}
