/*
 * Kept answers: an answer some part of the core keeps and hands to every
 * caller for a while (status, the dashboard) is registered here, and its
 * JSON text is written once. The registry holds a reference, so a
 * registered object is never freed and its address never reused while it
 * is here: the same address is the same answer. A kept answer is only
 * ever read; that is the promise of whoever registers it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "rpc/rpc.h"

#define KEPT_SLOTS 8

static struct {
	json_t *answer;
	char *text;
	size_t len;
} kept[KEPT_SLOTS];
static unsigned kept_next;

json_t *rpc_kept(json_t *answer)
{
	unsigned i = kept_next++ % KEPT_SLOTS;

	json_decref(kept[i].answer);
	free(kept[i].text);
	kept[i].answer = json_incref(answer);
	kept[i].text = NULL;
	kept[i].len = 0;
	return answer;
}

char *rpc_answer_text(const json_t *answer, size_t *len)
{
	for (unsigned i = 0; i < KEPT_SLOTS; i++) {
		if (kept[i].answer != answer)
			continue;
		if (!kept[i].text) {
			kept[i].text = json_dumps(answer, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!kept[i].text)
				return NULL;
			kept[i].len = strlen(kept[i].text);
		}
		if (len)
			*len = kept[i].len;
		return memcpy(xmalloc(kept[i].len + 1), kept[i].text, kept[i].len + 1);
	}
	{
		char *text = json_dumps(answer, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text && len)
			*len = strlen(text);
		return text;
	}
}
