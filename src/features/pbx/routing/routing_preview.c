/*
 * The route preview: where a number goes, decided as Asterisk decides it.
 * Dialled by an extension, a number is first an extension's (the
 * extensions' context is included before the outbound one), then the
 * pattern Asterisk takes among the trunks' dial-out prefixes and the
 * outbound routes of difos-outbound, in the order they are defined there
 * (the trunks' first: they come first in the feature table). Called in on
 * a trunk, a number takes an inbound route, or else the trunk's default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/routing/pattern.h"
#include "features/pbx/routing/routing.h"
#include "store/doc.h"

static const json_t *routing_trunk_by(const json_t *doc, const char *key, const json_t *value)
{
	const json_t *t;
	size_t i;

	json_array_foreach(doc_get(doc, "trunks.list"), i, t)
		if (json_equal(json_object_get(t, key), value))
			return t;
	return NULL;
}

json_t *routing_preview_outbound(const json_t *doc, const char *number)
{
	const json_t *e, *t, *r;
	const char **pats;
	const json_t **owners;
	size_t i, n = 0, cap;
	int pick;
	json_t *out;

	json_array_foreach(doc_get(doc, "extensions.list"), i, e)
		if (doc_bool(e, "enabled", true) && doc_str(e, "number") &&
		    !strcmp(doc_str(e, "number"), number))
			return json_pack("{s:s, s:s, s:s?}", "kind", "extension", "extension", number,
					 "name", doc_str(e, "name"));
	cap = json_array_size(doc_get(doc, "trunks.list")) +
	      json_array_size(doc_get(doc, "call_routing.outbound")) + 1;
	pats = xcalloc(cap, sizeof(*pats));
	owners = xcalloc(cap, sizeof(*owners));
	json_array_foreach(doc_get(doc, "trunks.list"), i, t)
		if (doc_bool(t, "enabled", true) && doc_str(t, "dialout_prefix")) {
			owners[n] = t;
			pats[n++] = xasprintf("_%s.", doc_str(t, "dialout_prefix"));
		}
	size_t first_route = n;
	json_array_foreach(doc_get(doc, "call_routing.outbound"), i, r)
		if (doc_bool(r, "enabled", true) && doc_str(r, "pattern")) {
			owners[n] = r;
			pats[n++] = xstrdup(doc_str(r, "pattern"));
		}
	pick = pat_pick(pats, n, number);
	if (pick < 0) {
		out = json_pack("{s:s}", "kind", "none");
	} else if ((size_t)pick < first_route) {
		t = owners[pick];
		out = json_pack("{s:s, s:s, s:s, s:s}", "kind", "prefix", "pattern", pats[pick],
				"trunk", doc_str(t, "name"), "sent",
				number + strlen(doc_str(t, "dialout_prefix")));
	} else {
		r = owners[pick];
		t = routing_trunk_by(doc, "id", json_object_get(r, "trunk"));
		out = json_pack("{s:s, s:{s:O, s:s?, s:s}, s:s?, s:s, s:s?}", "kind", "route", "route",
				"id", json_object_get(r, "id"), "name", doc_str(r, "name"), "pattern",
				pats[pick], "trunk", t ? doc_str(t, "name") : NULL, "sent", number,
				"caller_id", doc_str(r, "caller_id"));
	}
	for (i = 0; i < n; i++)
		free((char *)pats[i]);
	free(pats);
	free(owners);
	return out;
}

json_t *routing_preview_inbound(const json_t *doc, const char *trunk, const char *did)
{
	const json_t *routes = doc_get(doc, "call_routing.inbound"), *r, *t;
	json_t *name = json_string(trunk);
	const char **pats = xcalloc(json_array_size(routes) + 1, sizeof(*pats));
	const json_t **owners = xcalloc(json_array_size(routes) + 1, sizeof(*owners));
	size_t i, n = 0;
	int pick;
	json_t *out;

	t = routing_trunk_by(doc, "name", name);
	json_decref(name);
	json_array_foreach(routes, i, r)
		if (doc_bool(r, "enabled", true) && doc_str(r, "pattern")) {
			owners[n] = r;
			pats[n++] = doc_str(r, "pattern");
		}
	pick = pat_pick(pats, n, did);
	if (!t)
		out = json_pack("{s:s}", "kind", "no_trunk");
	else if (pick >= 0)
		out = json_pack("{s:s, s:{s:O, s:s?, s:s}, s:s}", "kind", "route", "route", "id",
				json_object_get(owners[pick], "id"), "name",
				doc_str(owners[pick], "name"), "pattern", pats[pick], "destination",
				doc_str(owners[pick], "destination"));
	else if (doc_str(t, "default_destination"))
		out = json_pack("{s:s, s:s}", "kind", "default", "destination",
				doc_str(t, "default_destination"));
	else
		out = json_pack("{s:s}", "kind", "refused");
	free(pats);
	free(owners);
	return out;
}
