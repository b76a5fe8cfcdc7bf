/*
 * A feature's reads are complete: its applier, given only the paths it
 * declares (struct feature's reads), asks the system for exactly what it
 * asks when it sees the whole documents. Every ordered pair of documents
 * (the golden cases' inputs and a few made here for paths the cases do
 * not change) is applied one after the other both ways on the dry
 * backend, and the two journals of the second apply must be equal.
 *
 *   test_reads <golden cases folder>
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "t_engine.h"
#include "t_json.h"

struct t_doc {
	char *name;
	json_t *doc;
};

static struct t_doc docs[64];
static size_t ndocs;

static void add_doc(const char *name, json_t *doc)
{
	if (ndocs == sizeof(docs) / sizeof(docs[0])) {
		fprintf(stderr, "too many documents\n");
		exit(1);
	}
	schema_fill_defaults(doc);
	docs[ndocs].name = xstrdup(name);
	docs[ndocs++].doc = doc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_cases(const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, by_name);

	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s/input.json", dir, list[i]->d_name);
		json_t *doc = list[i]->d_name[0] != '.' ? json_load_file(path, 0, NULL) : NULL;

		if (doc)
			add_doc(list[i]->d_name, doc);
		free(path);
		free(list[i]);
	}
	free(list);
	if (n < 0 || ndocs < 2) {
		fprintf(stderr, "no golden cases in %s\n", dir);
		exit(1);
	}
}

/* Documents for paths the golden cases leave alone: the LAN takes a custom
 * interface's device over; the interface is disabled. */
static void add_made_docs(void)
{
	add_doc("made-dmz", J("{\"interfaces\": {\"custom\": [{\"id\": 1, \"name\": \"dmz\","
			      " \"device\": \"eth5\", \"zone\": \"lan\","
			      " \"ipv4_address\": \"10.5.0.1/24\"}]}}"));
	add_doc("made-dmz-in-lan", J("{\"lan\": {\"interfaces\": [\"lan0\", \"eth5\"]}}"));
	add_doc("made-dmz-off", J("{\"interfaces\": {\"custom\": [{\"id\": 1, \"name\": \"dmz\","
				  " \"device\": \"eth5\", \"zone\": \"lan\", \"enabled\": false,"
				  " \"ipv4_address\": \"10.5.0.1/24\"}]}}"));
}

static bool apply_ok(const json_t *doc, const char *name)
{
	struct apply_result res;
	int rc = engine_apply(&eng, doc, "test", NULL, 0, &res);

	if (rc)
		fprintf(stderr, "    applying %s failed: %s\n", name, res.message);
	apply_result_free(&res);
	return rc == 0;
}

/* A journal without what differs from one apply to the next by design:
 * the generation folders' names and the dry backend's process ids. */
static char *normalised(const char *j)
{
	struct sbuf b;

	sbuf_init(&b);
	while (*j) {
		if (!strncmp(j, "/gen/", 5)) {
			sbuf_add(&b, "/gen/G");
			j += 5 + strspn(j + 5, "0123456789-");
		} else if (!strncmp(j, "kill ", 5)) {
			sbuf_add(&b, "kill PID");
			j += 5 + strspn(j + 5, "0123456789");
		} else {
			sbuf_addn(&b, j++, 1);
		}
	}
	return sbuf_steal(&b);
}

/* The journal of applying b after a; whole: the appliers see whole documents. */
static char *second_apply(const struct t_doc *a, const struct t_doc *b, bool whole)
{
	size_t m;
	bool ok;

	if (!apply_ok(a->doc, a->name))
		return NULL;
	m = jmark();
	eng.test_whole_docs = whole;
	ok = apply_ok(b->doc, b->name);
	eng.test_whole_docs = false;
	return ok ? normalised(jsince(m)) : NULL;
}

/* The first line where two journals differ, printed. */
static void print_difference(const char *x, const char *y)
{
	while (*x && *y) {
		size_t lx = strcspn(x, "\n"), ly = strcspn(y, "\n");

		if (lx != ly || memcmp(x, y, lx)) {
			fprintf(stderr, "    with its reads:    %.*s\n    with the whole doc: %.*s\n",
				(int)lx, x, (int)ly, y);
			return;
		}
		x += lx + (x[lx] ? 1 : 0);
		y += ly + (y[ly] ? 1 : 0);
	}
	fprintf(stderr, "    one journal is longer:\n    %s%s\n", x, y);
}

static void test_reads_complete(void)
{
	size_t pairs = 0;

	T_CHECK(engine_boot(&eng) == 0);
	for (size_t i = 0; i < ndocs; i++) {
		for (size_t k = 0; k < ndocs; k++) {
			char *viewed, *whole;

			if (i == k)
				continue;
			viewed = second_apply(&docs[i], &docs[k], false);
			whole = second_apply(&docs[i], &docs[k], true);
			T_CHECK(viewed && whole);
			if (viewed && whole && strcmp(viewed, whole)) {
				T_CHECK(!"the journals differ");
				fprintf(stderr, "    %s after %s:\n", docs[k].name, docs[i].name);
				print_difference(viewed, whole);
			}
			free(viewed);
			free(whole);
			pairs++;
		}
	}
	printf("# %zu ordered pairs of %zu documents\n", pairs, ndocs);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_reads GOLDEN_CASES_DIR\n");
		return 2;
	}
	t_engine_open();
	load_cases(argv[1]);
	add_made_docs();
	T_RUN(test_reads_complete);
	t_engine_close();
	for (size_t i = 0; i < ndocs; i++) {
		free(docs[i].name);
		json_decref(docs[i].doc);
	}
	return t_done("reads");
}
