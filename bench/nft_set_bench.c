/*
 * Intrusion prevention's bans in the kernel: what one ban costs.
 *
 * In a network namespace of its own (unshare; root), table inet difos with
 * the two ban sets; then
 *  - flush + add of N elements with a timeout in one call, 3 times;
 *  - the N added again without a flush (every one there: asked for, then
 *    deleted and added), once;
 *  - ADDS single adds into the set holding N, each its own call (a new
 *    address each, all with a timeout), and the same for re-adds of an
 *    address already there (delete+add);
 *  - the anchors: the same single add by `nft add element ...`, NFT times;
 *    the flush + add of N by `nft -f` of a file (3 runs).
 * Prints one JSON object (times in ms) for bench/ips_bench.py.
 *
 *   nft_set_bench [N [ADDS [NFT]]]
 */
#include <errno.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "net/nft_set.h"

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median and p99 of n samples (sorted in place) */
static void stats(double *v, size_t n, double *median, double *p99)
{
	qsort(v, n, sizeof(*v), dbl_cmp);
	*median = v[n / 2];
	*p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static struct nft_set_elem v4(unsigned i, uint64_t timeout_ms)
{
	struct nft_set_elem e = { .timeout_ms = timeout_ms };

	e.addr.family = 4;
	e.addr.len = 32;
	e.addr.addr[0] = 10;
	e.addr.addr[1] = (unsigned char)(i >> 16);
	e.addr.addr[2] = (unsigned char)(i >> 8);
	e.addr.addr[3] = (unsigned char)i;
	return e;
}

static int run_nft(const char *cmd)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execlp("nft", "nft", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* nft -f of "flush set ...; add element ... { all n }", timed */
static double nft_fill(size_t n)
{
	char path[] = "/tmp/nft_set_bench.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	pid_t pid;
	int status;
	double t0;

	if (!f)
		return -1;
	fprintf(f, "flush set inet difos dyn_ips4\nadd element inet difos dyn_ips4 { ");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s10.%zu.%zu.%zu timeout 3600s", i ? ", " : "", (i >> 16) & 255,
			(i >> 8) & 255, i & 255);
	fprintf(f, " }\n");
	fclose(f);
	t0 = mono_ms();
	pid = fork();
	if (pid == 0) {
		execlp("nft", "nft", "-f", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	t0 = mono_ms() - t0;
	unlink(path);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t0 : -1;
}

static void die(const char *what, char *err)
{
	fprintf(stderr, "nft_set_bench: %s: %s\n", what, err ? err : "failed");
	exit(1);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t adds = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	size_t nfts = argc > 3 ? strtoul(argv[3], NULL, 10) : 100;
	struct nft_set_elem *many = xcalloc(n, sizeof(*many));
	double *t_add = xcalloc(adds, sizeof(double)), *t_re = xcalloc(adds, sizeof(double));
	double *t_nft = xcalloc(nfts, sizeof(double)), fill[3], nft_fills[3];
	double readd_all, add_med, add_p99, re_med, re_p99, nft_med, nft_p99;
	struct nft_ctx *nft;
	char *err = NULL;

	if (unshare(CLONE_NEWNET) < 0)
		die("unshare (run as root)", NULL);
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (nft_run_cmd_from_buffer(nft, "table inet difos {\n"
					 "  set dyn_ips4 { type ipv4_addr; flags timeout; }\n"
					 "  set dyn_ips6 { type ipv6_addr; flags timeout; }\n"
					 "}\n") != 0)
		die("nft table", NULL);
	nft_ctx_free(nft);

	/* the stored bans put back: flush + add of n, three times */
	for (size_t i = 0; i < n; i++)
		many[i] = v4((unsigned)i, 3600000);
	for (int r = 0; r < 3; r++) {
		struct nft_set_op ops[] = {
			{ NFT_SET_FLUSH, "difos", "dyn_ips4", NULL, 0 },
			{ NFT_SET_ADD, "difos", "dyn_ips4", many, n },
		};
		double t0 = mono_ms();

		if (nft_set_apply(ops, 2, &err) < 0)
			die("flush+add", err);
		fill[r] = mono_ms() - t0;
	}
	qsort(fill, 3, sizeof(double), dbl_cmp);
	/* the worst case: all n added again without a flush, every one there
	 * (each asked for, then deleted and added) */
	{
		struct nft_set_op op = { NFT_SET_ADD, "difos", "dyn_ips4", many, n };
		double t0 = mono_ms();

		if (nft_set_apply(&op, 1, &err) < 0)
			die("re-add all", err);
		readd_all = mono_ms() - t0;
	}
	for (int r = 0; r < 3; r++)
		if ((nft_fills[r] = nft_fill(n)) < 0)
			die("nft -f", NULL);
	qsort(nft_fills, 3, sizeof(double), dbl_cmp);

	/* one new ban at a time, into the set holding n */
	for (size_t i = 0; i < adds; i++) {
		struct nft_set_elem e = v4((unsigned)(n + i), 3600000);
		struct nft_set_op op = { NFT_SET_ADD, "difos", "dyn_ips4", &e, 1 };
		double t0 = mono_ms();

		if (nft_set_apply(&op, 1, &err) < 0)
			die("add", err);
		t_add[i] = mono_ms() - t0;
	}
	/* a ban renewed: the address is there, it gets the new timeout */
	for (size_t i = 0; i < adds; i++) {
		struct nft_set_elem e = v4((unsigned)(i * 97 % n), 7200000);
		struct nft_set_op op = { NFT_SET_ADD, "difos", "dyn_ips4", &e, 1 };
		double t0 = mono_ms();

		if (nft_set_apply(&op, 1, &err) < 0)
			die("re-add", err);
		t_re[i] = mono_ms() - t0;
	}
	/* the anchor: nft itself, a new address each time */
	for (size_t i = 0; i < nfts; i++) {
		char cmd[128];
		unsigned k = (unsigned)(n + adds + i);
		double t0;

		snprintf(cmd, sizeof(cmd), "add element inet difos dyn_ips4 { 10.%u.%u.%u timeout 3600s }",
			 (k >> 16) & 255, (k >> 8) & 255, k & 255);
		t0 = mono_ms();
		if (run_nft(cmd) != 0)
			die("nft add element", NULL);
		t_nft[i] = mono_ms() - t0;
	}
	/* the check that every add landed, and the renewals' new timeout */
	{
		struct nft_set_elem *l = NULL;
		size_t got = 0, renewed = 0;

		if (nft_set_list("difos", "dyn_ips4", &l, &got, &err) < 0)
			die("list", err);
		for (size_t i = 0; i < got; i++)
			renewed += l[i].timeout_ms > 3600000;
		free(l);
		if (got != n + adds + nfts || renewed != (adds < n ? adds : n))
			die("check", xasprintf("%zu elements (%zu renewed), want %zu (%zu)", got,
					       renewed, n + adds + nfts, adds < n ? adds : n));
	}
	stats(t_add, adds, &add_med, &add_p99);
	stats(t_re, adds, &re_med, &re_p99);
	stats(t_nft, nfts, &nft_med, &nft_p99);
	printf("{\"elements\": %zu, \"adds\": %zu, \"nft_runs\": %zu, "
	       "\"fill_ms\": [%.2f, %.2f, %.2f], \"nft_fill_ms\": [%.1f, %.1f, %.1f], "
	       "\"add_median_ms\": %.4f, \"add_p99_ms\": %.4f, "
	       "\"readd_all_ms\": %.1f, \"readd_median_ms\": %.4f, \"readd_p99_ms\": %.4f, "
	       "\"nft_median_ms\": %.3f, \"nft_p99_ms\": %.3f}\n",
	       n, adds, nfts, fill[0], fill[1], fill[2], nft_fills[0], nft_fills[1], nft_fills[2],
	       add_med, add_p99, readd_all, re_med, re_p99,
	       nft_med, nft_p99);
	free(many);
	free(t_add);
	free(t_re);
	free(t_nft);
	return 0;
}
