/*
 * libFuzzer target: the backup reader (config/backup_archive.c). The input
 * is a file someone uploads to restore: gzip, tar headers, names, types,
 * sizes, the manifest and the members' hashes all come from it. The reader
 * must refuse or accept without a crash, a leak or unbounded memory, and
 * what it accepts must hold a running document.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config/backup_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_contents b;
	char *err = NULL;

	if (backup_read_mem(data, size, &b, &err) == 0) {
		if (!b.manifest || !json_is_object(b.config) || err)
			abort();
		backup_contents_free(&b);
	} else if (!err) {
		abort();   /* a refusal always says why */
	}
	free(err);
	return 0;
}
