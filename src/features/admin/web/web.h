/* The web feature: difosd-web's process and its TLS certificate. */
#ifndef DIFOS_FEATURE_WEB_H
#define DIFOS_FEATURE_WEB_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"

struct sys;

#define WEB_USER "difos-web"

/* tls.c: the certificate in force: the admin's if installed, else the
 * factory one, made now if missing or made for other names (names: the
 * subjectAltName "DNS:a,DNS:b,IP:c", or NULL for those it has). Paths are
 * malloc'd. */
int web_tls_paths(const struct feature_env *env, const char *names, char **cert, char **key,
		  char **err);
json_t *web_tls_info(const struct feature_env *env);
extern const struct rpc_method web_methods[];
/* difosd-web reads its certificate only at start: it was just started with
 * server.crt as it is now; does server.crt differ from that one? */
void web_tls_served(const struct feature_env *env);
bool web_tls_unserved(const struct feature_env *env);
/* Is the factory certificate made for other names than the rendered ones
 * in force (env->paths.active: an apply is under way)? */
bool web_tls_behind(const struct feature_env *env);
/* tls_cli.c */
int web_cli_certificate(const struct rpc_cli_ctx *cli, int argc, char **argv);

#endif
