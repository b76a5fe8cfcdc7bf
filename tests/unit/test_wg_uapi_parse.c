/*
 * wireguard-go's answers to "get=1" (net/wg_uapi_parse.c): real ones,
 * captured from wireguard-go (tests/fuzz/corpus/wg_uapi, also the fuzz
 * target's seeds), and broken ones.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/util.h"
#include "net/wg.h"
#include "net/wg_int.h"
#include "t.h"

static const char *corpus;
static char err[256];

static char *fixture(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", corpus, name);
	char *text = file_read(path, len);

	if (!text)
		fprintf(stderr, "  cannot read %s\n", path);
	free(path);
	return text;
}

static const char *b64(const unsigned char *k)
{
	static char out[4][WG_KEY_B64_LEN];
	static int n;

	n = (n + 1) % 4;
	wg_key_to_base64(out[n], k);
	return out[n];
}

static const char *ep(const struct sockaddr_storage *ss)
{
	static char out[WG_ENDPOINT_TEXT_LEN];

	wg_endpoint_text(out, sizeof(out), ss);
	return out;
}

static const char *aip(const struct wg_allowed_ip *a)
{
	static char out[80];
	char ip[64];

	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	snprintf(out, sizeof(out), "%s/%u", ip, a->prefix);
	return out;
}

/* the two peers' answer; `wg show wga dump` said at the same moment:
 * cLs5G6gDPyXZjZ8CvmIO4KaqAj/gXV+BvY5j9CG7CFk= D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTM= 51001 0x42
 * xzJUEIN20xdy+ScdYdKrwMuszKYEOok0BEWnIhcWp0o= HLv2YuIYO5nuf3QFtxCVlBxdWTaH+Nud8SqDWikZIB4= 192.0.2.2:51002 10.99.0.2/32,fd99::2/128,10.98.0.0/16 1796013704 348 436 25
 * matE9hcToixlTypJhkXQy8dghIyUOC28w9/2ar6RXRI= (none) [2001:db8::5]:4500 10.97.0.0/24 0 0 0 off */
static void test_two_peers(void)
{
	struct wg_device d;
	size_t len;
	char *text = fixture("get-two-peers", &len);
	const struct wg_peer *p;

	T_CHECK(text && wg_uapi_parse(text, len, &d, err, sizeof(err)) == 0);
	T_CHECK(d.has_private_key);
	T_CHECK_STR(b64(d.private_key), "cLs5G6gDPyXZjZ8CvmIO4KaqAj/gXV+BvY5j9CG7CFk=");
	T_CHECK_STR(b64(d.public_key), "D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTM=");
	T_CHECK(d.listen_port == 51001 && d.fwmark == 0x42);
	T_CHECK(d.n_peers == 2);
	if (d.n_peers == 2) {
		p = &d.peers[0];
		T_CHECK_STR(b64(p->public_key), "xzJUEIN20xdy+ScdYdKrwMuszKYEOok0BEWnIhcWp0o=");
		T_CHECK(p->has_preshared_key);
		T_CHECK_STR(b64(p->preshared_key), "HLv2YuIYO5nuf3QFtxCVlBxdWTaH+Nud8SqDWikZIB4=");
		T_CHECK_STR(ep(&p->endpoint), "192.0.2.2:51002");
		T_CHECK(p->n_allowed_ips == 3);
		T_CHECK_STR(aip(&p->allowed_ips[0]), "10.99.0.2/32");
		T_CHECK_STR(aip(&p->allowed_ips[1]), "fd99::2/128");
		T_CHECK_STR(aip(&p->allowed_ips[2]), "10.98.0.0/16");
		T_CHECK(p->last_handshake == 1796013704 && p->rx_bytes == 348 &&
			p->tx_bytes == 436 && p->keepalive == 25);
		p = &d.peers[1];
		T_CHECK_STR(b64(p->public_key), "matE9hcToixlTypJhkXQy8dghIyUOC28w9/2ar6RXRI=");
		T_CHECK(!p->has_preshared_key);
		T_CHECK_STR(ep(&p->endpoint), "[2001:db8::5]:4500");
		T_CHECK(p->n_allowed_ips == 1);
		T_CHECK_STR(aip(&p->allowed_ips[0]), "10.97.0.0/24");
		T_CHECK(p->last_handshake == 0 && p->rx_bytes == 0 && p->tx_bytes == 0 &&
			p->keepalive == 0);
	}
	wg_device_free(&d);
	free(text);
}

static void test_one_peer_and_fresh(void)
{
	struct wg_device d;
	size_t len;
	char *text = fixture("get-one-peer", &len);

	T_CHECK(text && wg_uapi_parse(text, len, &d, err, sizeof(err)) == 0);
	T_CHECK(d.listen_port == 51002 && d.fwmark == 0 && d.n_peers == 1);
	T_CHECK(d.n_peers == 1 && d.peers[0].n_allowed_ips == 1 &&
		!strcmp(ep(&d.peers[0].endpoint), "192.0.2.1:51001"));
	wg_device_free(&d);
	free(text);
	/* a device just made: no key, the port the engine chose, no peer */
	text = fixture("get-fresh", &len);
	T_CHECK(text && wg_uapi_parse(text, len, &d, err, sizeof(err)) == 0);
	T_CHECK(!d.has_private_key && d.listen_port == 44718 && d.n_peers == 0);
	wg_device_free(&d);
	free(text);
}

static void test_errno_is_an_error(void)
{
	struct wg_device d;
	size_t len;
	char *text = fixture("set-einval", &len);

	T_CHECK(text && wg_uapi_parse(text, len, &d, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "wireguard-go refused: errno=-22 (Invalid argument)");
	wg_device_free(&d);
	free(text);
	T_CHECK(wg_uapi_parse("errno=1\n\n", 9, &d, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "wireguard-go refused: errno=1 (Operation not permitted)");
	wg_device_free(&d);
}

static void test_broken_answers(void)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "listen_port=1\n", "wireguard-go's answer: ends without errno=" },
		{ "", "wireguard-go's answer: ends without errno=" },
		{ "listen_port\nerrno=0\n\n", "wireguard-go's answer: line 1: not key=value" },
		{ "\nerrno=0\n\n", "wireguard-go's answer: line 1: empty before errno=" },
		{ "listen_port=65536\nerrno=0\n\n",
		  "wireguard-go's answer: line 1: bad value of listen_port" },
		{ "listen_port=01\nerrno=0\n\n",
		  "wireguard-go's answer: line 1: bad value of listen_port" },
		/* a key one digit short: its value is never repeated */
		{ "private_key=70bb391ba8033f25d98d9f02be620ee0a6aa023fe05d5f81bd8e63f421bb085\nerrno=0\n\n",
		  "wireguard-go's answer: line 1: bad value of private_key" },
		{ "public_key=c73254108376d31772f9271d61d2abc0cbaccca6043a89340445a7221716a74a\n"
		  "endpoint=192.0.2.2\nerrno=0\n\n",
		  "wireguard-go's answer: line 2: bad value of endpoint" },
		{ "public_key=c73254108376d31772f9271d61d2abc0cbaccca6043a89340445a7221716a74a\n"
		  "allowed_ip=10.0.0.0/33\nerrno=0\n\n",
		  "wireguard-go's answer: line 2: bad value of allowed_ip" },
		{ "public_key=c73254108376d31772f9271d61d2abc0cbaccca6043a89340445a7221716a74a\n"
		  "tx_bytes=18446744073709551616\nerrno=0\n\n",
		  "wireguard-go's answer: line 2: bad value of tx_bytes" },
		{ "errno=-0\n\n", "wireguard-go's answer: line 1: bad value of errno" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wg_device d;
		T_CHECK(wg_uapi_parse(cases[i].text, strlen(cases[i].text), &d, err,
				      sizeof(err)) == -1);
		T_CHECK_STR(err, cases[i].why);
		wg_device_free(&d);
	}
}

static void test_unknown_keys_and_limits(void)
{
	struct wg_device d;
	const char *t = "listen_port=0\nsomething_new=1\n"
		"public_key=c73254108376d31772f9271d61d2abc0cbaccca6043a89340445a7221716a74a\n"
		"a_newer_peer_key=x\ntx_bytes=18446744073709551615\n"
		"endpoint=[fe80::1%1]:7\nerrno=0\n\n";

	/* a newer engine's keys are not ours to refuse */
	T_CHECK(wg_uapi_parse(t, strlen(t), &d, err, sizeof(err)) == 0);
	T_CHECK(d.n_peers == 1 && d.peers[0].tx_bytes == UINT64_MAX);
	T_CHECK(d.n_peers == 1 && d.peers[0].endpoint.ss_family == AF_INET6 &&
		((struct sockaddr_in6 *)&d.peers[0].endpoint)->sin6_scope_id == 1);
	if (d.n_peers == 1)
		T_CHECK_STR(ep(&d.peers[0].endpoint), "[fe80::1%1]:7");
	wg_device_free(&d);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	corpus = argv[1];
	T_RUN(test_two_peers);
	T_RUN(test_one_peer_and_fresh);
	T_RUN(test_errno_is_an_error);
	T_RUN(test_broken_answers);
	T_RUN(test_unknown_keys_and_limits);
	return t_done("wg_uapi_parse");
}
