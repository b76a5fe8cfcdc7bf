/*
 * libFuzzer target: what charon sends on its vici socket, as difosd reads
 * it (features/vpn/ipsec/vici_parse.c), and charon's log as the status
 * reads it (ipsec_log.c). The input is one packet (without its length
 * prefix); what the reader promises is checked:
 *  - a packet parsed is an object whose values are strings, arrays of
 *    strings or objects of the same, every string printable ASCII;
 *  - encoding it again and parsing that gives the same message (the
 *    parser loses nothing it kept), within the packet limit;
 *  - a refused packet leaves no message;
 *  - the log reader never reads past the input, for any name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/vpn/ipsec/ipsec_int.h"
#include "features/vpn/ipsec/vici_msg.h"

static void check_tree(const json_t *o, int depth)
{
	const char *k;
	const json_t *v;

	if (!json_is_object(o) || depth > VICI_DEPTH_MAX)
		abort();
	json_object_foreach((json_t *)o, k, v) {
		if (json_is_object(v)) {
			check_tree(v, depth + 1);
		} else if (json_is_array(v)) {
			size_t i;
			const json_t *item;

			json_array_foreach(v, i, item)
				if (!json_is_string(item))
					abort();
		} else if (!json_is_string(v)) {
			abort();
		} else {
			for (const char *s = json_string_value(v); *s; s++)
				if (*s < 0x20 || *s > 0x7e)
					abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], name[256], name2[256];
	json_t *m = NULL, *m2 = NULL;
	int type = -1, type2 = -1;
	struct sbuf b;

	if (vici_parse(data, size, &type, name, &m, err, sizeof(err)) < 0) {
		if (m)
			abort();
	} else {
		check_tree(m, 0);
		sbuf_init(&b);
		if (vici_encode(&b, type, name, m, err, sizeof(err)) == 0) {
			if (vici_parse((unsigned char *)b.s + 4, b.len - 4, &type2, name2, &m2, err,
				       sizeof(err)) < 0 || type2 != type || strcmp(name, name2) ||
			    !json_equal(m, m2))
				abort();
			json_decref(m2);
		}
		sbuf_free(&b);
		json_decref(m);
	}
	/* the same bytes as a log, for a name taken from its first bytes */
	if (size) {
		char n[9];
		size_t k = data[0] % 8;

		for (size_t i = 0; i < k; i++)
			n[i] = i + 1 < size && data[i + 1] > 0x20 && data[i + 1] < 0x7f
				       ? (char)data[i + 1] : 'x';
		n[k] = '\0';
		(void)ipsec_log_problem((const char *)data, size, n, data[0] & 1);
	}
	return 0;
}
