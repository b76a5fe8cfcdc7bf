/*
 * IPsec: the vici wire protocol (messages encoded and parsed back, and
 * every way a packet from charon can be malformed), the proposal table,
 * what the log says of a peer that is not up, the peers' rules and the
 * firewall's rules.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "features/vpn/ipsec/ipsec_int.h"
#include "features/vpn/ipsec/vici_msg.h"
#include "t.h"
#include "t_engine.h"
#include "t_json.h"
#include "t_schema.h"

static void test_vici_roundtrip(void)
{
	json_t *m = J("{\"gw\": {\"version\": \"2\", \"remote_addrs\": [\"192.0.2.1\", \"gw.example\"],"
		      " \"local\": {\"auth\": \"psk\"}, \"children\": {\"gw\": {\"local_ts\": []}}},"
		      " \"n\": 3, \"b\": true}");
	json_t *back = NULL;
	struct sbuf b;
	char err[256], name[256];
	int type = -1;

	sbuf_init(&b);
	T_CHECK(vici_encode(&b, VICI_CMD_REQUEST, "load-conn", m, err, sizeof(err)) == 0);
	/* the length prefix, the type, the name */
	T_CHECK((size_t)((unsigned char)b.s[2] << 8 | (unsigned char)b.s[3]) == b.len - 4);
	T_CHECK(b.s[4] == VICI_CMD_REQUEST && b.s[5] == 9 && !memcmp(b.s + 6, "load-conn", 9));
	T_CHECK(vici_parse((unsigned char *)b.s + 4, b.len - 4, &type, name, &back, err,
			   sizeof(err)) == 0);
	T_CHECK(type == VICI_CMD_REQUEST);
	T_CHECK_STR(name, "load-conn");
	json_object_set_new(m, "n", json_string("3"));
	json_object_set_new(m, "b", json_string("yes"));
	T_CHECK(json_equal(m, back));
	json_decref(back);
	json_decref(m);
	sbuf_free(&b);

	/* an unnamed type: no name byte; no message */
	sbuf_init(&b);
	T_CHECK(vici_encode(&b, VICI_CMD_RESPONSE, NULL, NULL, err, sizeof(err)) == 0);
	T_CHECK(b.len == 5 && b.s[4] == VICI_CMD_RESPONSE);
	sbuf_free(&b);

	/* a value that is no scalar in a list */
	m = J("{\"l\": [{\"x\": 1}]}");
	sbuf_init(&b);
	T_CHECK(vici_encode(&b, VICI_CMD_REQUEST, "x", m, err, sizeof(err)) < 0);
	T_CHECK(strstr(err, "l:") != NULL);
	sbuf_free(&b);
	json_decref(m);
}

/* what charon answers a list-sas with, one event (bytes as charon sends them) */
static void test_vici_parse_event(void)
{
	static const unsigned char pkt[] = {
		VICI_EVENT, 7, 'l', 'i', 's', 't', '-', 's', 'a',
		VICI_SECTION_START, 2, 'g', 'w',
		VICI_KEY_VALUE, 5, 's', 't', 'a', 't', 'e', 0, 11, 'E', 'S', 'T', 'A', 'B', 'L', 'I',
		'S', 'H', 'E', 'D',
		VICI_LIST_START, 8, 'l', 'o', 'c', 'a', 'l', '-', 't', 's',
		VICI_LIST_ITEM, 0, 2, 'a', 0x01,
		VICI_LIST_END,
		VICI_SECTION_END,
	};
	json_t *m = NULL;
	char err[256], name[256];
	int type;

	T_CHECK(vici_parse(pkt, sizeof(pkt), &type, name, &m, err, sizeof(err)) == 0);
	T_CHECK(type == VICI_EVENT);
	T_CHECK_STR(name, "list-sa");
	T_CHECK_STR(json_string_value(at(m, "gw.state")), "ESTABLISHED");
	/* a control byte becomes '?' */
	T_CHECK_STR(json_string_value(json_array_get(at(m, "gw.local-ts"), 0)), "a?");
	json_decref(m);
}

static void test_vici_parse_refusals(void)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *says;
	} bad[] = {
		{ "", 0, "an empty packet" },
		{ "\x09", 1, "an unknown packet type" },
		{ "\x00\x05" "ab", 4, "a name is cut short" },
		{ "\x01\x03\x01k\x00\x05" "ab", 8, "a value is cut short" },
		{ "\x01\x03\x01k\x00", 5, "a value's length is cut short" },
		{ "\x01\x01\x01s", 4, "a section never ends" },
		{ "\x01\x02", 2, "a section ends that never started" },
		{ "\x01\x04\x01l\x05\x00\x01x", 8, "a list never ends" },
		{ "\x01\x04\x01l\x03", 5, "a list holds something else than items" },
		{ "\x01\x08", 2, "an unknown element" },
		{ "\x01\x03\x02k\x00\x00\x00", 7, "a name holds a NUL byte" },
	};
	char err[256], name[256];
	json_t *m;
	int type;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = NULL;
		T_CHECK(vici_parse((const unsigned char *)bad[i].bytes, bad[i].len, &type, name, &m,
				   err, sizeof(err)) < 0);
		if (!strstr(err, bad[i].says))
			fprintf(stderr, "    case %zu: %s\n", i, err);
		T_CHECK(strstr(err, bad[i].says) != NULL);
		T_CHECK(m == NULL);
	}
	/* sections nested deeper than charon's */
	{
		unsigned char d[1 + 2 * (VICI_DEPTH_MAX + 1)];

		d[0] = VICI_CMD_RESPONSE;
		for (int i = 0; i < VICI_DEPTH_MAX + 1; i++) {
			d[1 + 2 * i] = VICI_SECTION_START;
			d[2 + 2 * i] = 0;
		}
		T_CHECK(vici_parse(d, sizeof(d), &type, name, &m, err, sizeof(err)) < 0);
		T_CHECK(strstr(err, "nested too deep") != NULL);
	}
}

static void test_proposals(void)
{
	static const char *const ike_ok[] = { "aes256-sha256-modp2048", "aes128-sha1-modp1024",
		"aes256ccm16-prfsha256-curve25519", "chacha20poly1305-prfsha512-x25519",
		"aes256-aes128-sha384-sha256-modp3072-modp2048", NULL };
	static const char *const esp_ok[] = { "aes256-sha256", "aes256-sha256-modp2048-esn",
		"aes128ccm16", "chacha20poly1305-noesn", NULL };
	char why[200];

	for (size_t i = 0; ike_ok[i]; i++)
		T_CHECK(ipsec_proposal_check(ike_ok[i], false, why, sizeof(why)));
	for (size_t i = 0; esp_ok[i]; i++)
		T_CHECK(ipsec_proposal_check(esp_ok[i], true, why, sizeof(why)));
	T_CHECK(!ipsec_proposal_check("aes256-sha256-modp2049", false, why, sizeof(why)));
	T_CHECK_STR(why, "has \"modp2049\", which is no IKE algorithm this strongSwan supports");
	/* AES-GCM and the ECP groups (the openssl plugin); the weak small curves are not */
	T_CHECK(ipsec_proposal_check("aes256gcm16-ecp384", true, why, sizeof(why)));
	T_CHECK(ipsec_proposal_check("aes256gcm16-prfsha384-ecp384", false, why, sizeof(why)));
	T_CHECK(!ipsec_proposal_check("aes256gcm16-ecp192", true, why, sizeof(why)));
	T_CHECK(strstr(why, "\"ecp192\"") != NULL);
	T_CHECK(!ipsec_proposal_check("aes256-sha256", false, why, sizeof(why)));
	T_CHECK(strstr(why, "no Diffie-Hellman group") != NULL);
	T_CHECK(!ipsec_proposal_check("aes256-modp2048", false, why, sizeof(why)));
	T_CHECK(strstr(why, "no integrity") != NULL);
	T_CHECK(!ipsec_proposal_check("aes256-sha256-esn-modp2048", false, why, sizeof(why)));
	T_CHECK(strstr(why, "ESP proposals only") != NULL);
	T_CHECK(!ipsec_proposal_check("aes256ccm16-modp2048", false, why, sizeof(why)));
	T_CHECK(strstr(why, "without a PRF") != NULL);
	T_CHECK(!ipsec_proposal_check("aes256-sha256-prfsha256", true, why, sizeof(why)));
	T_CHECK(!ipsec_proposal_check("aes256-aes256ccm16-sha256", true, why, sizeof(why)));
	T_CHECK(!ipsec_proposal_check("", true, why, sizeof(why)));
	T_CHECK(!ipsec_proposal_check("des-sha1", true, why, sizeof(why)));
	T_CHECK(!ipsec_proposal_check("aes256--sha256", true, why, sizeof(why)));
	/* a keyword charon's proposal parser refuses */
	T_CHECK(!ipsec_proposal_check("aes128-sha256_96", true, why, sizeof(why)));
}

static void test_log_problem(void)
{
	static const char v2[] =
		"2026-11-30 04:00:00 07[IKE] <gw|1> initiating IKE_SA gw[1] to 10.0.0.2\n"
		"2026-11-30 04:00:00 09[IKE] <gw|1> received AUTHENTICATION_FAILED notify error\n"
		"2026-11-30 04:00:00 09[IKE] <other|2> retransmit 1 of request with message ID 0\n";
	static const char v1[] =
		"2026-11-30 04:00:00 07[IKE] <old|3> sending retransmit 2 of request message ID 1\n"
		"2026-11-30 04:00:00 07[IKE] <old|3> giving up after 5 retransmits\n";
	static const char up[] =
		"x 09[IKE] <gw|1> received AUTHENTICATION_FAILED notify error\n"
		"x 09[IKE] <gw|4> IKE_SA gw[4] established between 10.0.0.1[10.0.0.1]...10.0.0.2\n";

	T_CHECK(strstr(ipsec_log_problem(v2, strlen(v2), "gw", false), "authentication failed"));
	T_CHECK(strstr(ipsec_log_problem(v2, strlen(v2), "other", false), "no answer yet"));
	/* a prefix of another's name is not that name */
	T_CHECK(ipsec_log_problem(v2, strlen(v2), "g", false) == NULL);
	T_CHECK(ipsec_log_problem(v2, strlen(v2), "nobody", false) == NULL);
	T_CHECK_STR(ipsec_log_problem(v1, strlen(v1), "old", true),
		    "no answer / authentication failed? (IKEv1 with a wrong pre-shared key only "
		    "retransmits)");
	T_CHECK(ipsec_log_problem(up, strlen(up), "gw", false) == NULL);
	/* the log cut inside a line: what is there is read, nothing past it */
	T_CHECK(ipsec_log_problem(v2, 100, "gw", false) == NULL);
}

#define PEER(extra) "[{\"id\": 1, \"name\": \"site-b\", \"remote_gateway\": \"192.0.2.2\", " \
	"\"local_networks\": [\"10.1.0.0/24\"], \"remote_networks\": [\"10.2.0.0/24\"], " \
	"\"psk\": \"0123456789abcdef0123\"" extra "}]"

static void test_peer_rules(void)
{
	T_CHECK(valid(doc_with("ipsec.peers", PEER(""))));
	T_CHECK(valid(doc_with("ipsec.peers", PEER(", \"remote_gateway\": \"2001:db8::2\""))));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"name\": \"site b\"")),
			  "ipsec.peers[1].name",
			  "ipsec.peers[1].name: site b is not a peer name: 1 to 32 letters, "
			  "digits, '_' or '-'"));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"esp_proposals\": [\"aes256-sha256\", "
						       "\"aes256-shaa256\"]")),
			  "ipsec.peers[1].esp_proposals[1]",
			  "ipsec.peers[1].esp_proposals[1]: aes256-shaa256 has \"shaa256\", which "
			  "is no ESP algorithm this strongSwan supports"));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"remote_networks\": [\"10.1.0.128/25\"]")),
			  "ipsec.peers[1].remote_networks[0]",
			  "ipsec.peers[1].remote_networks[0]: 10.1.0.128/25 overlaps the local "
			  "network 10.1.0.0/24"));
	/* the LAN of the defaults is 192.168.1.0/24 */
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"remote_networks\": [\"192.168.0.0/16\"]")),
			  "ipsec.peers[1].remote_networks[0]",
			  "ipsec.peers[1].remote_networks[0]: 192.168.0.0/16 overlaps the LAN "
			  "192.168.1.0/24"));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"local_networks\": [\"10.1.0.1/24\"]")),
			  "ipsec.peers[1].local_networks[0]",
			  "ipsec.peers[1].local_networks[0]: 10.1.0.1/24 has bits set right of "
			  "its length: the network is 10.1.0.0/24"));
	T_CHECK(!valid(doc_with("ipsec.peers", PEER(", \"psk\": \"short\""))));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"remote_gateway\": \"vpn.example.com\"")),
			  "ipsec.peers[1].peer_id",
			  "ipsec.peers[1].peer_id: is needed with a DNS name as the remote gateway "
			  "(the name the peer authenticates as, often the same name)"));
	T_CHECK(valid(doc_with("ipsec.peers", PEER(", \"remote_gateway\": \"vpn.example.com\", "
						   "\"peer_id\": \"vpn.example.com\""))));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"remote_gateway\": \"-bad_\"")),
			  "ipsec.peers[1].remote_gateway",
			  "ipsec.peers[1].remote_gateway: -bad_ is neither an IPv4 or IPv6 "
			  "address nor a DNS name"));
	T_CHECK(!valid(doc_with("ipsec.peers", PEER(", \"version\": \"ikev1\", "
						    "\"local_networks\": [\"10.1.0.0/24\", "
						    "\"10.3.0.0/24\"]"))));
	T_CHECK(!valid(doc_with("ipsec.peers", PEER(", \"keying_tries\": 101"))));
	T_CHECK(has_error(doc_with("ipsec.peers", PEER(", \"version\": \"ikev1\", \"ike_proposals\": "
						       "[\"aes256-sha256-modp2048\", "
						       "\"aes256ccm16-prfsha256-modp2048\"]")),
			  "ipsec.peers[1].ike_proposals[1]",
			  "ipsec.peers[1].ike_proposals[1]: aes256ccm16-prfsha256-modp2048 has a "
			  "combined-mode (AEAD) cipher, which IKEv1 has not for IKE"));
}

static void test_render_and_nft(void)
{
	json_t *doc = doc_with("ipsec.peers", PEER(", \"peer_id\": \"@b\""));
	struct feature_env env = { .paths = { .run = "/run/difos", .active = "/run/difos/active" } };
	struct feature_ctx ctx = { .env = &env, .doc = doc };
	struct render_out out = { 0 };
	struct feature_nft nft;
	json_t *vd;

	T_CHECK(ipsec_render(&ctx, &out) == 0);
	T_CHECK(strstr(render_get(&out, IPSEC_CONF_LIBIPSEC), "load = kernel-libipsec ") != NULL);
	T_CHECK(strstr(render_get(&out, IPSEC_CONF_KERNEL), "kernel-libipsec") == NULL);
	T_CHECK(strstr(render_get(&out, IPSEC_CONF_KERNEL),
		       "socket = unix:///run/difos/ipsec/charon.vici") != NULL);
	vd = json_loads(render_get(&out, IPSEC_VICI_JSON), 0, NULL);
	T_CHECK_STR(json_string_value(at(vd, "conns.site-b.site-b.version")), "2");
	T_CHECK_STR(json_string_value(at(vd, "conns.site-b.site-b.remote.id")), "@b");
	T_CHECK_STR(json_string_value(at(vd, "secrets.site-b.id")), "difos-site-b");
	T_CHECK_STR(json_string_value(json_array_get(at(vd, "secrets.site-b.owners"), 0)), "@b");
	T_CHECK(strstr(render_get(&out, IPSEC_SWANCTL), "\t\tremote_addrs = 192.0.2.2\n") != NULL);
	for (size_t i = 0; i < out.n; i++)
		if (!strcmp(out.v[i].name, IPSEC_VICI_JSON) || !strcmp(out.v[i].name, IPSEC_SWANCTL))
			T_CHECK(out.v[i].mode == 0600);
	json_decref(vd);
	render_out_free(&out);

	for (int k = 0; k < NFT__SLOTS; k++)
		sbuf_init(&nft.slot[k]);
	ipsec_nft(&ctx, &nft);
	T_CHECK(strstr(nft.slot[NFT_INPUT_WAN].s, "udp dport { 500, 4500 } accept") != NULL);
	T_CHECK(strstr(nft.slot[NFT_FORWARD].s, "iifname \"ipsec0\" ip saddr { 10.2.0.0/24 } "
						"oifname \"br-lan\" accept") != NULL);
	T_CHECK(strstr(nft.slot[NFT_FORWARD].s, "meta ipsec exists ip saddr { 10.2.0.0/24 }") != NULL);
	T_CHECK(strstr(nft.slot[NFT_NAT_POSTROUTING].s, "ip daddr { 10.2.0.0/24 } accept") != NULL);
	for (int k = 0; k < NFT__SLOTS; k++)
		sbuf_free(&nft.slot[k]);
	json_decref(doc);

	/* no peer: no file, nothing opened */
	doc = doc_with(NULL, NULL);
	ctx.doc = doc;
	memset(&out, 0, sizeof(out));
	T_CHECK(ipsec_render(&ctx, &out) == 0 && out.n == 0);
	for (int k = 0; k < NFT__SLOTS; k++)
		sbuf_init(&nft.slot[k]);
	ipsec_nft(&ctx, &nft);
	T_CHECK(nft.slot[NFT_INPUT_WAN].len == 0);
	for (int k = 0; k < NFT__SLOTS; k++)
		sbuf_free(&nft.slot[k]);
	json_decref(doc);
}

/* ---- the applier's loading against a stand-in for charon's vici socket ---- */

static struct {
	int lfd;
	json_t *loaded;          /* names charon has */
	struct sbuf journal;     /* "load-conn a\n", ... */
	const char *refuse;      /* a connection name load-conn refuses */
	pthread_mutex_t lock;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int fake_read(int fd, unsigned char **pkt, size_t *n)
{
	unsigned char len[4];
	size_t got = 0;

	while (got < 4) {
		ssize_t r = read(fd, len + got, 4 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	*n = (size_t)len[0] << 24 | (size_t)len[1] << 16 | (size_t)len[2] << 8 | len[3];
	*pkt = malloc(*n);
	for (got = 0; got < *n;) {
		ssize_t r = read(fd, *pkt + got, *n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void fake_send(int fd, int type, const json_t *msg)
{
	struct sbuf b;
	char err[128];

	sbuf_init(&b);
	vici_encode(&b, type, NULL, msg, err, sizeof(err));
	if (write(fd, b.s, b.len) < 0)
		perror("fake vici");
	sbuf_free(&b);
}

static json_t *fake_answer(const char *cmd, json_t *m)
{
	const char *name = NULL, *k;
	json_t *v;
	size_t i;

	pthread_mutex_lock(&fake.lock);
	if (!strcmp(cmd, "get-conns")) {
		pthread_mutex_unlock(&fake.lock);
		return json_pack("{s:O}", "conns", fake.loaded);
	}
	if (!strcmp(cmd, "load-conn")) {
		json_object_foreach(m, k, v)
			name = k;
	} else {
		name = json_string_value(json_object_get(m, "name")) ?:
		       json_string_value(json_object_get(m, "id"));
	}
	sbuf_printf(&fake.journal, "%s %s\n", cmd, name ? name : "?");
	if (!strcmp(cmd, "load-conn") && fake.refuse && name && !strcmp(name, fake.refuse)) {
		pthread_mutex_unlock(&fake.lock);
		return json_pack("{s:s, s:s}", "success", "no", "errmsg", "invalid value for: proposals");
	}
	if (!strcmp(cmd, "load-conn")) {
		bool have = false;

		json_array_foreach(fake.loaded, i, v)
			have |= !strcmp(json_string_value(v), name);
		if (!have)
			json_array_append_new(fake.loaded, json_string(name));
	}
	if (!strcmp(cmd, "unload-conn"))
		json_array_foreach(fake.loaded, i, v)
			if (!strcmp(json_string_value(v), name)) {
				json_array_remove(fake.loaded, i);
				break;
			}
	pthread_mutex_unlock(&fake.lock);
	return json_pack("{s:s}", "success", "yes");
}

static void *fake_charon(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(fake.lfd, NULL, NULL);
		unsigned char *pkt;
		size_t n;

		if (fd < 0)
			return NULL;
		while (fake_read(fd, &pkt, &n) == 0) {
			char name[256], err[128];
			json_t *m = NULL, *r;
			int type;

			if (vici_parse(pkt, n, &type, name, &m, err, sizeof(err)) == 0) {
				r = fake_answer(name, m);
				fake_send(fd, VICI_CMD_RESPONSE, r);
				json_decref(r);
			}
			json_decref(m);
			free(pkt);
		}
		close(fd);
	}
}

static json_t *vici_doc_of(const char *peers)
{
	json_t *doc = doc_with("ipsec.peers", peers), *vd = ipsec_vici_doc(doc);

	json_decref(doc);
	return vd;
}

#define P(id, name, esp) "{\"id\": " #id ", \"name\": \"" name "\", \"remote_gateway\": " \
	"\"192.0.2.2\", \"local_networks\": [\"10.1." #id ".0/24\"], \"remote_networks\": " \
	"[\"10.2." #id ".0/24\"], \"esp_proposals\": [\"" esp "\"], \"psk\": " \
	"\"0123456789abcdef0123\"}"

static void test_load_only_what_changed(void)
{
	char dir[] = "/tmp/difos-ipsec-XXXXXX", *sock;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct feature_env env = { 0 };
	json_t *v1, *v2, *v3;
	char *err = NULL;
	pthread_t th;

	T_CHECK(mkdtemp(dir) != NULL);
	sock = xasprintf("%s/ipsec", dir);
	mkdir(sock, 0700);
	free(sock);
	sock = xasprintf("%s/" IPSEC_VICI, dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fake.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	T_CHECK(bind(fake.lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fake.lfd, 4) == 0);
	fake.loaded = json_array();
	sbuf_init(&fake.journal);
	pthread_create(&th, NULL, fake_charon, NULL);
	env.paths.run = dir;

	/* a charon that has nothing: both loaded, keys first */
	v1 = vici_doc_of("[" P(1, "a", "aes256-sha256") ", " P(2, "b", "aes256-sha256") "]");
	T_CHECK(ipsec_load(&env, v1, NULL, &err) == 0);
	T_CHECK_STR(fake.journal.s, "load-shared difos-a\nload-conn a\nload-shared difos-b\nload-conn b\n");

	/* b's ESP proposal changes, c comes: b and c loaded, a untouched */
	fake.journal.len = 0;
	fake.journal.s[0] = '\0';
	v2 = vici_doc_of("[" P(1, "a", "aes256-sha256") ", " P(2, "b", "aes128-sha1") ", "
			 P(3, "c", "aes256-sha256") "]");
	T_CHECK(ipsec_load(&env, v2, v1, &err) == 0);
	T_CHECK_STR(fake.journal.s, "load-shared difos-b\nload-conn b\nload-shared difos-c\nload-conn c\n");

	/* a goes, and charon refuses c's new definition: the error names it */
	fake.journal.len = 0;
	fake.journal.s[0] = '\0';
	fake.refuse = "c";
	v3 = vici_doc_of("[" P(2, "b", "aes128-sha1") ", " P(3, "c", "aes128-sha256") "]");
	T_CHECK(ipsec_load(&env, v3, v2, &err) < 0);
	T_CHECK_STR(err, "ipsec.peers c: charon refused it: invalid value for: proposals");
	T_CHECK_STR(fake.journal.s, "unload-conn a\nunload-shared difos-a\nload-shared difos-c\n"
				    "load-conn c\n");
	free(err);
	err = NULL;

	/* the files in force before applied again (the engine's restore): a back, c as it was */
	fake.journal.len = 0;
	fake.journal.s[0] = '\0';
	fake.refuse = NULL;
	T_CHECK(ipsec_load(&env, v2, v3, &err) == 0);
	T_CHECK_STR(fake.journal.s, "load-shared difos-a\nload-conn a\nload-shared difos-c\nload-conn c\n");

	/* a charon restarted: without the messages in force, every one is loaded */
	json_array_clear(fake.loaded);
	json_array_append_new(fake.loaded, json_string("b"));
	fake.journal.len = 0;
	fake.journal.s[0] = '\0';
	T_CHECK(ipsec_load(&env, v2, NULL, &err) == 0);
	T_CHECK(strstr(fake.journal.s, "load-conn a\n") && strstr(fake.journal.s, "load-conn c\n"));

	shutdown(fake.lfd, SHUT_RDWR);
	close(fake.lfd);
	pthread_join(th, NULL);
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
	json_decref(fake.loaded);
	sbuf_free(&fake.journal);
	unlink(sock);
	free(sock);
	sock = xasprintf("%s/ipsec", dir);
	rmdir(sock);
	free(sock);
	rmdir(dir);
}

int main(void)
{
	t_engine_open();
	T_RUN(test_vici_roundtrip);
	T_RUN(test_vici_parse_event);
	T_RUN(test_vici_parse_refusals);
	T_RUN(test_proposals);
	T_RUN(test_log_problem);
	T_RUN(test_peer_rules);
	T_RUN(test_render_and_nft);
	T_RUN(test_load_only_what_changed);
	t_engine_close();
	return t_done("ipsec");
}
