/* WireGuard keys (net/wg_key.c): X25519 public keys, base64 as wg writes it. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "net/wg.h"
#include "t.h"

static void hex(unsigned char *out, const char *text)
{
	T_CHECK(sodium_hex2bin(out, WG_KEY_LEN, text, strlen(text), NULL, NULL, NULL) == 0);
}

/* RFC 7748 6.1: Alice's and Bob's keys (the private ones unclamped: X25519
 * clamps them itself) */
static void test_rfc7748_public_keys(void)
{
	static const struct { const char *priv, *pub; } v[] = {
		{ "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" },
		{ "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned char priv[WG_KEY_LEN], want[WG_KEY_LEN], got[WG_KEY_LEN];
		hex(priv, v[i].priv);
		hex(want, v[i].pub);
		wg_key_public(got, priv);
		T_CHECK(memcmp(got, want, WG_KEY_LEN) == 0);
	}
}

/* `wg pubkey` of a key `wg genkey` wrote: the same text both ways */
static void test_as_wg_says_it(void)
{
	unsigned char priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char text[WG_KEY_B64_LEN];

	T_CHECK(wg_key_from_base64(priv, "cLs5G6gDPyXZjZ8CvmIO4KaqAj/gXV+BvY5j9CG7CFk=") == 0);
	wg_key_public(pub, priv);
	wg_key_to_base64(text, pub);
	T_CHECK_STR(text, "D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTM=");
	wg_key_to_base64(text, priv);
	T_CHECK_STR(text, "cLs5G6gDPyXZjZ8CvmIO4KaqAj/gXV+BvY5j9CG7CFk=");
}

static void test_generate_is_clamped_and_random(void)
{
	unsigned char a[WG_KEY_LEN], b[WG_KEY_LEN];

	for (int i = 0; i < 64; i++) {
		wg_key_generate(a);
		T_CHECK((a[0] & 7) == 0);
		T_CHECK((a[31] & 128) == 0 && (a[31] & 64) == 64);
	}
	wg_key_generate(b);
	T_CHECK(memcmp(a, b, WG_KEY_LEN) != 0);
}

static void test_base64_refusals(void)
{
	static const char *bad[] = {
		/* 43 and 45 characters */
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTM",
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTM==",
		/* a character outside the alphabet, a space, the URL alphabet */
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wT!=",
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGnts 7wTM=",
		"D1jK9jelwTwLrGnLDp_B0J2pk/7xfj+sRkGntsD7wTM=",
		/* non-canonical: the last character's unused bits set (M -> N) */
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTN=",
		/* 31 bytes (two pads), 33 bytes (none): 44 characters each */
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wQ==",
		"D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTMA",
		"",
	};
	unsigned char key[WG_KEY_LEN], before[WG_KEY_LEN];

	memset(key, 0xab, sizeof(key));
	memcpy(before, key, sizeof(key));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (wg_key_from_base64(key, bad[i]) != -1)
			fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
		T_CHECK(wg_key_from_base64(key, bad[i]) == -1);
		/* nothing written on a refusal */
		T_CHECK(memcmp(key, before, WG_KEY_LEN) == 0);
	}
	T_CHECK(wg_key_from_base64(key, NULL) == -1);
	/* and the canonical one is taken */
	T_CHECK(wg_key_from_base64(key, "D1jK9jelwTwLrGnLDp/B0J2pk/7xfj+sRkGntsD7wTM=") == 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	T_RUN(test_rfc7748_public_keys);
	T_RUN(test_as_wg_says_it);
	T_RUN(test_generate_is_clamped_and_random);
	T_RUN(test_base64_refusals);
	return t_done("wg_key");
}
