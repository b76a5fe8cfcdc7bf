/* System: the router's hostname, and how many revisions the store keeps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/util.h"
#include "store/doc.h"
#include "store/store.h"

static const struct sc_field system_fields[] = {
	{ .name = "hostname", .kind = SC_HOSTNAME, .flags = SC_F_REQUIRED, .def = "\"difos\"",
	  .title = "Hostname",
	  .help = "Name of the router; LAN clients resolve it (and hostname.<domain>) to the LAN address." },
	{ .name = "keep_revisions", .kind = SC_INT, .min = 1, .max = 100000, .def = "100",
	  .title = "Revisions kept",
	  .help = "Applied configurations kept for history, diff and rollback; older ones are "
		  "dropped unless pinned. The running one, one waiting for confirmation and the "
		  "one a rollback returns to are always kept." },
	{ .name = NULL }
};

static const struct sc_field system_section = {
	.name = "system", .kind = SC_OBJECT, .fields = system_fields, .title = "System",
	.help = "Identity of the router; the configuration history.",
};

static const struct sc_field *const system_sections[] = { &system_section, NULL };

static int system_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;

	render_add(out, "hostname", 0644, xasprintf("%s\n", doc_str(doc, "system.hostname")));
	return 0;
}

/* What was rendered is the machine's name: /etc/hostname, and the kernel's. */
static int system_apply(struct feature_ctx *ctx)
{
	char *rendered = xasprintf("%s/hostname", ctx->dir), *text = file_read(rendered, NULL);
	const char *etc = ctx->env->paths.etc;
	char *path = xasprintf("%s/hostname", etc), name[64];
	int rc;

	free(rendered);
	/* the commit that follows this apply prunes with the new number */
	if (ctx->env->engine)
		store_set_keep(ctx->env->engine->store,
			       (int)doc_int(ctx->doc, "system.keep_revisions", STORE_KEEP_DEFAULT));
	if (!text) {
		free(path);
		ctx->err = xasprintf("cannot read the rendered hostname: %s", strerror(errno));
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(text, "\n"), text);
	mkdir_p(etc, 0755);
	rc = file_write_atomic(path, text, strlen(text), 0644);
	free(text);
	free(path);
	if (rc < 0) {
		ctx->err = xasprintf("cannot write /etc/hostname: %s", strerror(-rc));
		return -1;
	}
	/* only the real machine's name: a test or demo root must not rename the host */
	if (!strcmp(ctx->env->paths.root, "/") && !sys_is_dry(ctx->env->sys) && sethostname(name, strlen(name)) < 0) {
		ctx->err = xasprintf("sethostname %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* The router answers to its hostname on the web. */
static void system_host_names(struct feature_ctx *ctx, json_t *names)
{
	const char *h = doc_str(ctx->doc, "system.hostname");

	if (h && *h)
		json_array_append_new(names, json_string(h));
}

const struct feature feature_system = {
	.name = "system",
	.title = "System",
	.sections = system_sections,
	.render = system_render,
	.apply = system_apply,
	.reads = (const char *const[]){ "system.keep_revisions", NULL },
	.host_names = system_host_names,
};
