/* PBX › Extensions: the rules of the section, and what they cost. */
#include <stdio.h>
#include <stdlib.h>

#include "apply/feature.h"
#include "core/util.h"
#include "features/pbx/extensions/extensions_int.h"
#include "t.h"
#include "t_schema.h"

#define N 300

/* A password libpwquality takes, different for each i. */
static void strong_password(char *out, size_t n, int i)
{
	static const char alpha[] = "QzKvMwXpRtYhJgNbLcDfSaPe";
	unsigned x = (unsigned)i * 2654435761u;

	snprintf(out, n, "Sip-%c%c%c%c-%u-xQ", alpha[x % 24], alpha[x / 24 % 24],
		 alpha[x / 576 % 24], alpha[x / 13824 % 24], x % 99991 * 7 + 13);
}

/* The extensions list of n entries (numbers 1000...), one of them with the
 * password pw if given, as JSON text. */
static char *ext_list(int n, int at, const char *pw)
{
	struct sbuf b;
	char p[64];

	sbuf_init(&b);
	sbuf_add(&b, "[");
	for (int i = 0; i < n; i++) {
		strong_password(p, sizeof(p), i);
		sbuf_printf(&b, "%s{\"id\": %d, \"name\": \"Ext %d\", \"number\": \"%d\", "
			    "\"password\": \"%s\"}", i ? ", " : "", i + 1, 1000 + i, 1000 + i,
			    i == at && pw ? pw : p);
	}
	sbuf_add(&b, "]");
	return sbuf_steal(&b);
}

/* With many extensions, a change checks the strength of new passwords
 * only: the others were found strong by an earlier validation. */
static void test_each_password_is_checked_once(void)
{
	char *list = ext_list(N, -1, NULL), *more = ext_list(N + 1, -1, NULL);
	size_t before = ext_password_checks();

	T_CHECK(valid(doc_with("extensions.list", list)));
	T_CHECK(ext_password_checks() - before == N);
	before = ext_password_checks();
	T_CHECK(valid(doc_with("extensions.list", more)));
	T_CHECK(ext_password_checks() - before == 1);
	/* the same document again: nothing to ask */
	before = ext_password_checks();
	T_CHECK(valid(doc_with("extensions.list", more)));
	T_CHECK(ext_password_checks() - before == 0);
	free(list);
	free(more);
}

/* Validates doc (taken): true when path has an error saying what. */
static bool refused(json_t *doc, const char *path, const char *what)
{
	struct sc_error_list e;
	bool ok = false;

	sc_errors_init(&e);
	schema_validate(doc, &e);
	for (size_t i = 0; i < e.n; i++)
		ok |= !strcmp(e.v[i].path, path) && strstr(e.v[i].message, what);
	if (!ok)
		print_errors(&e);
	sc_errors_free(&e);
	json_decref(doc);
	return ok;
}

/* What was refused is asked again and refused again; a remembered strong
 * password does not make another one pass. (An entry is named by its id:
 * the one at 7 has id 8.) */
static void test_weak_passwords_are_still_refused(void)
{
	char *weak = ext_list(N, 7, "123456789012");

	for (int round = 0; round < 2; round++) {
		size_t before = ext_password_checks();
		T_CHECK(refused(doc_with("extensions.list", weak), "extensions.list[8].password",
				"the password is too easy to guess"));
		T_CHECK(ext_password_checks() - before == 1);
	}
	free(weak);
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_each_password_is_checked_once);
	T_RUN(test_weak_passwords_are_still_refused);
	return t_done("pbx_extensions");
}
