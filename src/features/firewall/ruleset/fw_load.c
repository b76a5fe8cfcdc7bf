/*
 * Loading a rendered ruleset by the smallest change.
 *
 * ruleset.nft holds the declarations and chains of table inet difos; the
 * elements of each alias set and of each rules' verdict map are in
 * set.<name>. Given the files in force, the loader compares block by block:
 *   - a set or map whose elements alone changed gets element updates
 *     through netlink (fw_elems.c), which stay fast with huge sets;
 *   - a changed chain is flushed and refilled; a new one added, a gone
 *     one deleted; a redefined set is deleted and added with its elements;
 *   - everything else is left alone, so dnsmasq-filled sets keep their
 *     addresses and unchanged sets are not sent again.
 * The structural part is one nft transaction. When the table is missing,
 * nothing was in force, or any step fails, the whole ruleset is loaded
 * in one transaction instead (the same text as `nft -f` would take).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "features/firewall/ruleset/firewall.h"

struct block {
	char kind;      /* 's' set, 'm' map, 'c' chain */
	char *name;
	char *text;     /* the whole block, "\t<kind> <name> {" to "\t}" */
	char *header;   /* chains: the "type ... hook ..." line, or NULL */
	int state;      /* see enum below */
};

enum { B_SAME, B_NEW, B_CHANGED, B_RECREATE, B_GONE };

struct blocks {
	struct block *v;
	size_t n;
};

static void blocks_free(struct blocks *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].text);
		free(b->v[i].header);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Splits our own rendering (fw_render.c) into its top-level blocks. */
static void blocks_parse(const char *text, struct blocks *out)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		char kind = 0;

		if (!strncmp(p, "\tset ", 5))
			kind = 's';
		else if (!strncmp(p, "\tmap ", 5))
			kind = 'm';
		else if (!strncmp(p, "\tchain ", 7))
			kind = 'c';
		if (kind) {
			const char *name = p + (kind == 'c' ? 7 : 5), *end = strstr(p, "\n\t}\n");
			struct block *b;
			const char *inner;

			if (!end)
				break;
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			b = &out->v[out->n++];
			memset(b, 0, sizeof(*b));
			b->kind = kind;
			b->name = xstrndup(name, strcspn(name, " {\n"));
			b->text = xstrndup(p, (size_t)(end - p) + 4);
			inner = strchr(p, '\n');
			if (kind == 'c' && inner && !strncmp(inner + 1, "\t\ttype ", 7))
				b->header = xstrndup(inner + 1, strcspn(inner + 1, "\n"));
			p = end + 4;
			continue;
		}
		p = eol ? eol + 1 : NULL;
	}
}

static struct block *blocks_find(struct blocks *b, const char *name, char kind)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].kind == kind && !strcmp(b->v[i].name, name))
			return &b->v[i];
	return NULL;
}

static bool is_set(const struct block *b)
{
	return b->kind == 's' || b->kind == 'm';
}

static char *set_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/set.%s", dir, name);
	char *text = file_read(path, NULL);

	free(path);
	return text;
}

/* "add element inet difos NAME { a, b, c }" for the lines of a set file */
static void add_elements_cmd(struct sbuf *out, const char *name, const char *lines)
{
	size_t n = 0;

	if (!lines || !*lines)
		return;
	sbuf_printf(out, "add element inet " FW_TABLE " %s { ", name);
	for (const char *p = lines; *p;) {
		size_t len = strcspn(p, "\n");
		if (len) {
			if (n++)
				sbuf_add(out, ", ");
			sbuf_addn(out, p, len);
		}
		p += len;
		if (*p)
			p++;
	}
	sbuf_add(out, " }\n");
}

static void add_all_elements(struct sbuf *out, const struct blocks *sets, const char *dir,
			     bool only_new)
{
	for (size_t i = 0; i < sets->n; i++) {
		const struct block *b = &sets->v[i];
		char *lines;

		if (!is_set(b) || (only_new && b->state != B_NEW && b->state != B_RECREATE))
			continue;
		lines = set_file(dir, b->name);
		add_elements_cmd(out, b->name, lines);
		free(lines);
	}
}

char *fw_full_script(const char *structure, const char *dir)
{
	struct blocks nb;
	struct sbuf b;

	blocks_parse(structure, &nb);
	sbuf_init(&b);
	/* create-then-delete replaces the table whether or not it exists */
	sbuf_add(&b, "table inet " FW_TABLE "\ndelete table inet " FW_TABLE "\n");
	sbuf_add(&b, structure);
	add_all_elements(&b, &nb, dir, false);
	blocks_free(&nb);
	return sbuf_steal(&b);
}

/*
 * Do `now` and `checked` (a structure nft accepted) differ in chain bodies
 * alone: the same blocks by name and kind, the same set and map
 * declarations, the same base chain hooks?
 */
bool fw_only_chains_differ(const char *now, const char *checked)
{
	struct blocks nb, ob;
	bool ok;

	if (!checked)
		return false;
	blocks_parse(now, &nb);
	blocks_parse(checked, &ob);
	ok = nb.n == ob.n && nb.n > 0;
	for (size_t i = 0; ok && i < nb.n; i++) {
		const struct block *o = blocks_find(&ob, nb.v[i].name, nb.v[i].kind);

		ok = o && (is_set(o) ? !strcmp(o->text, nb.v[i].text)
				     : !o->header == !nb.v[i].header &&
				       (!o->header || !strcmp(o->header, nb.v[i].header)));
	}
	blocks_free(&nb);
	blocks_free(&ob);
	return ok;
}

/* ---- element differences ---- */

static int set_keytype(const struct block *b)
{
	static const struct { const char *decl; int type; } types[] = {
		{ "type ipv4_addr\n", FW_KEY_V4 },
		{ "type ipv6_addr\n", FW_KEY_V6 },
		{ "type inet_service\n", FW_KEY_PORT },
		{ "type ipv4_addr . inet_proto . inet_service : verdict\n", FW_KEY_V4_PROTO_PORT },
		{ "type ipv6_addr . inet_proto . inet_service : verdict\n", FW_KEY_V6_PROTO_PORT },
		{ "type inet_proto . inet_service : verdict\n", FW_KEY_PROTO_PORT },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strstr(b->text, types[i].decl))
			return types[i].type;
	return 0;
}

static void split_lines(char *text, char ***v, size_t *n)
{
	*v = NULL;
	*n = 0;
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p) {
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[(*n)++] = p;
		}
		p = nl ? nl + 1 : NULL;
	}
}

/*
 * Lines in a but not in b. Both files come from the renderer in the same
 * canonical order, so a change is a window between a common head and a
 * common tail; only that window is compared.
 */
static void diff_window(char **a, size_t na, char **b, size_t nb, size_t *head, size_t *tail)
{
	size_t h = 0, t = 0;

	while (h < na && h < nb && !strcmp(a[h], b[h]))
		h++;
	while (t < na - h && t < nb - h && !strcmp(a[na - 1 - t], b[nb - 1 - t]))
		t++;
	*head = h;
	*tail = t;
}

static void lines_missing(char **a, size_t a0, size_t a1, char **b, size_t b0, size_t b1,
			  char ***out, size_t *nout)
{
	json_t *inb = json_object();

	for (size_t i = b0; i < b1; i++)
		json_object_set_new(inb, b[i], json_true());
	for (size_t i = a0; i < a1; i++) {
		if (json_object_get(inb, a[i]))
			continue;
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = a[i];
	}
	json_decref(inb);
}

struct elem_work {
	struct fw_elem_change *v;
	size_t n;
	char **texts; /* file contents the changes point into */
	size_t ntexts;
};

static void elem_work_free(struct elem_work *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].add);
		free(w->v[i].del);
	}
	for (size_t i = 0; i < w->ntexts; i++)
		free(w->texts[i]);
	free(w->v);
	free(w->texts);
}

static void keep_text(struct elem_work *w, char *t)
{
	w->texts = xrealloc(w->texts, (w->ntexts + 1) * sizeof(*w->texts));
	w->texts[w->ntexts++] = t;
}

/* Element changes of a set kept as it is declared; false if they cannot
 * be sent as element updates (the set is then recreated). */
static bool set_changes(const struct block *b, const char *dir, const char *old_dir,
			struct elem_work *w)
{
	char *now = set_file(dir, b->name), *before = set_file(old_dir, b->name);
	char **nl, **ol;
	size_t nn, on, head, tail;
	struct fw_elem_change c = { .set = b->name, .keytype = set_keytype(b) };

	if (!now && !before)
		return true; /* filled at run time */
	if (now && before && !strcmp(now, before)) {
		free(now);
		free(before);
		return true;
	}
	keep_text(w, now ? now : xstrdup(""));
	keep_text(w, before ? before : xstrdup(""));
	if (!c.keytype)
		return false;
	split_lines(w->texts[w->ntexts - 2], &nl, &nn);
	split_lines(w->texts[w->ntexts - 1], &ol, &on);
	diff_window(nl, nn, ol, on, &head, &tail);
	lines_missing(nl, head, nn - tail, ol, head, on - tail, &c.add, &c.nadd);
	lines_missing(ol, head, on - tail, nl, head, nn - tail, &c.del, &c.ndel);
	free(nl);
	free(ol);
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n++] = c;
	return true;
}

/* ---- the structural transaction ---- */

static bool chain_uses(const struct block *chain, const char *set)
{
	char *ref = xasprintf("@%s", set);
	const char *p = chain->text;
	bool found = false;

	while ((p = strstr(p, ref))) {
		char next = p[strlen(ref)];
		if (!(next == '_' || (next >= '0' && next <= '9') || (next >= 'a' && next <= 'z') ||
		      (next >= 'A' && next <= 'Z'))) {
			found = true;
			break;
		}
		p++;
	}
	free(ref);
	return found;
}

static const char *kind_word(char kind)
{
	return kind == 'c' ? "chain" : kind == 'm' ? "map" : "set";
}

static int incremental(struct sys *sys, const char *structure, const char *old_structure,
		       const char *dir, const char *old_dir, char **err)
{
	struct blocks nb, ob;
	struct sbuf tx, body;
	struct elem_work w = { 0 };
	char *out = NULL;
	int rc = -1;

	blocks_parse(structure, &nb);
	blocks_parse(old_structure, &ob);
	for (size_t i = 0; i < ob.n; i++)
		ob.v[i].state = blocks_find(&nb, ob.v[i].name, ob.v[i].kind) ? B_SAME : B_GONE;
	/* sets first: chains depend on what happens to them */
	for (size_t i = 0; i < nb.n; i++) {
		struct block *b = &nb.v[i], *o;

		if (!is_set(b))
			continue;
		o = blocks_find(&ob, b->name, b->kind);
		if (!o)
			b->state = B_NEW;
		else if (strcmp(o->text, b->text) || !set_changes(b, dir, old_dir, &w))
			b->state = o->state = B_RECREATE;
	}
	for (size_t i = 0; i < nb.n; i++) {
		struct block *b = &nb.v[i], *o;

		if (is_set(b))
			continue;
		o = blocks_find(&ob, b->name, 'c');
		if (!o) {
			b->state = B_NEW;
			continue;
		}
		if ((o->header || b->header) &&
		    (!o->header || !b->header || strcmp(o->header, b->header)))
			b->state = B_RECREATE;
		else if (strcmp(o->text, b->text))
			b->state = B_CHANGED;
		for (size_t k = 0; k < ob.n && b->state == B_SAME; k++)
			if (is_set(&ob.v[k]) && (ob.v[k].state == B_RECREATE || ob.v[k].state == B_GONE) &&
			    chain_uses(o, ob.v[k].name))
				b->state = B_CHANGED;
		o->state = b->state == B_SAME ? B_SAME : B_CHANGED;
	}

	sbuf_init(&tx);
	sbuf_init(&body);
	/* 1. empty what changes, so nothing refers to what goes */
	for (size_t i = 0; i < ob.n; i++)
		if (ob.v[i].kind == 'c' && ob.v[i].state != B_SAME)
			sbuf_printf(&tx, "flush chain inet " FW_TABLE " %s\n", ob.v[i].name);
	for (size_t i = 0; i < nb.n; i++)
		if (nb.v[i].kind == 'c' && nb.v[i].state == B_RECREATE)
			sbuf_printf(&tx, "delete chain inet " FW_TABLE " %s\n", nb.v[i].name);
	for (size_t i = 0; i < ob.n; i++)
		if (ob.v[i].kind == 'c' && ob.v[i].state == B_GONE)
			sbuf_printf(&tx, "delete chain inet " FW_TABLE " %s\n", ob.v[i].name);
	for (size_t i = 0; i < ob.n; i++)
		if (is_set(&ob.v[i]) && (ob.v[i].state == B_GONE || ob.v[i].state == B_RECREATE))
			sbuf_printf(&tx, "delete %s inet " FW_TABLE " %s\n", kind_word(ob.v[i].kind),
				    ob.v[i].name);
	/* 2. declare what is new, refill what changed */
	for (size_t i = 0; i < nb.n; i++)
		if (nb.v[i].state != B_SAME) {
			sbuf_add(&body, nb.v[i].text);
			sbuf_add(&body, "\n");
		}
	if (body.len)
		sbuf_printf(&tx, "table inet " FW_TABLE " {\n%s}\n", body.s);
	add_all_elements(&tx, &nb, dir, true);

	/* elements first: the structural change may add rules that use them */
	if (w.n && fw_elems_apply(w.v, w.n, err) < 0)
		goto out;
	if (tx.len) {
		if (sys->nft(sys, tx.s, false, &out)) {
			*err = xasprintf("nft: %s", out && *out ? out : "ruleset rejected");
			goto out;
		}
	}
	log_debug("firewall: %zu set(s) updated by element, %zu byte(s) of ruleset changes",
		  w.n, tx.len);
	rc = 0;
out:
	free(out);
	sbuf_free(&tx);
	sbuf_free(&body);
	elem_work_free(&w);
	blocks_free(&nb);
	blocks_free(&ob);
	return rc;
}

int fw_load(struct sys *sys, const char *dir, const char *old_dir, char **err)
{
	char *path = xasprintf("%s/ruleset.nft", dir);
	char *structure = file_read(path, NULL), *old = NULL, *script, *out = NULL;
	int rc;

	free(path);
	if (!structure) {
		*err = xstrdup("ruleset.nft is missing");
		return -1;
	}
	if (old_dir && strcmp(old_dir, dir)) {
		path = xasprintf("%s/ruleset.nft", old_dir);
		old = file_read(path, NULL);
		free(path);
	}
	if (old && !sys_is_dry(sys)) {
		char *why = NULL;
		if (incremental(sys, structure, old, dir, old_dir, &why) == 0) {
			free(structure);
			free(old);
			return 0;
		}
		log_warn("firewall: %s; loading the whole ruleset", why ? why : "change failed");
		free(why);
	}
	script = fw_full_script(structure, dir);
	rc = sys->nft(sys, script, false, &out);
	if (rc)
		*err = xasprintf("nft: %s", out && *out ? out : "ruleset rejected");
	free(out);
	free(script);
	free(structure);
	free(old);
	return rc ? -1 : 0;
}
