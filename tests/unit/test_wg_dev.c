/*
 * WireGuard devices for real (net/wg*.c, sys->wg): two wireguard-go
 * interfaces, started through difos-engine-exec with a socket folder of the
 * test's own, peers of each other across a veth pair between two network
 * namespaces of the test's own. wg_sync configures them, ping passes
 * through, wg_get reads the handshake and the traffic and agrees with
 * `wg show dump`; adding a third peer leaves the first one's session alone.
 * Needs root, as `make check` runs; without it the test fails, it never
 * skips.
 *
 *   test_wg_dev DIFOS-ENGINE-EXEC
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/system.h"
#include "core/util.h"
#include "net/wg.h"
#include "t.h"
#include "t_wg.h"

static const char *engine_exec;
static char tmp[64], sockdir[128];
static pid_t holder, wg_pid[4];
static int ns_b = -1;              /* the second namespace (side b) */
static struct wg_device dev[2];    /* what each side wants */
static unsigned char peer_c_key[WG_KEY_LEN];

/* argv to the end, in the namespace nsfd (-1: ours); output to log (NULL:
 * /dev/null); background: the pid, else the exit status */
static int spawn(int nsfd, const char *log, bool background, const char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || background)
		return pid;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define RUN(ns, ...) spawn(ns, NULL, false, (const char *const[]){ __VA_ARGS__, NULL })

/* ping through the tunnel from side a, bounded in count and time */
static int ping(const char *to)
{
	return RUN(-1, "ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "2", to);
}

static void dump_logs(void)
{
	for (int i = 0; i < 2; i++) {
		char *path = xasprintf("%s/wg%d.log", tmp, i), *cmd;
		cmd = xasprintf("cat %s >&2", path);
		fprintf(stderr, "  --- %s\n", path);
		if (system(cmd) != 0)
			fprintf(stderr, "  (none)\n");
		free(cmd);
		free(path);
	}
}

/* the two namespaces, the veth pair, wireguard-go on both sides */
static bool setup(void)
{
	int p[2];
	char c, pidtext[16], *path;

	/* side b: a child that holds a network namespace of its own */
	if (pipe(p) < 0)
		return false;
	holder = fork();
	if (holder == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		return false;
	close(p[0]);
	path = xasprintf("/proc/%d/ns/net", (int)holder);
	ns_b = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)holder);
	if (ns_b < 0 ||
	    RUN(-1, "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns",
		pidtext) != 0 ||
	    RUN(-1, "ip", "addr", "add", "192.0.2.1/24", "dev", "va") != 0 ||
	    RUN(-1, "ip", "link", "set", "va", "up") != 0 ||
	    RUN(-1, "ip", "link", "set", "lo", "up") != 0 ||
	    RUN(ns_b, "ip", "addr", "add", "192.0.2.2/24", "dev", "vb") != 0 ||
	    RUN(ns_b, "ip", "link", "set", "vb", "up") != 0 ||
	    RUN(ns_b, "ip", "link", "set", "lo", "up") != 0)
		return false;

	/* wireguard-go on each side, its /var/run/wireguard our folder */
	for (int i = 0; i < 2; i++) {
		char *bind = xasprintf("%s=/var/run/wireguard", sockdir);
		char *log = xasprintf("%s/wg%d.log", tmp, i);
		const char *ifname = i ? "wg1" : "wg0";
		char *sock = xasprintf("%s/%s.sock", sockdir, ifname);
		struct stat st;

		wg_pid[i] = spawn(i ? ns_b : -1, log, true,
				  (const char *const[]){ engine_exec, "--root", "/", "--bind-to",
							 bind, "--", "wireguard-go", "-f",
							 ifname, NULL });
		for (int n = 0; n < 200 && stat(sock, &st) < 0; n++)
			usleep(50000);
		free(bind);
		free(log);
		free(sock);
		if (wg_pid[i] < 0 || !S_ISSOCK(st.st_mode))
			return false;
	}
	return true;
}

static void teardown(void)
{
	for (int i = 0; i < 4; i++) {
		if (wg_pid[i] > 0) {
			kill(wg_pid[i], SIGTERM);
			waitpid(wg_pid[i], NULL, 0);
		}
	}
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
}

static struct wg_peer *peer_of(struct wg_device *d, const unsigned char *key)
{
	for (size_t i = 0; i < d->n_peers; i++)
		if (!memcmp(d->peers[i].public_key, key, WG_KEY_LEN))
			return &d->peers[i];
	return NULL;
}

/* side i's wanted device: its key and port, the other side as its peer */
static void want_side(int i)
{
	unsigned char pub[WG_KEY_LEN];
	struct wg_peer *p;

	wg_key_public(pub, dev[!i].private_key);
	dev[i].has_private_key = true;
	dev[i].listen_port = 51820 + (unsigned)i;
	p = t_wg_peer(&dev[i], 0, i ? "10.66.0.1/32" : "10.66.0.2/32", NULL);
	memcpy(p->public_key, pub, WG_KEY_LEN);
	/* side a knows where b is; b learns a's from the handshake */
	if (i == 0)
		t_wg_endpoint(&p->endpoint, "192.0.2.2", 51821);
}

static void test_sync_and_ping(void)
{
	struct wg_sync_stats st;
	char err[256];
	struct sys *s = sys_linux_new();
	char *e = NULL;

	wg_key_generate(dev[0].private_key);
	wg_key_generate(dev[1].private_key);
	want_side(0);
	want_side(1);
	T_CHECK(wg_sync(sockdir, "wg0", &dev[0], &st, err, sizeof(err)) == 0);
	T_CHECK(st.added == 1 && st.device_changed && !st.unchanged);
	/* the other side through the system backend */
	T_CHECK(sys_wg(s, &e, sockdir, "wg1", &dev[1]) == 0);
	if (e)
		fprintf(stderr, "  %s\n", e);
	/* the same again: nothing to change */
	T_CHECK(wg_sync(sockdir, "wg0", &dev[0], &st, err, sizeof(err)) == 0);
	T_CHECK(!st.added && !st.updated && !st.removed && st.unchanged == 1 && !st.device_changed);
	T_CHECK(RUN(-1, "ip", "addr", "add", "10.66.0.1/24", "dev", "wg0") == 0);
	T_CHECK(RUN(-1, "ip", "link", "set", "wg0", "up") == 0);
	T_CHECK(RUN(ns_b, "ip", "addr", "add", "10.66.0.2/24", "dev", "wg1") == 0);
	T_CHECK(RUN(ns_b, "ip", "link", "set", "wg1", "up") == 0);
	T_CHECK(ping("10.66.0.2") == 0);
	free(e);
	sys_free(s);
}

/* wg_get after the traffic; `wg show wg0 dump` says the same */
static void test_get_agrees_with_wg(void)
{
	struct wg_device d;
	struct wg_peer *p;
	char err[256], pub[WG_KEY_B64_LEN], priv[WG_KEY_B64_LEN], line[1024];
	char ep[WG_ENDPOINT_TEXT_LEN];
	char *path = xasprintf("%s/dump", tmp);
	unsigned char b_pub[WG_KEY_LEN];
	FILE *f;

	wg_key_public(b_pub, dev[1].private_key);
	T_CHECK(wg_get(sockdir, "wg0", &d, err, sizeof(err)) == 0);
	T_CHECK(d.has_private_key && !memcmp(d.private_key, dev[0].private_key, WG_KEY_LEN));
	T_CHECK(d.listen_port == 51820 && d.n_peers == 1);
	p = peer_of(&d, b_pub);
	T_CHECK(p && p->last_handshake > 0 && p->rx_bytes > 0 && p->tx_bytes > 0);
	T_CHECK(spawn(-1, path, false, (const char *const[]){ "wg", "show", "wg0", "dump",
							      NULL }) == 0);
	f = fopen(path, "r");
	T_CHECK(f != NULL);
	if (f && p) {
		char want[1024];
		wg_key_to_base64(priv, d.private_key);
		wg_key_to_base64(pub, d.public_key);
		snprintf(want, sizeof(want), "%s\t%s\t51820\toff\n", priv, pub);
		T_CHECK(fgets(line, sizeof(line), f) && !strcmp(line, want));
		wg_key_to_base64(pub, p->public_key);
		wg_endpoint_text(ep, sizeof(ep), &p->endpoint);
		snprintf(want, sizeof(want), "%s\t(none)\t%s\t10.66.0.2/32\t%lld\t%llu\t%llu\toff\n",
			 pub, ep, (long long)p->last_handshake, (unsigned long long)p->rx_bytes,
			 (unsigned long long)p->tx_bytes);
		T_CHECK(fgets(line, sizeof(line), f) && !strcmp(line, want));
		if (strcmp(line, want))
			fprintf(stderr, "  wg: %s  we: %s", line, want);
		T_CHECK(!fgets(line, sizeof(line), f));
	}
	if (f)
		fclose(f);
	wg_device_free(&d);
	/* side b learned a's endpoint */
	T_CHECK(wg_get(sockdir, "wg1", &d, err, sizeof(err)) == 0);
	T_CHECK(d.n_peers == 1);
	if (d.n_peers == 1) {
		wg_endpoint_text(ep, sizeof(ep), &d.peers[0].endpoint);
		T_CHECK_STR(ep, "192.0.2.1:51820");
	}
	wg_device_free(&d);
	free(path);
}

static int64_t handshake_of_b(void)
{
	struct wg_device d;
	unsigned char b_pub[WG_KEY_LEN];
	char err[256];
	struct wg_peer *p;
	int64_t t = -1;

	wg_key_public(b_pub, dev[1].private_key);
	if (wg_get(sockdir, "wg0", &d, err, sizeof(err)) == 0 && (p = peer_of(&d, b_pub)))
		t = p->last_handshake;
	wg_device_free(&d);
	return t;
}

/* a third peer on side a: b's session stays (no new handshake), traffic passes */
static void test_add_and_remove_a_peer(void)
{
	struct wg_sync_stats st;
	struct wg_device d;
	char err[256];
	int64_t before = handshake_of_b();
	long long t0;
	struct wg_peer *c;

	T_CHECK(before > 0);
	wg_key_generate(peer_c_key);
	wg_key_public(peer_c_key, peer_c_key);
	c = t_wg_peer(&dev[0], 0, "10.66.0.3/32", "fd66::3/128", NULL);
	memcpy(c->public_key, peer_c_key, WG_KEY_LEN);
	t0 = now_ms();
	T_CHECK(wg_sync(sockdir, "wg0", &dev[0], &st, err, sizeof(err)) == 0);
	printf("  a peer added to wireguard-go: %lld ms\n", now_ms() - t0);
	T_CHECK(st.added == 1 && st.unchanged == 1 && !st.updated && !st.removed &&
		!st.device_changed);
	T_CHECK(wg_get(sockdir, "wg0", &d, err, sizeof(err)) == 0);
	T_CHECK(d.n_peers == 2);
	c = peer_of(&d, peer_c_key);
	T_CHECK(c && c->n_allowed_ips == 2 && c->last_handshake == 0);
	wg_device_free(&d);
	T_CHECK(handshake_of_b() == before);
	T_CHECK(ping("10.66.0.2") == 0);
	T_CHECK(handshake_of_b() == before);

	/* changed in place: c's allowed IPs, keepalive and endpoint, and b's
	 * allowed IPs (one more): b's session stays */
	c = &dev[0].peers[1];
	c->allowed_ips[1] = t_wg_aip("fd66::/64");
	c->keepalive = 30;
	t_wg_endpoint(&c->endpoint, "192.0.2.77", 4000);
	dev[0].peers[0].allowed_ips = realloc(dev[0].peers[0].allowed_ips,
					      2 * sizeof(struct wg_allowed_ip));
	dev[0].peers[0].allowed_ips[1] = t_wg_aip("10.67.0.0/16");
	dev[0].peers[0].n_allowed_ips = 2;
	T_CHECK(wg_sync(sockdir, "wg0", &dev[0], &st, err, sizeof(err)) == 0);
	T_CHECK(st.updated == 2 && !st.added && !st.removed && !st.unchanged);
	T_CHECK(wg_get(sockdir, "wg0", &d, err, sizeof(err)) == 0);
	c = peer_of(&d, peer_c_key);
	T_CHECK(c && c->n_allowed_ips == 2 && c->keepalive == 30);
	if (c) {
		char ep[WG_ENDPOINT_TEXT_LEN], ip[64];
		wg_endpoint_text(ep, sizeof(ep), &c->endpoint);
		T_CHECK_STR(ep, "192.0.2.77:4000");
		inet_ntop(AF_INET6, c->allowed_ips[1].addr, ip, sizeof(ip));
		T_CHECK(c->allowed_ips[1].prefix == 64 && !strcmp(ip, "fd66::"));
	}
	T_CHECK(d.n_peers == 2 && d.peers[0].n_allowed_ips + d.peers[1].n_allowed_ips == 4);
	wg_device_free(&d);
	T_CHECK(ping("10.66.0.2") == 0);
	T_CHECK(handshake_of_b() == before);
	/* b's extra range back out: its own update again */
	dev[0].peers[0].n_allowed_ips = 1;

	/* and removed again */
	free(dev[0].peers[1].allowed_ips);
	dev[0].n_peers = 1;
	T_CHECK(wg_sync(sockdir, "wg0", &dev[0], &st, err, sizeof(err)) == 0);
	T_CHECK(st.removed == 1 && st.updated == 1 && !st.added && !st.unchanged);
	T_CHECK(wg_get(sockdir, "wg0", &d, err, sizeof(err)) == 0);
	T_CHECK(d.n_peers == 1 && !peer_of(&d, peer_c_key));
	wg_device_free(&d);
	T_CHECK(ping("10.66.0.2") == 0);
	T_CHECK(handshake_of_b() == before);
}

/* 1,000 peers on a third device: from nothing, then one more, read back
 * whole (answers of hundreds of KiB), timed beside `wg setconf` of the
 * same configuration on a fourth */
static void test_thousand_peers(void)
{
	struct wg_device want = { 0 }, d;
	struct wg_sync_stats st;
	char err[256], b64[WG_KEY_B64_LEN], *conf = xasprintf("%s/wg3.conf", tmp);
	long long t0, scratch, one, setconf;
	FILE *f = fopen(conf, "w");

	for (int i = 2; i < 4; i++) {
		char *bind = xasprintf("%s=/var/run/wireguard", sockdir);
		char *sock = xasprintf("%s/wg%d.sock", sockdir, i), name[8];
		struct stat st2;

		snprintf(name, sizeof(name), "wg%d", i);
		wg_pid[i] = spawn(-1, NULL, true,
				  (const char *const[]){ engine_exec, "--root", "/", "--bind-to",
							 bind, "--", "wireguard-go", "-f", name,
							 NULL });
		for (int n = 0; n < 200 && stat(sock, &st2) < 0; n++)
			usleep(50000);
		free(bind);
		free(sock);
	}
	wg_key_generate(want.private_key);
	want.has_private_key = true;
	want.listen_port = 51830;
	wg_key_to_base64(b64, want.private_key);
	fprintf(f, "[Interface]\nPrivateKey = %s\nListenPort = 51831\n", b64);
	for (unsigned i = 0; i < 1001; i++) {
		char ip[32];
		struct wg_peer *p;

		snprintf(ip, sizeof(ip), "10.%u.%u.0/24", 100 + i / 256, i % 256);
		p = t_wg_peer(&want, 0, ip, NULL);
		wg_key_generate(p->public_key);
		p->keepalive = 25;
		wg_key_to_base64(b64, p->public_key);
		fprintf(f, "[Peer]\nPublicKey = %s\nAllowedIPs = %s\nPersistentKeepalive = 25\n",
			b64, ip);
	}
	fclose(f);
	want.n_peers = 1000;
	t0 = now_ms();
	T_CHECK(wg_sync(sockdir, "wg2", &want, &st, err, sizeof(err)) == 0);
	scratch = now_ms() - t0;
	T_CHECK(st.added == 1000 && st.device_changed);
	want.n_peers = 1001;
	t0 = now_ms();
	T_CHECK(wg_sync(sockdir, "wg2", &want, &st, err, sizeof(err)) == 0);
	one = now_ms() - t0;
	T_CHECK(st.added == 1 && st.unchanged == 1000);
	T_CHECK(wg_get(sockdir, "wg2", &d, err, sizeof(err)) == 0);
	T_CHECK(d.n_peers == 1001);
	for (size_t i = 0; i < d.n_peers && i < want.n_peers; i++) {
		struct wg_peer *p = peer_of(&d, want.peers[i].public_key);
		if (!p || p->n_allowed_ips != 1 || p->keepalive != 25) {
			T_CHECK(!"peer read back as set");
			break;
		}
	}
	wg_device_free(&d);
	t0 = now_ms();
	T_CHECK(RUN(-1, "wg", "setconf", "wg3", conf) == 0);
	setconf = now_ms() - t0;
	/* a port another device holds: the engine's refusal, naming the device */
	want.listen_port = 51820;
	T_CHECK(wg_sync(sockdir, "wg2", &want, &st, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "wg2: change: wireguard-go refused: errno=-98 (Address already in use)");
	printf("  wireguard-go, 1,000 peers from nothing: %lld ms; one more: %lld ms; "
	       "wg setconf of 1,001: %lld ms\n", scratch, one, setconf);
	wg_device_free(&want);
	free(conf);
}

/* no socket and (here) no kernel module: a clear error naming the device */
static void test_missing_device(void)
{
	struct wg_device d;
	char err[256];

	/* the kernel backend asked for real: its family lookup answers none
	 * here (no module), or with a module the device is not there */
	T_CHECK(wg_get(sockdir, "wgnone0", &d, err, sizeof(err)) == -1);
	if (strcmp(err, "wgnone0: read: the kernel has no WireGuard (no module) and "
			"wireguard-go has no socket for it") != 0)
		T_CHECK_STR(err, "wgnone0: read: no such device");
	wg_device_free(&d);
	/* the same through the system backend, the reason in its *err */
	{
		struct sys *s = sys_linux_new();
		char *e = NULL;
		T_CHECK(sys_wg(s, &e, sockdir, "wgnone0", &dev[0]) == -1);
		T_CHECK(e && !strncmp(e, "wgnone0: read: ", 15));
		free(e);
		sys_free(s);
	}
	T_CHECK(wg_get(sockdir, "../x", &d, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "interface \"../x\": not a device name");
	wg_device_free(&d);
}

int main(int argc, char **argv)
{
	bool ok;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIFOS-ENGINE-EXEC\n", argv[0]);
		return 2;
	}
	engine_exec = argv[1];
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "  FAIL: the WireGuard tests need network and mount namespaces of "
				"their own (run as root)\n");
		return 1;
	}
	/* our mounts stay ours; `wg` finds the sockets at its compiled-in
	 * /var/run/wireguard, here our folder on a /run of our own */
	snprintf(tmp, sizeof(tmp), "/tmp/difos-wgdev-XXXXXX");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(tmp) ||
	    mount("difos-wgdev", "/run", "tmpfs", 0, "mode=0755") < 0 ||
	    mkdir("/run/wireguard", 0700) < 0) {
		fprintf(stderr, "  FAIL: cannot make the test's mounts: %s\n", strerror(errno));
		return 1;
	}
	snprintf(sockdir, sizeof(sockdir), "%s/wireguard", tmp);
	if (mkdir(sockdir, 0700) < 0 ||
	    mount(sockdir, "/run/wireguard", NULL, MS_BIND, NULL) < 0) {
		fprintf(stderr, "  FAIL: cannot bind %s: %s\n", sockdir, strerror(errno));
		return 1;
	}
	ok = setup();
	if (!ok) {
		fprintf(stderr, "  FAIL: cannot set up the namespaces and wireguard-go\n");
		t_failed++;
	} else {
		T_RUN(test_sync_and_ping);
		T_RUN(test_get_agrees_with_wg);
		T_RUN(test_add_and_remove_a_peer);
		T_RUN(test_missing_device);
		T_RUN(test_thousand_peers);
	}
	if (t_failed)
		dump_logs();
	teardown();
	wg_device_free(&dev[0]);
	wg_device_free(&dev[1]);
	{
		char *cmd = xasprintf("rm -rf %s", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "  cannot remove %s\n", tmp);
		free(cmd);
	}
	return t_done("wg_dev");
}
