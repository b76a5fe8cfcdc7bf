/*
 * libFuzzer target: what an Asterisk manager port sends to the AMI reader,
 * as a client reads it (a banner first), whole and in pieces cut where the
 * input's first byte says; and the action writer given the input cut at NUL bytes
 * as action, key, value...: whatever it agrees to write must read back as
 * exactly one action with exactly those lines (no value can inject one).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/asterisk/ami_parse.h"

static void read_stream(const char *data, size_t size, size_t step, bool banner)
{
	struct ami_reader r;
	size_t off = 0;

	ami_reader_init(&r, banner);
	while (off < size) {
		size_t piece = size - off < step ? size - off : step, done = 0;

		while (done < piece) {
			struct ami_msg *m;
			size_t used, pos = 0;
			enum ami_read rc = ami_reader_feed(&r, data + off + done, piece - done,
							   &used, &m);

			done += used;
			if (rc == AMI_ERROR) {
				ami_reader_free(&r);
				return;
			}
			if (rc == AMI_BANNER)
				ami_banner_version(r.banner);
			if (rc == AMI_MESSAGE) {
				json_t *j = ami_msg_json(m);

				if (m->n > AMI_FIELDS_MAX || m->bytes > AMI_MSG_MAX + AMI_LINE_MAX + 4)
					abort();
				ami_get(m, "ActionID");
				while (ami_get_next(m, "Output", &pos))
					;
				ami_is(m, "EventList", "Complete");
				json_decref(j);
				ami_msg_free(m);
			}
			if (rc == AMI_MORE && done != piece)
				abort();   /* "more" means all of it was used */
		}
		off += piece;
	}
	ami_reader_free(&r);
}

static void write_action(const char *data, size_t size)
{
	const char *parts[16];
	size_t n = 0, pairs;
	char *copy = malloc(size + 1);
	struct sbuf out;
	char *err = NULL;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; n < ARRAY_SIZE(parts) - 1 && p <= copy + size; p += strlen(p) + 1)
		parts[n++] = p;
	if (n < 1) {
		free(copy);
		return;
	}
	pairs = (n - 1) / 2;
	parts[1 + pairs * 2] = NULL;
	sbuf_init(&out);
	if (ami_action_write(&out, parts[0], "difos-1", parts + 1, &err) == 0) {
		struct ami_reader r;
		struct ami_msg *m = NULL;
		size_t used;

		ami_reader_init(&r, false);
		/* one whole action, all of the text, the lines as given */
		if (ami_reader_feed(&r, out.s, out.len, &used, &m) != AMI_MESSAGE ||
		    used != out.len || m->n != 2 + pairs ||
		    strcmp(m->fields[0].value, parts[0]) != 0)
			abort();
		for (size_t i = 0; i < pairs; i++)
			if (strcmp(m->fields[2 + i].key, parts[1 + 2 * i]) != 0 ||
			    strcmp(m->fields[2 + i].value, parts[2 + 2 * i]) != 0)
				abort();
		ami_msg_free(m);
		ami_reader_free(&r);
	} else if (!err || out.len != 0) {
		abort();   /* refused: a reason, and nothing written */
	}
	free(err);
	sbuf_free(&out);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step;

	if (size < 1)
		return 0;
	/* the first byte also says where to cut: the seeds stay transcripts */
	step = (size_t)data[0] % 64 + 1;
	read_stream((const char *)data, size, size, true);
	read_stream((const char *)data, size, step, true);
	read_stream((const char *)data, size, step, false);
	write_action((const char *)data, size);
	return 0;
}
