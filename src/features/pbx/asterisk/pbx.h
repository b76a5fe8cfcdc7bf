/*
 * The PBX engine: Asterisk, configured from the "pbx" section and what the
 * PBX's pages add (the asterisk hook), run by the supervisor and driven
 * through its manager interface (AMI).
 */
#ifndef DIFOS_PBX_H
#define DIFOS_PBX_H

#include "apply/feature.h"
#include "features/pbx/pbx_paths.h"

extern const struct sc_field *const pbx_sections[];

/* pbx_render.c: every Asterisk file, from the document (pure) */
int pbx_render(struct feature_ctx *ctx, struct render_out *out);
/* Does the document give Asterisk anything to serve (enabled, and an
 * extension or a trunk)? */
bool pbx_wanted(const json_t *doc);


#endif
