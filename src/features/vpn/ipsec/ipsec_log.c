/*
 * What charon's log says about a connection that is not up. A failed
 * authentication ends an IKE_SA at once and leaves nothing in list-sas:
 * the log is the only witness. charon writes each line of a connection's
 * IKE_SA with "<name|N>" (filelog's ike_name); the last telling line
 * wins, and an "established" one clears what came before.
 *
 * IKEv2 tells a wrong key at once (AUTHENTICATION_FAILED, or "MAC
 * mismatched" at the side that checks it). IKEv1 does not: the side with
 * the other key cannot decrypt ("decryption failed?") and drops the
 * message, and the initiator retransmits until it gives up, so that state
 * is reported as "no answer: authentication failed?".
 */
#include <string.h>

#include "features/vpn/ipsec/ipsec_int.h"

struct says {
	const char *needle;
	const char *v2;      /* what it means with IKEv2 */
	const char *v1;      /* with IKEv1 (NULL: the same) */
};

static const struct says says[] = {
	{ "AUTHENTICATION_FAILED", "authentication failed (the pre-shared key or the IDs differ)",
	  NULL },
	{ "MAC mismatched", "authentication failed (the pre-shared key differs)", NULL },
	{ "decryption failed?", "authentication failed? (the peer's message cannot be decrypted: "
	  "the pre-shared key differs)", NULL },
	{ "no shared key found", "authentication failed (no pre-shared key for the peer's ID)",
	  NULL },
	{ "NO_PROPOSAL_CHOSEN", "no proposal in common with the peer", NULL },
	{ "no proposal found", "no proposal in common with the peer", NULL },
	{ "no acceptable proposal", "no proposal in common with the peer", NULL },
	{ "TS_UNACCEPTABLE", "the peer refuses these networks (traffic selectors)", NULL },
	{ "no matching peer config", "the peer's ID matches no peer of this router", NULL },
	{ "giving up after", "no answer from the peer",
	  "no answer / authentication failed? (IKEv1 with a wrong pre-shared key only "
	  "retransmits)" },
	{ "retransmit", "no answer yet (retransmitting)",
	  "no answer yet / authentication failed? (IKEv1 with a wrong pre-shared key only "
	  "retransmits)" },
	{ "establishing connection", "connecting", NULL },
};

/* the line holds "<name|" */
static bool line_names(const char *line, size_t n, const char *name, size_t nl)
{
	for (const char *p = line; (p = memchr(p, '<', n - (size_t)(p - line))); p++) {
		size_t left = n - (size_t)(p - line);

		if (left > nl + 1 && !memcmp(p + 1, name, nl) && p[1 + nl] == '|')
			return true;
	}
	return false;
}

static bool line_has(const char *line, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	if (k > n)
		return false;
	for (size_t i = 0; i + k <= n; i++)
		if (line[i] == needle[0] && !memcmp(line + i, needle, k))
			return true;
	return false;
}

const char *ipsec_log_problem(const char *log, size_t len, const char *name, bool ikev1)
{
	const char *said = NULL, *end = log + len;
	size_t nl = strlen(name);

	if (!nl)
		return NULL;
	for (const char *line = log; line < end;) {
		const char *nlp = memchr(line, '\n', (size_t)(end - line));
		size_t n = nlp ? (size_t)(nlp - line) : (size_t)(end - line);

		if (line_names(line, n, name, nl)) {
			if (line_has(line, n, "established"))
				said = NULL;
			for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++)
				if (line_has(line, n, says[i].needle)) {
					said = ikev1 && says[i].v1 ? says[i].v1 : says[i].v2;
					break;
				}
		}
		line += n + 1;
	}
	return said;
}
