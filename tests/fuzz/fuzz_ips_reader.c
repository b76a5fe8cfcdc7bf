/*
 * libFuzzer target: intrusion prevention's reader stream (src/ips-reader:
 * frames to lines to records) and difosd's strict reading of the records
 * (features/services/ips/ips_record.c). The input is a list of chunks
 * (service byte, length byte, that many bytes of log), sent as frames.
 * Promises:
 *  - every record the reader writes is one line that difosd's reader takes
 *    (the two sides agree), with an address and a known service;
 *  - the records do not depend on how the stream is cut: the whole stream
 *    and the stream cut at every chunk's middle give the same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/services/ips/ips_int.h"
#include "ips-reader/ipr.h"

struct out {
	char *text;
	size_t len;
};

static void emit(void *arg, const char *rec, size_t len)
{
	struct out *o = arg;
	struct ips_record r;

	if (len < 2 || rec[len - 1] != '\n' || memchr(rec, '\n', len - 1))
		abort();
	if (!ips_record_parse(rec, len - 1, &r))
		abort();
	if (r.service < 0 || r.service >= IPS_SERVICES || (r.addr.family != 4 && r.addr.family != 6))
		abort();
	o->text = realloc(o->text, o->len + len);
	memcpy(o->text + o->len, rec, len);
	o->len += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipr a, b;
	unsigned char *stream = malloc(size * 5 + 16);
	size_t n = 0, cuts[512], ncuts = 0;
	struct out oa = { 0 }, ob = { 0 };
	int ra, rb = 0;

	for (size_t i = 0; i + 2 <= size;) {
		int svc = data[i] % 3;
		size_t len = data[i + 1];

		i += 2;
		if (len > size - i)
			len = size - i;
		ips_frame_header(stream + n, svc, (uint32_t)len);
		n += IPS_FRAME_HEADER;
		if (ncuts < 512)
			cuts[ncuts++] = n + len / 2;
		memcpy(stream + n, data + i, len);
		n += len;
		i += len;
	}
	ipr_init(&a);
	ra = ipr_feed(&a, stream, n, emit, &oa);
	ipr_init(&b);
	size_t from = 0;
	for (size_t k = 0; k < ncuts && rb == 0; k++) {
		rb = ipr_feed(&b, stream + from, cuts[k] - from, emit, &ob);
		from = cuts[k];
	}
	if (rb == 0)
		rb = ipr_feed(&b, stream + from, n - from, emit, &ob);
	if (ra != rb || oa.len != ob.len || (oa.len && memcmp(oa.text, ob.text, oa.len)))
		abort();
	free(oa.text);
	free(ob.text);
	free(stream);
	return 0;
}
