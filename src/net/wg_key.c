/* WireGuard keys (wg.h): X25519 by libsodium, base64 as wg writes it. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "net/wg.h"

void wg_key_generate(unsigned char priv[WG_KEY_LEN])
{
	/* idempotent; needed once before the random source is used */
	if (sodium_init() < 0)
		abort();
	randombytes_buf(priv, WG_KEY_LEN);
	/* clamped as Curve25519 wants it (RFC 7748 5.), the way `wg genkey`
	 * writes it: the same key whichever engine reads it */
	priv[0] &= 248;
	priv[31] = (priv[31] & 127) | 64;
}

void wg_key_public(unsigned char pub[WG_KEY_LEN], const unsigned char priv[WG_KEY_LEN])
{
	/* fails only for a key whose public key would be all zeros, which a
	 * clamped key never is; the output is then zeros, not garbage */
	if (crypto_scalarmult_curve25519_base(pub, priv) != 0)
		memset(pub, 0, WG_KEY_LEN);
}

void wg_key_to_base64(char out[WG_KEY_B64_LEN], const unsigned char key[WG_KEY_LEN])
{
	sodium_bin2base64(out, WG_KEY_B64_LEN, key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

int wg_key_from_base64(unsigned char key[WG_KEY_LEN], const char *text)
{
	unsigned char bin[WG_KEY_LEN + 4];
	const char *end = NULL;
	size_t n = 0;
	int rc = -1;

	if (!text || strlen(text) != WG_KEY_B64_LEN - 1)
		return -1;
	/* libsodium refuses padding that is not there or not needed, and a
	 * last character whose unused bits are set: one key has one text (a
	 * key is compared and shown as text) */
	if (sodium_base642bin(bin, sizeof(bin), text, WG_KEY_B64_LEN - 1, NULL, &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    n == WG_KEY_LEN && end == text + WG_KEY_B64_LEN - 1) {
		memcpy(key, bin, WG_KEY_LEN);
		rc = 0;
	}
	sodium_memzero(bin, sizeof(bin));
	return rc;
}
