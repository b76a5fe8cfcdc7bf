/* Collected output of a renderer. */
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "core/util.h"

void render_add(struct render_out *o, const char *name, unsigned mode, char *data_owned)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 4;
		o->v = xrealloc(o->v, o->cap * sizeof(*o->v));
	}
	o->v[o->n].name = xstrdup(name);
	o->v[o->n].data = data_owned;
	o->v[o->n].mode = mode;
	o->n++;
}

void render_out_free(struct render_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].name);
		free(o->v[i].data);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

const char *render_get(const struct render_out *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].name, name))
			return o->v[i].data;
	return NULL;
}

