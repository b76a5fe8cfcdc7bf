/*
 * IKE and ESP proposals ("aes256-sha256-modp2048"), checked token by token
 * against what this strongSwan can do. The table is what charon with the
 * plugins ipsec_render.c loads lists (swanctl --list-algs): AES (CBC, CTR,
 * CCM), ChaCha20-Poly1305, Camellia, 3DES, Blowfish, CAST, Serpent and
 * Twofish ciphers; HMAC-SHA1/SHA2/MD5, AES-CMAC and XCBC integrity and PRFs;
 * MODP, Curve25519 and Curve448 groups; AES-GCM and the ECP (NIST and
 * Brainpool) groups from the openssl plugin (libstrongswan-standard-plugins).
 * The 192- and 224-bit ECP groups are left out: too weak. Single DES and the 768-bit MODP group are refused: they are broken.
 * Every token was loaded into this charon in a proposal of its kind
 * (load-conn): each parses.
 */
#include <stdio.h>
#include <string.h>

#include "features/vpn/ipsec/ipsec_int.h"

enum tok_class { T_ENC, T_AEAD, T_INTEG, T_PRF, T_DH, T_ESN };

struct tok {
	const char *name;
	enum tok_class cls;
};

static const struct tok toks[] = {
	/* encryption */
	{ "aes", T_ENC }, { "aes128", T_ENC }, { "aes192", T_ENC }, { "aes256", T_ENC },
	{ "aes128ctr", T_ENC }, { "aes192ctr", T_ENC }, { "aes256ctr", T_ENC },
	{ "3des", T_ENC }, { "blowfish", T_ENC }, { "blowfish128", T_ENC },
	{ "blowfish192", T_ENC }, { "blowfish256", T_ENC }, { "cast128", T_ENC },
	{ "camellia", T_ENC }, { "camellia128", T_ENC }, { "camellia192", T_ENC },
	{ "camellia256", T_ENC }, { "camellia128ctr", T_ENC }, { "camellia192ctr", T_ENC },
	{ "camellia256ctr", T_ENC }, { "serpent128", T_ENC }, { "serpent192", T_ENC },
	{ "serpent256", T_ENC }, { "twofish128", T_ENC }, { "twofish192", T_ENC },
	{ "twofish256", T_ENC },
	/* authenticated encryption */
	{ "aes128ccm8", T_AEAD }, { "aes128ccm12", T_AEAD }, { "aes128ccm16", T_AEAD },
	{ "aes192ccm8", T_AEAD }, { "aes192ccm12", T_AEAD }, { "aes192ccm16", T_AEAD },
	{ "aes256ccm8", T_AEAD }, { "aes256ccm12", T_AEAD }, { "aes256ccm16", T_AEAD },
	{ "aes128ccm64", T_AEAD }, { "aes128ccm96", T_AEAD }, { "aes128ccm128", T_AEAD },
	{ "aes256ccm64", T_AEAD }, { "aes256ccm96", T_AEAD }, { "aes256ccm128", T_AEAD },
	{ "camellia128ccm16", T_AEAD }, { "camellia256ccm16", T_AEAD },
	{ "aes128gcm8", T_AEAD }, { "aes128gcm12", T_AEAD }, { "aes128gcm16", T_AEAD },
	{ "aes192gcm8", T_AEAD }, { "aes192gcm12", T_AEAD }, { "aes192gcm16", T_AEAD },
	{ "aes256gcm8", T_AEAD }, { "aes256gcm12", T_AEAD }, { "aes256gcm16", T_AEAD },
	{ "aes128gcm64", T_AEAD }, { "aes128gcm96", T_AEAD }, { "aes128gcm128", T_AEAD },
	{ "aes256gcm64", T_AEAD }, { "aes256gcm96", T_AEAD }, { "aes256gcm128", T_AEAD },
	{ "chacha20poly1305", T_AEAD },
	/* integrity */
	{ "md5", T_INTEG }, { "md5_128", T_INTEG }, { "sha1", T_INTEG }, { "sha", T_INTEG },
	{ "sha1_160", T_INTEG }, { "sha256", T_INTEG }, { "sha2_256", T_INTEG },
	{ "sha384", T_INTEG },
	{ "sha2_384", T_INTEG }, { "sha512", T_INTEG }, { "sha2_512", T_INTEG },
	{ "aesxcbc", T_INTEG }, { "aescmac", T_INTEG }, { "camelliaxcbc", T_INTEG },
	/* pseudo-random functions (IKE) */
	{ "prfmd5", T_PRF }, { "prfsha1", T_PRF }, { "prfsha256", T_PRF }, { "prfsha384", T_PRF },
	{ "prfsha512", T_PRF }, { "prfaesxcbc", T_PRF }, { "prfaescmac", T_PRF },
	{ "prfcamelliaxcbc", T_PRF },
	/* Diffie-Hellman groups (IKE; ESP: PFS) */
	{ "modp1024", T_DH }, { "modp1536", T_DH }, { "modp2048", T_DH }, { "modp3072", T_DH },
	{ "modp4096", T_DH }, { "modp6144", T_DH }, { "modp8192", T_DH },
	{ "modp2048s224", T_DH }, { "modp2048s256", T_DH }, { "curve25519", T_DH },
	{ "x25519", T_DH }, { "curve448", T_DH }, { "x448", T_DH },
	{ "ecp256", T_DH }, { "ecp384", T_DH }, { "ecp521", T_DH }, { "ecp256bp", T_DH },
	{ "ecp384bp", T_DH }, { "ecp512bp", T_DH },
	/* extended sequence numbers (ESP) */
	{ "esn", T_ESN }, { "noesn", T_ESN },
};

static const struct tok *tok_find(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		if (strlen(toks[i].name) == n && !strncmp(toks[i].name, s, n))
			return &toks[i];
	return NULL;
}

bool ipsec_proposal_check(const char *proposal, bool esp, char *why, size_t whylen)
{
	unsigned seen[T_ESN + 1] = { 0 };
	const char *p = proposal;

	if (!*proposal) {
		snprintf(why, whylen, "is empty");
		return false;
	}
	for (;;) {
		size_t n = strcspn(p, "-");
		const struct tok *t = tok_find(p, n);

		if (!t) {
			snprintf(why, whylen, "has \"%.*s\", which is no %s algorithm this strongSwan "
				 "supports", (int)(n > 40 ? 40 : n), p, esp ? "ESP" : "IKE");
			return false;
		}
		if (t->cls == T_ESN && !esp) {
			snprintf(why, whylen, "has \"%s\", which is for ESP proposals only", t->name);
			return false;
		}
		if (t->cls == T_PRF && esp) {
			snprintf(why, whylen, "has \"%s\", a PRF, which ESP does not use", t->name);
			return false;
		}
		seen[t->cls]++;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (!seen[T_ENC] && !seen[T_AEAD]) {
		snprintf(why, whylen, "has no encryption algorithm");
		return false;
	}
	if (seen[T_ENC] && seen[T_AEAD]) {
		snprintf(why, whylen, "mixes a combined-mode (AEAD) cipher with other ciphers");
		return false;
	}
	if (seen[T_ENC] && !seen[T_INTEG]) {
		snprintf(why, whylen, "has no integrity algorithm (needed with a non-AEAD cipher)");
		return false;
	}
	if (seen[T_AEAD] && seen[T_INTEG]) {
		snprintf(why, whylen, "has an integrity algorithm with an AEAD cipher, which has its own");
		return false;
	}
	if (!esp && seen[T_AEAD] && !seen[T_PRF]) {
		snprintf(why, whylen, "has an AEAD cipher without a PRF (prfsha256, ...)");
		return false;
	}
	if (!esp && !seen[T_DH]) {
		snprintf(why, whylen, "has no Diffie-Hellman group (modp2048, curve25519, ...)");
		return false;
	}
	return true;
}

bool ipsec_proposal_has_aead(const char *proposal)
{
	for (const char *p = proposal;;) {
		size_t n = strcspn(p, "-");
		const struct tok *t = tok_find(p, n);

		if (t && t->cls == T_AEAD)
			return true;
		if (!p[n])
			return false;
		p += n + 1;
	}
}
