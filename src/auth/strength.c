/*
 * How strong a password is: libpwquality, with cracklib's dictionary of
 * common words, so `password`, `Password1` or `12345678` are refused. The
 * one rule behind the first-run setup, the password change, difosctl
 * passwd and the GUI's strength meter (auth.password_check): the GUI has
 * no rule of its own.
 */
#include <pwquality.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"

/* libpwquality's refusals in plain words, each following "the password " */
static const struct {
	int code;
	const char *why;
} strength_words[] = {
	{ PWQ_ERROR_MIN_LENGTH, "is shorter than 8 characters" },
	{ PWQ_ERROR_PALINDROME, "reads the same backwards (a palindrome)" },
	{ PWQ_ERROR_CASE_CHANGES_ONLY, "differs from the current one only in upper and lower case" },
	{ PWQ_ERROR_ROTATED, "is the current one rotated" },
	{ PWQ_ERROR_TOO_SIMILAR, "is too much like the current one" },
	{ PWQ_ERROR_SAME_PASSWORD, "is the current one" },
	{ PWQ_ERROR_USER_CHECK, "contains the user name" },
	{ PWQ_ERROR_MAX_CONSECUTIVE, "repeats one character too often" },
	{ PWQ_ERROR_MAX_SEQUENCE, "holds a too long sequence such as 1234 or abcd" },
};

static pwquality_settings_t *strength_settings(void)
{
	static pwquality_settings_t *s;

	if (s)
		return s;
	/* the library's defaults (a dictionary check, the user name check),
	 * not the system's pwquality.conf: the rule is the product's, the
	 * same in tests as on a router */
	s = pwquality_default_settings();
	if (s) {
		pwquality_set_int_value(s, PWQ_SETTING_MIN_LENGTH, AUTH_PASSWORD_MIN);
		/* a new password differs from the old in 5 characters at least */
		pwquality_set_int_value(s, PWQ_SETTING_DIFF_OK, 5);
		pwquality_set_int_value(s, PWQ_SETTING_DICT_CHECK, 1);
		pwquality_set_int_value(s, PWQ_SETTING_USER_CHECK, 1);
	}
	return s;
}

/* The cracklib reason ("it is based on a dictionary word") in our words. */
static void strength_dictionary(const char *aux, struct auth_strength *out)
{
	const char *reason = aux ? aux : "it is too simple";

	if (!strncmp(reason, "it is ", 6))
		reason += 6;
	if (strstr(reason, "dictionary") && strstr(reason, "error"))
		log_err("auth: cracklib's dictionary cannot be read (%s): install cracklib-runtime",
			reason);
	snprintf(out->why, sizeof(out->why), "is too easy to guess: %.160s", reason);
}

void auth_password_strength(const char *password, const char *old, struct auth_strength *out)
{
	auth_password_strength_of(password, old, AUTH_ADMIN, out);
}

void auth_password_strength_of(const char *password, const char *old, const char *user,
			       struct auth_strength *out)
{
	pwquality_settings_t *s = strength_settings();
	const char *problem = auth_password_problem(password);
	void *aux = NULL;
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	int r;

	memset(out, 0, sizeof(*out));
	if (problem) {
		snprintf(out->why, sizeof(out->why), "%s", problem);
		return;
	}
	if (!s) {
		snprintf(out->why, sizeof(out->why), "cannot be checked (no memory)");
		return;
	}
	r = pwquality_check(s, password, old, user, &aux);
	if (r >= 0) {
		out->ok = true;
		out->score = r > 100 ? 100 : r;
		return;
	}
	if (r == PWQ_ERROR_CRACKLIB_CHECK) {
		strength_dictionary(aux, out);
		return;
	}
	for (size_t i = 0; i < sizeof(strength_words) / sizeof(strength_words[0]); i++)
		if (strength_words[i].code == r) {
			snprintf(out->why, sizeof(out->why), "%s", strength_words[i].why);
			return;
		}
	/* anything else as the library says it, in lower case after "the password" */
	pwquality_strerror(buf, sizeof(buf), r, aux);
	if (!strncmp(buf, "The password ", 13))
		snprintf(out->why, sizeof(out->why), "%.180s", buf + 13);
	else
		snprintf(out->why, sizeof(out->why), "is refused: %.180s", buf);
}
