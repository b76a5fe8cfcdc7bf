/* Password hashing: yescrypt through libcrypt, as the system's own shadow. */
#include <crypt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/util.h"

char *auth_hash_password(const char *password)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	char *salt = crypt_gensalt_ra("$y$", 0, NULL, 0), *out = NULL, *h;

	if (salt) {
		h = crypt_r(password, salt, cd);
		if (h && h[0] != '*')
			out = xstrdup(h);
	}
	sodium_memzero(cd, sizeof(*cd));
	free(cd);
	free(salt);
	return out;
}

bool auth_verify_hash(const char *password, const char *hash)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h = crypt_r(password, hash, cd);
	bool ok = h && h[0] != '*' && strlen(h) == strlen(hash) &&
		  sodium_memcmp(h, hash, strlen(hash)) == 0;

	sodium_memzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

const char *auth_password_problem(const char *password)
{
	size_t n = password ? strlen(password) : 0;

	if (n < AUTH_PASSWORD_MIN)
		return "is shorter than 8 characters";
	if (n > AUTH_PASSWORD_MAX)
		return "is longer than 128 characters";
	for (const unsigned char *p = (const unsigned char *)password; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
	return NULL;
}
