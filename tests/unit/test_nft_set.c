/*
 * Set elements with timeouts (net/nft_set.c) against the real kernel, in
 * a network namespace of the test's own (unshare) holding the firewall's
 * two ban sets; what the module did is read back with nft's JSON listing
 * (libnftables, as `nft -j list set` prints it) and with nft_set_list.
 * First the dry backend's journal lines of the same ops. Needs root, as
 * `make check` runs; without it the test fails, it never skips.
 */
#include <dirent.h>
#include <pthread.h>
#include <time.h>
#include <jansson.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/system.h"
#include "core/lock.h"
#include "core/util.h"
#include "net/addr.h"
#include "net/nft_set.h"
#include "t.h"

static struct nft_set_elem elem(const char *addr, uint64_t timeout_ms)
{
	struct nft_set_elem e = { .timeout_ms = timeout_ms };

	if (net_prefix_parse(addr, 0, false, &e.addr) != NET_OK)
		abort();
	return e;
}

#define ELEMS(...) (const struct nft_set_elem[]){ __VA_ARGS__ }
#define NELEMS(...) (sizeof(ELEMS(__VA_ARGS__)) / sizeof(struct nft_set_elem))
#define OP(kind, set, ...) \
	(struct nft_set_op){ kind, "difos", set, ELEMS(__VA_ARGS__), NELEMS(__VA_ARGS__) }
#define FLUSH(set) (struct nft_set_op){ NFT_SET_FLUSH, "difos", set, NULL, 0 }

/* ---- the dry backend ---- */

static void test_dry_journal(void)
{
	struct sys *s = sys_dry_new();
	struct nft_set_elem many[25];
	struct nft_set_op ops[] = {
		FLUSH("dyn_ips4"),
		OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.7", 3600000), elem("192.0.2.8", 1500),
		   elem("192.0.2.9", 0)),
		OP(NFT_SET_DEL, "dyn_ips6", elem("2001:db8:1:2::", 0)),
		{ NFT_SET_ADD, "difos", "dyn_ips4", many, 25 },
	};
	char *err = NULL, *want;

	for (int i = 0; i < 25; i++) {
		char a[32];
		snprintf(a, sizeof(a), "198.51.100.%d", i + 1);
		many[i] = elem(a, 60000);
	}
	T_CHECK(sys_nft_set(s, &err, ops, 4) == 0);
	T_CHECK(err == NULL);
	{
		struct sbuf b;
		sbuf_init(&b);
		sbuf_add(&b, "nft flush set inet difos dyn_ips4\n"
			     "nft add element inet difos dyn_ips4 { 192.0.2.7 timeout 3600s, "
			     "192.0.2.8 timeout 1500ms, 192.0.2.9 }\n"
			     "nft delete element inet difos dyn_ips6 { 2001:db8:1:2:: }\n"
			     "nft add element inet difos dyn_ips4 { ");
		for (int i = 0; i < 20; i++)
			sbuf_printf(&b, "%s198.51.100.%d timeout 60s", i ? ", " : "", i + 1);
		sbuf_add(&b, ", ... (25 in all) }\n");
		want = sbuf_steal(&b);
	}
	T_CHECK_STR(s->journal.s, want);
	free(want);

	/* an injected failure names the set and stops there */
	sbuf_free(&s->journal);
	sbuf_init(&s->journal);
	s->fail_match = xstrdup("dyn_ips6");
	T_CHECK(sys_nft_set(s, &err, ops, 4) == -1);
	T_CHECK_STR(err, "nft set dyn_ips6: dry backend: injected failure");
	T_CHECK(s->journal.s && strstr(s->journal.s, "dyn_ips6") &&
		!strstr(s->journal.s, "198.51.100"));
	free(err);
	sys_free(s);
}

/* ---- the kernel ---- */

static int nft_do(const char *cmd, json_t **json)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	if (json) {
		nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);
		nft_ctx_buffer_output(nft);
	}
	rc = nft_run_cmd_from_buffer(nft, cmd);
	if (json)
		*json = rc == 0 ? json_loads(nft_ctx_get_output_buffer(nft), 0, NULL) : NULL;
	nft_ctx_free(nft);
	return rc;
}

/* nft's view of one element: -1 absent; else its timeout and the seconds
 * it has left (0, 0 without a timeout) */
static int nft_elem(const char *set, const char *addr, long *timeout, long *expires)
{
	char *cmd = xasprintf("list set inet difos %s", set);
	json_t *root = NULL, *v, *e;
	size_t i, k;
	int found = -1;

	*timeout = *expires = 0;
	if (nft_do(cmd, &root) != 0 || !root) {
		free(cmd);
		return -1;
	}
	free(cmd);
	json_array_foreach(json_object_get(root, "nftables"), i, v) {
		json_array_foreach(json_object_get(json_object_get(v, "set"), "elem"), k, e) {
			json_t *inner = json_object_get(e, "elem");
			const char *val = json_string_value(inner ? json_object_get(inner, "val") : e);

			if (!val || strcmp(val, addr))
				continue;
			found = 0;
			*timeout = (long)json_integer_value(json_object_get(inner, "timeout"));
			*expires = (long)json_integer_value(json_object_get(inner, "expires"));
		}
	}
	json_decref(root);
	return found;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void test_setup(void)
{
	T_CHECK(nft_do("table inet difos {\n"
		       "  set dyn_ips4 { type ipv4_addr; flags timeout; }\n"
		       "  set dyn_ips6 { type ipv6_addr; flags timeout; }\n"
		       "}\n", NULL) == 0);
}

static void test_add(void)
{
	struct nft_set_op ops[] = {
		OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.7", 3600000), elem("192.0.2.8", 600000),
		   elem("192.0.2.9", 0)),
		OP(NFT_SET_ADD, "dyn_ips6", elem("2001:db8:1:2::", 3600000)),
	};
	char *err = NULL;
	long t, x;

	T_CHECK(nft_set_apply(ops, 2, &err) == 0);
	T_CHECK(err == NULL);
	T_CHECK(nft_set_last_rounds() == 1);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.7", &t, &x) == 0 && t == 3600 && x > 3500 &&
		x <= 3600);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.8", &t, &x) == 0 && t == 600 && x > 500);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.9", &t, &x) == 0 && t == 0 && x == 0);
	T_CHECK(nft_elem("dyn_ips6", "2001:db8:1:2::", &t, &x) == 0 && t == 3600 && x > 3500);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.10", &t, &x) == -1);
}

/* a re-add leaves the element with the new timeout, longer or shorter:
 * the element found there is deleted and added again in one transaction,
 * never left to the kernel's own update of a timeout (which 6.1 lacks) */
static void test_readd(void)
{
	struct nft_set_op longer = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.8", 7200000));
	struct nft_set_op shorter = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.7", 60000));
	/* one there, one new, and the new one again later in the call */
	struct nft_set_op twice[] = {
		OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.20", 100000), elem("192.0.2.9", 300000)),
		OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.20", 200000)),
	};
	/* the same inside a message of several elements */
	struct nft_set_op inside = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.22", 100000),
				      elem("192.0.2.21", 100000), elem("192.0.2.22", 400000),
				      elem("192.0.2.23", 100000));
	struct nft_set_op both = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.7", 500000),
				   elem("192.0.2.8", 7300000));
	struct nft_set_op same = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.9", 600000),
				   elem("192.0.2.9", 700000));
	char *err = NULL;
	long t, x;

	T_CHECK(nft_set_apply(&longer, 1, &err) == 0);
	T_CHECK(nft_set_last_rounds() == 1);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.8", &t, &x) == 0 && t == 7200 && x > 7100);
	T_CHECK(nft_set_apply(&shorter, 1, &err) == 0);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.7", &t, &x) == 0 && t == 60 && x <= 60);
	/* the kernel refuses the second add; the replay sends it as delete+add */
	T_CHECK(nft_set_apply(twice, 2, &err) == 0);
	T_CHECK(err == NULL);
	T_CHECK(nft_set_last_rounds() == 2);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.9", &t, &x) == 0 && t == 300);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.20", &t, &x) == 0 && t == 200);
	/* one replay to learn which element, one with the fix */
	T_CHECK(nft_set_apply(&inside, 1, &err) == 0);
	T_CHECK(nft_set_last_rounds() == 3);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.22", &t, &x) == 0 && t == 400);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.21", &t, &x) == 0 && t == 100);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.23", &t, &x) == 0 && t == 100);
	/* several there: their deletes in one message, their adds in the next */
	T_CHECK(nft_set_apply(&both, 1, &err) == 0);
	T_CHECK(nft_set_last_rounds() == 1);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.7", &t, &x) == 0 && t == 500);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.8", &t, &x) == 0 && t == 7300);
	/* one there, twice in that message: the second delete finds it gone */
	T_CHECK(nft_set_apply(&same, 1, &err) == 0);
	T_CHECK(nft_set_last_rounds() == 2);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.9", &t, &x) == 0 && t == 700);
	T_CHECK(err == NULL);
	free(err);
}

static void test_del(void)
{
	struct nft_set_op absent = OP(NFT_SET_DEL, "dyn_ips4", elem("192.0.2.99", 0));
	struct nft_set_op some[] = {
		OP(NFT_SET_DEL, "dyn_ips4", elem("192.0.2.98", 0), elem("192.0.2.21", 0)),
		OP(NFT_SET_DEL, "dyn_ips6", elem("2001:db8:1:2::", 0)),
	};
	/* there, then gone by the time of its second delete */
	struct nft_set_op twice = OP(NFT_SET_DEL, "dyn_ips4", elem("192.0.2.23", 0),
				     elem("192.0.2.22", 0), elem("192.0.2.23", 0));
	char *err = NULL;
	long t, x;

	T_CHECK(nft_set_apply(&absent, 1, &err) == 0);
	T_CHECK(err == NULL);
	T_CHECK(nft_set_last_rounds() == 0); /* no transaction at all */
	T_CHECK(nft_set_apply(some, 2, &err) == 0);
	T_CHECK(err == NULL);
	T_CHECK(nft_set_last_rounds() == 1);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.21", &t, &x) == -1);
	T_CHECK(nft_elem("dyn_ips6", "2001:db8:1:2::", &t, &x) == -1);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.20", &t, &x) == 0);
	T_CHECK(nft_set_apply(&twice, 1, &err) == 0);
	T_CHECK(err == NULL);
	T_CHECK(nft_set_last_rounds() == 3);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.22", &t, &x) == -1);
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.23", &t, &x) == -1);
}

static bool listed(const struct nft_set_elem *l, size_t n, const char *addr,
		   uint64_t *left)
{
	struct nft_set_elem want = elem(addr, 0);

	for (size_t i = 0; i < n; i++)
		if (l[i].addr.family == want.addr.family &&
		    !memcmp(l[i].addr.addr, want.addr.addr, want.addr.family == 4 ? 4 : 16)) {
			*left = l[i].timeout_ms;
			return true;
		}
	return false;
}

static void test_expiry(void)
{
	struct nft_set_op op = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.50", 1000));
	struct nft_set_elem *l = NULL;
	uint64_t left = 0;
	size_t n = 0;
	char *err = NULL;

	T_CHECK(nft_set_apply(&op, 1, &err) == 0);
	T_CHECK(nft_set_list("difos", "dyn_ips4", &l, &n, &err) == 0);
	T_CHECK(listed(l, n, "192.0.2.50", &left) && left > 0 && left <= 1000);
	T_CHECK(listed(l, n, "192.0.2.8", &left) && left > 7200000 && left <= 7300000);
	free(l);
	usleep(1500000);
	T_CHECK(nft_set_list("difos", "dyn_ips4", &l, &n, &err) == 0);
	T_CHECK(!listed(l, n, "192.0.2.50", &left));
	T_CHECK(listed(l, n, "192.0.2.8", &left));
	free(l);
	T_CHECK(err == NULL);
}

/* flush and 100,000 adds: one transaction; a failing one changes nothing */
static void test_flush_many(void)
{
	enum { N = 100000 };
	struct nft_set_elem *many = xcalloc(N, sizeof(*many));
	struct nft_set_elem *l = NULL;
	struct nft_set_op ops[] = {
		FLUSH("dyn_ips4"),
		{ NFT_SET_ADD, "difos", "dyn_ips4", many, N },
	};
	struct nft_set_op bad[] = {
		FLUSH("dyn_ips4"),
		OP(NFT_SET_ADD, "nosuch", elem("192.0.2.1", 1000)),
	};
	uint64_t left;
	size_t n = 0;
	char *err = NULL;
	long t, x;

	for (int i = 0; i < N; i++) {
		many[i].addr.family = 4;
		many[i].addr.addr[0] = 10;
		many[i].addr.addr[1] = (unsigned char)(i >> 16);
		many[i].addr.addr[2] = (unsigned char)(i >> 8);
		many[i].addr.addr[3] = (unsigned char)i;
		many[i].timeout_ms = 3600000;
	}
	T_CHECK(nft_set_apply(ops, 2, &err) == 0);
	T_CHECK(err == NULL);
	T_CHECK(nft_set_last_rounds() == 1);
	T_CHECK(nft_set_list("difos", "dyn_ips4", &l, &n, &err) == 0);
	T_CHECK(n == N);
	/* sorted, none twice (the dump is taken again when the kernel's hash
	 * table grew between two of its parts, as it does after such an add) */
	for (size_t i = 1; i < n; i++)
		if (memcmp(l[i - 1].addr.addr, l[i].addr.addr, 4) >= 0) {
			T_CHECK(!"the list is sorted, without repeats");
			break;
		}
	T_CHECK(listed(l, n, "10.1.134.159", &left) && left > 3500000); /* the last */
	T_CHECK(!listed(l, n, "192.0.2.8", &left));                     /* flushed */
	free(l);

	/* one set missing: the flush of the other is not done either */
	T_CHECK(nft_set_apply(bad, 2, &err) == -1);
	T_CHECK_STR(err, "nft set nosuch: No such file or directory");
	T_CHECK(nft_set_list("difos", "dyn_ips4", &l, &n, &err) == 0);
	T_CHECK(n == N);
	free(l);
	T_CHECK(nft_elem("dyn_ips4", "10.0.0.0", &t, &x) == 0 && t == 3600);
	free(err);
	free(many);
}

static void test_missing_set(void)
{
	struct nft_set_op add = OP(NFT_SET_ADD, "dyn_ipsX", elem("192.0.2.1", 1000));
	struct nft_set_op del = OP(NFT_SET_DEL, "dyn_ipsX", elem("192.0.2.1", 0));
	struct nft_set_op flush = FLUSH("dyn_ipsX");
	struct nft_set_elem *l = NULL;
	size_t n = 7;
	char *err = NULL;

	T_CHECK(nft_set_apply(&add, 1, &err) == -1);
	T_CHECK_STR(err, "nft set dyn_ipsX: No such file or directory");
	free(err);
	err = NULL;
	T_CHECK(nft_set_apply(&del, 1, &err) == -1);
	T_CHECK_STR(err, "nft set dyn_ipsX: No such file or directory");
	free(err);
	err = NULL;
	T_CHECK(nft_set_apply(&flush, 1, &err) == -1);
	T_CHECK_STR(err, "nft set dyn_ipsX: No such file or directory");
	free(err);
	err = NULL;
	T_CHECK(nft_set_list("difos", "dyn_ipsX", &l, &n, &err) == -1);
	T_CHECK_STR(err, "nft set dyn_ipsX: No such file or directory");
	T_CHECK(l == NULL && n == 0);
	free(err);
}

static void test_bad_input(void)
{
	struct nft_set_elem none = { .timeout_ms = 1000 }; /* no family */
	struct nft_set_op bad_elem[] = {
		OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.1", 1000)),
		{ NFT_SET_ADD, "difos", "dyn_ips6", &none, 1 },
	};
	struct nft_set_op no_table = { NFT_SET_FLUSH, "", "dyn_ips4", NULL, 0 };
	char *err = NULL;
	long t, x;

	T_CHECK(nft_set_apply(bad_elem, 2, &err) == -1);
	T_CHECK_STR(err, "nft set dyn_ips6: element 0: family 0 is not 4 or 6");
	T_CHECK(nft_elem("dyn_ips4", "192.0.2.1", &t, &x) == -1); /* nothing sent */
	T_CHECK(nft_set_apply(&no_table, 1, &err) == -1);
	T_CHECK_STR(err, "nft set dyn_ips4: table \"\" and set: names of 1 to 64 characters");
	free(err);
}

/* one socket for every call, a new one after an error, never more */
static void test_one_socket(void)
{
	struct nft_set_op op = OP(NFT_SET_ADD, "dyn_ips6", elem("2001:db8:9::", 5000));
	struct nft_set_op bad = OP(NFT_SET_ADD, "nosuch", elem("192.0.2.1", 1000));
	char *err = NULL;
	int before;

	T_CHECK(nft_set_apply(&op, 1, &err) == 0);
	before = open_fds();
	for (int i = 0; i < 5; i++)
		T_CHECK(nft_set_apply(&op, 1, &err) == 0);
	T_CHECK(open_fds() == before);
	T_CHECK(nft_set_apply(&bad, 1, &err) == -1);
	T_CHECK(open_fds() == before - 1);
	T_CHECK(nft_set_apply(&op, 1, &err) == 0);
	T_CHECK(open_fds() == before);
	free(err);
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double big_done_ms;
static int big_rc = -1;

static void *big_worker(void *arg)
{
	enum { N = 100000 };
	struct nft_set_elem *many = xcalloc(N, sizeof(*many));
	struct nft_set_op ops[] = {
		FLUSH("dyn_ips4"),
		{ NFT_SET_ADD, "difos", "dyn_ips4", many, N },
	};

	(void)arg;
	for (int i = 0; i < N; i++) {
		many[i].addr.family = 4;
		many[i].addr.addr[0] = 10;
		many[i].addr.addr[1] = (unsigned char)(i >> 16);
		many[i].addr.addr[2] = (unsigned char)(i >> 8);
		many[i].addr.addr[3] = (unsigned char)i;
		many[i].timeout_ms = 3600000;
	}
	core_enter();
	big_rc = nft_set_apply(ops, 2, NULL);
	big_done_ms = mono_ms();
	core_leave();
	free(many);
	return NULL;
}

/* A worker's large call lets the core go while the kernel works on it; the
 * loop thread, entering the core then to add one ban, waits for the
 * socket, never the other way round (a deadlock ends the test by alarm). */
static void test_core_lock(void)
{
	struct nft_set_op one = OP(NFT_SET_ADD, "dyn_ips4", elem("192.0.2.77", 60000));
	struct nft_set_elem *l = NULL;
	uv_loop_t loop;
	pthread_t worker;
	double entered;
	size_t n = 0;

	uv_loop_init(&loop);
	core_lock_init(&loop);
	alarm(60);
	pthread_create(&worker, NULL, big_worker, NULL);
	usleep(60000); /* the worker is building or sending its batch */
	core_enter();
	entered = mono_ms();
	T_CHECK(nft_set_apply(&one, 1, NULL) == 0);
	core_leave();
	pthread_join(worker, NULL);
	alarm(0);
	T_CHECK(big_rc == 0);
	/* the core was had while the worker's call ran */
	T_CHECK(entered < big_done_ms);
	T_CHECK(nft_set_list("difos", "dyn_ips4", &l, &n, NULL) == 0);
	T_CHECK(n == 100000 || n == 100001); /* the ban before or after the flush */
	free(l);
	core_lock_close();
	uv_run(&loop, UV_RUN_DEFAULT); /* the lock's handle closed */
	uv_loop_close(&loop);
}

int main(void)
{
	T_RUN(test_dry_journal);
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "  FAIL: the kernel tests need a network namespace of their own "
				"(run as root)\n");
		return 1;
	}
	T_RUN(test_setup);
	T_RUN(test_add);
	T_RUN(test_readd);
	T_RUN(test_del);
	T_RUN(test_expiry);
	T_RUN(test_flush_many);
	T_RUN(test_missing_set);
	T_RUN(test_bad_input);
	T_RUN(test_one_socket);
	T_RUN(test_core_lock);
	return t_done("nft_set");
}
