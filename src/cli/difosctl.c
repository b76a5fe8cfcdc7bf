/* difosctl: every core method from the shell. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/feature.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "core/util.h"
#include "schema/schema.h"

bool opt_json;
const char *opt_socket;

static void usage(FILE *f)
{
	fputs("usage: difosctl [--root DIR | --socket PATH] [--json] COMMAND [ARGS]\n"
	      "\n"
	      "configuration\n"
	      "  get [PATH]                       show a setting (staged value if any)\n"
	      "  set PATH VALUE                   stage a new value\n"
	      "  add PATH [KEY=VALUE ...]         stage a new entry in a list; prints its id\n"
	      "  delete PATH                      stage a removal, e.g. dhcp.static_leases[2]\n"
	      "  changes                          staged changes against the running revision\n"
	      "  discard                          drop the staged changes\n"
	      "  apply [--confirm [SECS]] [--comment TEXT]\n"
	      "                                   apply; with --confirm roll back unless confirmed\n"
	      "  confirm                          keep the revision applied with --confirm\n"
	      "  history                          revisions, newest first\n"
	      "  diff REV_A REV_B                 changes between two revisions\n"
	      "  rollback REV [--confirm [SECS]]  apply an earlier revision again\n"
	      "state\n"
	      "  status | leases | interfaces | system\n"
	      "  wait [--timeout SECS]            wait until difosd answers\n"
	      "offline\n"
	      "  schema                           the configuration schema (JSON Schema)\n"
	      "  check FILE                       validate a configuration document\n"
	      "  call METHOD [JSON|-]             raw JSON-RPC call (- reads the params from stdin)\n"
	      "web access\n"
	      "  setup-link [HOST]                the one-time link that sets the first password\n"
	      "  passwd                           set the admin password (read from stdin)\n"
	      "  tokens | token-create NAME | token-revoke ID\n"
	      "                                   API tokens for scripts\n"
	      "  certificate CERT.pem KEY.pem | certificate --factory\n"
	      "                                   the web interface's TLS certificate\n"
	      "bandwidth control\n"
	      "  sqm-status                       whether SQM can run here (cake), its speeds\n"
	      "  sqm-autofill DOWN UP             SQM speeds from the advertised ones (Mbps)\n"
	      "  qos-counters                     traffic and drops of each limited client\n"
	      "routes\n"
	      "  domain-lists                     premade domain lists for policy routes\n"
	      "  countries [all]                  country lists of automated aliases (all: every country)\n"
	      "  update-lists [CC...]             fetch the country lists in use (and CC...) and apply them\n"
	      "\n"
	      "exit codes: 0 ok, 1 rejected, 2 usage, 3 difosd unreachable, 4 apply failed (rolled back)\n",
	      f);
}

void print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_SORT_KEYS);

	puts(s ? s : "null");
	free(s);
}

static char *value_text(const json_t *v)
{
	if (!v)
		return xstrdup("(none)");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

static int report_error(const json_t *err)
{
	const char *msg = json_string_value(json_object_get(err, "message"));
	json_t *data = json_object_get(err, "data");
	const char *reason = json_string_value(json_object_get(data, "reason"));
	json_t *errors = json_object_get(data, "errors");

	if (opt_json) {
		json_t *o = json_pack("{s:O}", "error", err);
		print_json(o);
		json_decref(o);
	} else {
		fprintf(stderr, "error: %s\n", msg ? msg : "request failed");
		if (json_array_size(errors) > 1) {
			size_t i;
			json_t *e;
			json_array_foreach(errors, i, e)
				if (i > 0)
					fprintf(stderr, "error: %s\n",
						json_string_value(json_object_get(e, "message")));
		}
		if (reason && !strcmp(reason, "apply_failed"))
			fprintf(stderr, "the previous configuration is still in force\n");
	}
	if (reason && !strcmp(reason, "apply_failed"))
		return EXIT_APPLY;
	return EXIT_REJECTED;
}

/* Calls a method; on success *result gets the result (owned). */
int call(const char *method, json_t *params, json_t **result)
{
	int fd = client_connect(opt_socket);
	json_t *resp, *err;
	int rc;

	*result = NULL;
	if (fd < 0) {
		json_decref(params);
		fprintf(stderr, "difosctl: cannot reach difosd at %s: %s\n", opt_socket,
			strerror(-fd));
		return EXIT_UNREACHABLE;
	}
	resp = client_call(fd, method, params);
	close(fd);
	if (!resp) {
		fprintf(stderr, "difosctl: no answer from difosd\n");
		return EXIT_UNREACHABLE;
	}
	err = json_object_get(resp, "error");
	if (err) {
		rc = report_error(err);
		json_decref(resp);
		return rc;
	}
	*result = json_incref(json_object_get(resp, "result"));
	json_decref(resp);
	return EXIT_OK;
}

/* The shape of most commands: one call, then JSON or a text table. */
int call_show(const char *method, json_t *params, void (*print_text)(const json_t *res))
{
	json_t *res;
	int rc = call(method, params, &res);

	if (rc == EXIT_OK) {
		if (opt_json)
			print_json(res);
		else if (print_text)
			print_text(res);
	}
	json_decref(res);
	return rc;
}

int call_print(const char *method, json_t *params)
{
	return call_show(method, params, print_json);
}

/* a single value bare (for scripts), a subtree as JSON */
static void print_value(const json_t *res)
{
	if (json_is_string(res) || json_is_number(res) || json_is_boolean(res)) {
		char *t = value_text(res);
		puts(t);
		free(t);
	} else {
		print_json(res);
	}
}

static int cmd_get(int argc, char **argv)
{
	return call_show("config.get", json_pack("{s:s}", "path", argc > 1 ? argv[1] : ""),
			 print_value);
}

static int cmd_set(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: difosctl set PATH VALUE\n");
		return EXIT_USAGE;
	}
	return call_show("config.set", json_pack("{s:s, s:s}", "path", argv[1], "text", argv[2]),
			 NULL);
}

static void print_added_id(const json_t *res)
{
	printf("%lld\n", (long long)json_integer_value(json_object_get(res, "id")));
}

static int cmd_add(int argc, char **argv)
{
	const struct sc_field *coll, *f;
	json_t *entry = json_object();

	if (argc < 2) {
		fprintf(stderr, "usage: difosctl add PATH [KEY=VALUE ...]\n");
		json_decref(entry);
		return EXIT_USAGE;
	}
	coll = schema_lookup(argv[1]);
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '='), why[256];
		json_t *v;
		if (!eq) {
			fprintf(stderr, "difosctl: %s: expected KEY=VALUE\n", argv[i]);
			json_decref(entry);
			return EXIT_USAGE;
		}
		*eq = '\0';
		f = NULL;
		for (const struct sc_field *m = coll ? coll->fields : NULL; m && m->name; m++)
			if (!strcmp(m->name, argv[i]))
				f = m;
		if (!f) {
			/* let difosd name the unknown key */
			json_object_set_new(entry, argv[i], json_string(eq + 1));
			continue;
		}
		v = sc_coerce_text(f, eq + 1, why, sizeof(why));
		if (!v) {
			fprintf(stderr, "error: %s.%s: %s %s\n", argv[1], argv[i], eq + 1, why);
			json_decref(entry);
			return EXIT_REJECTED;
		}
		json_object_set_new(entry, argv[i], v);
	}
	return call_show("config.add", json_pack("{s:s, s:o}", "path", argv[1], "value", entry),
			 print_added_id);
}

static int cmd_delete(int argc, char **argv)
{
	json_t *res;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: difosctl delete PATH\n");
		return EXIT_USAGE;
	}
	rc = call("config.delete", json_pack("{s:s}", "path", argv[1]), &res);
	json_decref(res);
	return rc;
}

static void print_changes(const json_t *changes)
{
	size_t i;
	json_t *ch;

	json_array_foreach(changes, i, ch) {
		const char *op = json_string_value(json_object_get(ch, "op"));
		const char *path = json_string_value(json_object_get(ch, "path"));
		char *o = value_text(json_object_get(ch, "old"));
		char *n = value_text(json_object_get(ch, "new"));
		if (!strcmp(op, "added"))
			printf("+ %s: %s\n", path, n);
		else if (!strcmp(op, "removed"))
			printf("- %s: %s\n", path, o);
		else
			printf("~ %s: %s -> %s\n", path, o, n);
		free(o);
		free(n);
	}
}

static void print_staged(const json_t *res)
{
	if (!json_array_size(res)) {
		puts("no staged changes");
		return;
	}
	printf("%zu staged change%s:\n", json_array_size(res), json_array_size(res) == 1 ? "" : "s");
	print_changes(res);
}

static void print_discarded(const json_t *res)
{
	printf("discarded %lld change(s)\n",
	       (long long)json_integer_value(json_object_get(res, "discarded")));
}

/* parses [--confirm [SECS]] [--comment TEXT] after argv[first] into params */
static int parse_apply_opts(int argc, char **argv, int first, json_t *params)
{
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--confirm")) {
			long secs = 90;
			if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
				char *end;
				secs = strtol(argv[++i], &end, 10);
				if (*end || secs < 1 || secs > 3600) {
					fprintf(stderr, "difosctl: --confirm %s: not 1-3600 seconds\n",
						argv[i]);
					return -1;
				}
			}
			json_object_set_new(params, "confirm", json_integer(secs));
		} else if (!strcmp(argv[i], "--comment") && i + 1 < argc) {
			json_object_set_new(params, "comment", json_string(argv[++i]));
		} else {
			fprintf(stderr, "difosctl: unknown option %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static void print_applied(const json_t *res)
{
	json_t *touched = json_object_get(res, "touched"), *t;
	json_t *deadline = json_object_get(res, "confirm_deadline");
	size_t i;

	printf("revision %lld in force", (long long)json_integer_value(json_object_get(res, "revision")));
	if (json_array_size(touched)) {
		printf(" (applied:");
		json_array_foreach(touched, i, t)
			printf(" %s", json_string_value(t));
		printf(")");
	}
	printf("\n");
	if (deadline)
		printf("confirm within %lld s with: difosctl confirm (otherwise it rolls back)\n",
		       (long long)(json_integer_value(deadline) - time(NULL)));
}

static int cmd_apply(int argc, char **argv)
{
	json_t *params = json_object();

	if (parse_apply_opts(argc, argv, 1, params) < 0) {
		json_decref(params);
		return EXIT_USAGE;
	}
	return call_show("apply", params, print_applied);
}

static int cmd_rollback(int argc, char **argv)
{
	json_t *params;
	char *end;
	long long rev;

	if (argc < 2 || (rev = strtoll(argv[1], &end, 10), *end) || rev < 0) {
		fprintf(stderr, "usage: difosctl rollback REV [--confirm [SECS]]\n");
		return EXIT_USAGE;
	}
	params = json_pack("{s:I}", "revision", (json_int_t)rev);
	if (parse_apply_opts(argc, argv, 2, params) < 0) {
		json_decref(params);
		return EXIT_USAGE;
	}
	return call_show("rollback", params, print_applied);
}

static void print_history(const json_t *res)
{
	const json_t *r;
	size_t i;

	printf("%-5s %-19s %-10s %-9s %s\n", "REV", "TIME", "AUTHOR", "STATE", "COMMENT");
	json_array_foreach(res, i, r) {
		time_t t = (time_t)json_integer_value(json_object_get(r, "time"));
		char when[32];
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("%-5lld %-19s %-10s %-9s %s\n",
		       (long long)json_integer_value(json_object_get(r, "id")), when,
		       json_string_value(json_object_get(r, "author")),
		       json_string_value(json_object_get(r, "state")),
		       json_string_value(json_object_get(r, "comment")));
	}
}

static void print_diff(const json_t *res)
{
	if (!json_array_size(res))
		puts("no differences");
	else
		print_changes(res);
}

static int cmd_diff(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: difosctl diff REV_A REV_B\n");
		return EXIT_USAGE;
	}
	return call_show("diff", json_pack("{s:I, s:I}", "from", (json_int_t)atoll(argv[1]), "to",
					   (json_int_t)atoll(argv[2])), print_diff);
}

static void print_status(const json_t *res)
{
	json_t *feats, *fs, *confirm;
	const char *name;

	printf("running revision %lld%s\n",
	       (long long)json_integer_value(json_object_get(res, "running")),
	       json_is_true(json_object_get(res, "staged")) ? " (changes staged)" : "");
	confirm = json_object_get(res, "confirm");
	if (confirm)
		printf("revision %lld waits for confirmation: %lld s left\n",
		       (long long)json_integer_value(json_object_get(confirm, "revision")),
		       (long long)json_integer_value(json_object_get(confirm, "seconds_left")));
	feats = json_object_get(res, "features");
	json_object_foreach(feats, name, fs) {
		const char *msg = json_string_value(json_object_get(fs, "message"));
		printf("%-10s %-7s%s%s\n", name, json_string_value(json_object_get(fs, "state")),
		       msg && *msg ? " " : "", msg ? msg : "");
	}
}

static void print_leases(const json_t *res)
{
	const json_t *l;
	size_t i;

	printf("active leases:\n%-17s %-15s %-20s %s\n", "MAC", "IP", "HOSTNAME", "EXPIRES");
	json_array_foreach(json_object_get(res, "active"), i, l) {
		time_t t = (time_t)json_integer_value(json_object_get(l, "expires"));
		char when[32] = "never";
		if (t)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("%-17s %-15s %-20s %s\n", json_string_value(json_object_get(l, "mac")),
		       json_string_value(json_object_get(l, "ip")),
		       json_string_value(json_object_get(l, "hostname")) ?
		       json_string_value(json_object_get(l, "hostname")) : "-", when);
	}
	printf("static leases:\n%-4s %-17s %-15s %s\n", "ID", "MAC", "IP", "HOSTNAME");
	json_array_foreach(json_object_get(res, "static"), i, l)
		printf("%-4lld %-17s %-15s %s\n",
		       (long long)json_integer_value(json_object_get(l, "id")),
		       json_string_value(json_object_get(l, "mac")),
		       json_string_value(json_object_get(l, "ip")),
		       json_string_value(json_object_get(l, "hostname")) ?
		       json_string_value(json_object_get(l, "hostname")) : "-");
}

static void print_interfaces(const json_t *res)
{
	const json_t *ifc, *a;
	size_t i, j;

	printf("%-12s %-5s %-8s %-17s %s\n", "NAME", "ROLE", "STATE", "MAC", "ADDRESSES");
	json_array_foreach(res, i, ifc) {
		printf("%-12s %-5s %-8s %-17s", json_string_value(json_object_get(ifc, "name")),
		       json_string_value(json_object_get(ifc, "role")) ?
		       json_string_value(json_object_get(ifc, "role")) : "-",
		       json_string_value(json_object_get(ifc, "state")) ?
		       json_string_value(json_object_get(ifc, "state")) : "-",
		       json_string_value(json_object_get(ifc, "mac")) ?
		       json_string_value(json_object_get(ifc, "mac")) : "-");
		json_array_foreach(json_object_get(ifc, "addresses"), j, a)
			printf(" %s/%lld", json_string_value(json_object_get(a, "address")),
			       (long long)json_integer_value(json_object_get(a, "prefix")));
		printf("\n");
	}
}

static void print_system(const json_t *res)
{
	const json_t *load, *mem;

	load = json_object_get(res, "load");
	mem = json_object_get(res, "memory");
	printf("hostname  %s\n", json_string_value(json_object_get(res, "hostname")));
	printf("uptime    %lld s\n", (long long)json_integer_value(json_object_get(res, "uptime")));
	printf("load      %.2f %.2f %.2f\n", json_real_value(json_array_get(load, 0)),
	       json_real_value(json_array_get(load, 1)), json_real_value(json_array_get(load, 2)));
	printf("memory    %lld MiB free of %lld MiB\n",
	       (long long)json_integer_value(json_object_get(mem, "free")) >> 20,
	       (long long)json_integer_value(json_object_get(mem, "total")) >> 20);
	printf("revision  %lld\n", (long long)json_integer_value(json_object_get(res, "revision")));
}

static int cmd_wait(int argc, char **argv)
{
	double timeout = 30;
	long long deadline;

	if (argc == 3 && !strcmp(argv[1], "--timeout"))
		timeout = atof(argv[2]);
	deadline = now_ms() + (long long)(timeout * 1000);
	for (;;) {
		int fd = client_connect(opt_socket);
		if (fd >= 0) {
			json_t *resp = client_call(fd, "ping", NULL);
			close(fd);
			if (resp && json_object_get(resp, "result")) {
				json_decref(resp);
				return EXIT_OK;
			}
			json_decref(resp);
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "difosctl: difosd did not answer within %.0f s\n", timeout);
			return EXIT_UNREACHABLE;
		}
		usleep(100000);
	}
}

static int cmd_check(int argc, char **argv)
{
	json_error_t jerr;
	json_t *doc;
	struct sc_error_list errs;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: difosctl check FILE\n");
		return EXIT_USAGE;
	}
	doc = json_load_file(argv[1], 0, &jerr);
	if (!doc) {
		fprintf(stderr, "%s:%d:%d: %s\n", argv[1], jerr.line, jerr.column, jerr.text);
		return EXIT_REJECTED;
	}
	schema_fill_defaults(doc);
	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	if (opt_json) {
		json_t *o = json_pack("{s:b, s:o}", "valid", errs.n == 0, "errors",
				      sc_errors_to_json(&errs));
		print_json(o);
		json_decref(o);
	} else if (errs.n == 0) {
		puts("configuration OK");
	} else {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s: %s\n", argv[1], errs.v[i].message);
	}
	rc = errs.n ? EXIT_REJECTED : EXIT_OK;
	sc_errors_free(&errs);
	json_decref(doc);
	return rc;
}

static int cmd_call(int argc, char **argv)
{
	json_t *params = NULL;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: difosctl call METHOD [JSON]\n");
		return EXIT_USAGE;
	}
	if (argc == 3) {
		json_error_t jerr;
		/* "-": from standard input, for documents larger than an argument */
		params = strcmp(argv[2], "-") ? json_loads(argv[2], 0, &jerr) :
						json_loadf(stdin, 0, &jerr);
		if (!params) {
			fprintf(stderr, "difosctl: params: %s\n", jerr.text);
			return EXIT_USAGE;
		}
	}
	return call_print(argv[1], params);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *sock = NULL;
	const char *cmd;
	int c, rc;

	/* options come before the command; the command's own options after it */
	while ((c = getopt_long(argc, argv, "+r:s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root_set(optarg); break;
		case 's': opt_socket = optarg; break;
		case 'j': opt_json = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!opt_socket)
		opt_socket = sock = root_path("/run/difos/control.sock");
	feature_schema_init();
	argc -= optind;
	argv += optind;
	cmd = argv[0];
	if (!strcmp(cmd, "get")) rc = cmd_get(argc, argv);
	else if (!strcmp(cmd, "set")) rc = cmd_set(argc, argv);
	else if (!strcmp(cmd, "add")) rc = cmd_add(argc, argv);
	else if (!strcmp(cmd, "delete")) rc = cmd_delete(argc, argv);
	else if (!strcmp(cmd, "changes")) rc = call_show("config.changes", NULL, print_staged);
	else if (!strcmp(cmd, "discard")) rc = call_show("config.discard", NULL, print_discarded);
	else if (!strcmp(cmd, "apply")) rc = cmd_apply(argc, argv);
	else if (!strcmp(cmd, "confirm")) rc = call_print("confirm", NULL);
	else if (!strcmp(cmd, "history")) rc = call_show("history", NULL, print_history);
	else if (!strcmp(cmd, "diff")) rc = cmd_diff(argc, argv);
	else if (!strcmp(cmd, "rollback")) rc = cmd_rollback(argc, argv);
	else if (!strcmp(cmd, "status")) rc = call_show("status", NULL, print_status);
	else if (!strcmp(cmd, "leases")) rc = call_show("leases", NULL, print_leases);
	else if (!strcmp(cmd, "interfaces")) rc = call_show("interfaces", NULL, print_interfaces);
	else if (!strcmp(cmd, "system")) rc = call_show("system", NULL, print_system);
	else if (!strcmp(cmd, "wait")) rc = cmd_wait(argc, argv);
	else if (!strcmp(cmd, "schema")) {
		json_t *s = schema_export();
		print_json(s);
		json_decref(s);
		rc = EXIT_OK;
	} else if (!strcmp(cmd, "check")) rc = cmd_check(argc, argv);
	else if (!strcmp(cmd, "call")) rc = cmd_call(argc, argv);
	else if (!strcmp(cmd, "sqm-status")) rc = cmd_sqm_status();
	else if (!strcmp(cmd, "sqm-autofill")) rc = cmd_sqm_autofill(argc, argv);
	else if (!strcmp(cmd, "qos-counters")) rc = cmd_qos_counters();
	else if (!strcmp(cmd, "domain-lists")) rc = cmd_domain_lists();
	else if (!strcmp(cmd, "countries")) rc = cmd_countries(argc, argv);
	else if (!strcmp(cmd, "update-lists")) rc = cmd_update_lists(argc, argv);
	else if (!strcmp(cmd, "setup-link")) rc = cmd_setup_link(argc, argv);
	else if (!strcmp(cmd, "passwd")) rc = cmd_passwd();
	else if (!strcmp(cmd, "tokens")) rc = call_print("auth.tokens", NULL);
	else if (!strcmp(cmd, "token-create")) rc = cmd_token_create(argc, argv);
	else if (!strcmp(cmd, "token-revoke")) rc = cmd_token_revoke(argc, argv);
	else if (!strcmp(cmd, "certificate")) rc = cmd_certificate(argc, argv);
	else {
		fprintf(stderr, "difosctl: unknown command %s\n", cmd);
		usage(stderr);
		rc = EXIT_USAGE;
	}
	free(sock);
	return rc;
}
