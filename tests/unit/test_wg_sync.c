/*
 * wg_sync's change set (net/wg_sync.c: wg_diff), pure: from the device as
 * it is and as it is wanted, what is sent, and the UAPI text of it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "apply/system.h"
#include "core/util.h"
#include "net/wg.h"
#include "net/wg_int.h"
#include "t.h"
#include "t_wg.h"

static struct wg_device cur, want;
static struct wg_change ch;
static char err[256];

/* cur and want: the same device of three peers, one with a learned endpoint */
static void setup(void)
{
	struct wg_device *ds[] = { &cur, &want };

	for (int i = 0; i < 2; i++) {
		struct wg_device *d = ds[i];
		struct wg_peer *p;

		memset(d, 0, sizeof(*d));
		t_wg_key(d->private_key, 0x10);
		d->has_private_key = true;
		d->listen_port = 51820;
		p = t_wg_peer(d, 0xa1, "10.8.0.2/32", "fd08::2/128", NULL);
		p->keepalive = 25;
		t_wg_peer(d, 0xa2, "10.8.0.3/32", "192.168.50.0/24", NULL);
		p = t_wg_peer(d, 0xa3, "10.8.0.4/32", NULL);
		p->has_preshared_key = true;
		t_wg_key(p->preshared_key, 0x77);
	}
	/* the engine learned where peer a2 is; the wanted one names no endpoint */
	t_wg_endpoint(&cur.peers[1].endpoint, "192.0.2.9", 40000);
	cur.peers[0].rx_bytes = 1000;
	cur.peers[0].last_handshake = 1796013704;
}

static void teardown(void)
{
	wg_change_free(&ch);
	wg_device_free(&cur);
	wg_device_free(&want);
}

static char *text(void)
{
	return wg_uapi_set_text(&ch);
}

static void test_same_device_sends_nothing(void)
{
	char *t;

	setup();
	/* allowed IPs in another order are the same set */
	struct wg_allowed_ip x = want.peers[1].allowed_ips[0];
	want.peers[1].allowed_ips[0] = want.peers[1].allowed_ips[1];
	want.peers[1].allowed_ips[1] = x;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(wg_change_empty(&ch));
	T_CHECK(ch.stats.unchanged == 3 && !ch.stats.added && !ch.stats.updated &&
		!ch.stats.removed && !ch.stats.device_changed);
	t = text();
	T_CHECK_STR(t, "set=1\n\n");
	free(t);
	teardown();
}

static void test_allowed_ips_changed_replaces_that_peers_only(void)
{
	char *t;

	setup();
	want.peers[1].allowed_ips[1] = t_wg_aip("192.168.60.0/24");
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.n_peers == 1);
	T_CHECK(ch.peers[0].op == WG_PEER_UPDATE && ch.peers[0].replace_allowed_ips);
	T_CHECK(!ch.peers[0].set_endpoint && !ch.peers[0].set_keepalive &&
		!ch.peers[0].set_preshared_key);
	T_CHECK(ch.stats.updated == 1 && ch.stats.unchanged == 2 && !ch.stats.device_changed);
	t = text();
	T_CHECK_STR(t, "set=1\n"
		"public_key=a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2\n"
		"update_only=true\n"
		"replace_allowed_ips=true\n"
		"allowed_ip=10.8.0.3/32\n"
		"allowed_ip=192.168.60.0/24\n\n");
	free(t);
	teardown();
}

static void test_removed_and_added_peer(void)
{
	char *t;
	struct wg_peer *p;

	setup();
	/* a3 goes, a4 comes with an endpoint and a preshared key */
	free(want.peers[2].allowed_ips);
	want.n_peers = 2;
	p = t_wg_peer(&want, 0xa4, "10.8.0.5/32", NULL);
	t_wg_endpoint(&p->endpoint, "2001:db8::7", 51000);
	p->has_preshared_key = true;
	t_wg_key(p->preshared_key, 0x55);
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.stats.added == 1 && ch.stats.removed == 1 && ch.stats.unchanged == 2 &&
		!ch.stats.updated);
	t = text();
	/* removals first: the removed peer's allowed IPs are free for the new one */
	T_CHECK_STR(t, "set=1\n"
		"public_key=a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3\n"
		"remove=true\n"
		"public_key=a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4\n"
		"preshared_key=5555555555555555555555555555555555555555555555555555555555555555\n"
		"endpoint=[2001:db8::7]:51000\n"
		"replace_allowed_ips=true\n"
		"allowed_ip=10.8.0.5/32\n\n");
	free(t);
	teardown();
}

static void test_endpoint_kept_when_none_wanted(void)
{
	setup();
	/* want names none for a2 (the engine's learned one stays), a wanted
	 * one for a1 is set, the same one again for a2 is no change */
	t_wg_endpoint(&want.peers[0].endpoint, "198.51.100.1", 51820);
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.n_peers == 1 && ch.peers[0].peer == &want.peers[0] &&
		ch.peers[0].set_endpoint && !ch.peers[0].replace_allowed_ips);
	wg_change_free(&ch);
	t_wg_endpoint(&want.peers[1].endpoint, "192.0.2.9", 40000);
	t_wg_endpoint(&cur.peers[0].endpoint, "198.51.100.1", 51820);
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(wg_change_empty(&ch) && ch.stats.unchanged == 3);
	teardown();
}

static void test_psk_and_keepalive(void)
{
	char *t;

	setup();
	want.peers[2].has_preshared_key = false;   /* removed: sent as zeros */
	want.peers[0].keepalive = 0;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.stats.updated == 2 && ch.stats.unchanged == 1);
	t = text();
	T_CHECK(strstr(t, "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"));
	T_CHECK(strstr(t, "persistent_keepalive_interval=0\n"));
	T_CHECK(!strstr(t, "allowed_ip"));
	free(t);
	teardown();
}

static void test_device_key_and_port(void)
{
	char *t;

	setup();
	t_wg_key(want.private_key, 0x20);
	want.listen_port = 51821;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.set_private_key && ch.set_listen_port && !ch.set_fwmark);
	T_CHECK(ch.stats.device_changed && ch.stats.unchanged == 3 && ch.n_peers == 0);
	t = text();
	T_CHECK_STR(t, "set=1\n"
		"private_key=2020202020202020202020202020202020202020202020202020202020202020\n"
		"listen_port=51821\n\n");
	free(t);
	wg_change_free(&ch);
	/* port 0 and no key wanted: the engine's port and the device's key stay */
	want.listen_port = 0;
	want.has_private_key = false;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(wg_change_empty(&ch));
	wg_change_free(&ch);
	/* a fwmark, and taking it away */
	want.fwmark = 0x42;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.set_fwmark && ch.stats.device_changed);
	wg_change_free(&ch);
	cur.fwmark = 0x42;
	want.fwmark = 0;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	t = text();
	T_CHECK_STR(t, "set=1\nfwmark=0\n\n");
	free(t);
	teardown();
}

static void test_peer_wanted_twice(void)
{
	setup();
	t_wg_peer(&want, 0xa2, "10.8.0.9/32", NULL);
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "peer oqKioqKioqKioqKioqKioqKioqKioqKioqKioqKioqI=: given twice");
	teardown();
}

/* from nothing to 1,000 peers, then one added: the second change holds one peer */
static void test_thousand_peers(void)
{
	struct wg_device none = { 0 };
	long long t0;

	setup();
	wg_device_free(&want);
	wg_device_free(&cur);
	for (unsigned i = 0; i < 1000; i++) {
		char ip[32];
		struct wg_peer *p;
		snprintf(ip, sizeof(ip), "10.%u.%u.0/24", i / 256, i % 256);
		p = t_wg_peer(&want, 0, ip, NULL);
		p->public_key[0] = (unsigned char)(i >> 8);
		p->public_key[1] = (unsigned char)i;
	}
	T_CHECK(wg_diff(&none, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(ch.stats.added == 1000 && ch.n_peers == 1000);
	wg_change_free(&ch);
	/* cur is want, want gets one more */
	cur = want;
	memset(&want, 0, sizeof(want));
	for (size_t i = 0; i < cur.n_peers; i++)
		t_wg_peer(&want, 0, "10.200.0.0/24", NULL)->public_key[1] = (unsigned char)i;
	for (size_t i = 0; i < cur.n_peers; i++) {
		struct wg_peer *p = &want.peers[i];
		free(p->allowed_ips);
		*p = cur.peers[i];
		p->allowed_ips = malloc(sizeof(*p->allowed_ips));
		p->allowed_ips[0] = cur.peers[i].allowed_ips[0];
	}
	t_wg_peer(&want, 0xee, "10.250.0.0/24", NULL);
	t0 = now_ms();
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	printf("  diff of 1,001 against 1,000 peers: %lld ms\n", now_ms() - t0);
	T_CHECK(ch.stats.added == 1 && ch.stats.unchanged == 1000 && ch.n_peers == 1);
	teardown();
}

/* the dry backend's sys->wg: one line, never a key; a failure on demand */
static void test_dry_backend(void)
{
	struct sys *s = sys_dry_new();
	char *e = NULL, hex[2 * WG_KEY_LEN + 1], b64[WG_KEY_B64_LEN];

	setup();
	T_CHECK(sys_wg(s, &e, "/run/difos/wireguard", "wgs0", &want) == 0 && !e);
	T_CHECK_STR(s->journal.s, "wg sync wgs0 port=51820 peers=3\n");
	sodium_bin2hex(hex, sizeof(hex), want.private_key, WG_KEY_LEN);
	wg_key_to_base64(b64, want.private_key);
	T_CHECK(!strstr(s->journal.s, hex) && !strstr(s->journal.s, b64));
	s->fail_match = xstrdup("wg sync wgs0");
	T_CHECK(sys_wg(s, &e, "/run/difos/wireguard", "wgs0", &want) == -1);
	T_CHECK_STR(e, "wg sync wgs0 port=51820 peers=3: dry backend: injected failure");
	free(e);
	sys_free(s);
	teardown();
}

int main(void)
{
	T_RUN(test_same_device_sends_nothing);
	T_RUN(test_allowed_ips_changed_replaces_that_peers_only);
	T_RUN(test_removed_and_added_peer);
	T_RUN(test_endpoint_kept_when_none_wanted);
	T_RUN(test_psk_and_keepalive);
	T_RUN(test_device_key_and_port);
	T_RUN(test_peer_wanted_twice);
	T_RUN(test_thousand_peers);
	T_RUN(test_dry_backend);
	return t_done("wg_sync");
}
