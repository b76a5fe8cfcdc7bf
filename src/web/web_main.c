/*
 * difosd-web: started by the core as root. It connects to the core,
 * loads the GUI, binds its ports and reads the TLS key, then drops to an
 * unprivileged user in an empty root before the loop runs and the first
 * byte arrives from the network.
 */
#include <getopt.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

static struct lws_context *context;
static uv_signal_t sig_term, sig_int;
static int redirect_marker;     /* the plain-HTTP vhost's user pointer */

static void usage(FILE *f)
{
	fprintf(f, "usage: difosd-web --socket PATH --gui DIR --cert FILE --key FILE\n"
		   "                  [--https-port N] [--http-port N (0: off)] [--user NAME]\n"
		   "                  [--chroot DIR] [--debug]\n");
}

static void on_signal(uv_signal_t *h, int sig)
{
	(void)sig;
	log_info("web: stopping");
	uv_signal_stop(&sig_term);
	uv_signal_stop(&sig_int);
	lws_context_destroy(context);
	uv_stop(h->loop);
}

static void web_event(json_t *params)
{
	web_ws_broadcast(params);
}

static struct lws_vhost *web_vhost(int port, bool tls)
{
	struct lws_context_creation_info v;

	memset(&v, 0, sizeof(v));
	v.port = port;
	v.protocols = web_protocol_list;
	v.vhost_name = tls ? "https" : "http-redirect";
	v.options = tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
	v.keepalive_timeout = 30;
	v.timeout_secs = 30;
	if (tls) {
		v.ssl_cert_filepath = web_cfg.cert;
		v.ssl_private_key_filepath = web_cfg.key;
		v.alpn = "h2,http/1.1";
		/* TLS 1.2 and 1.3 only, forward-secret suites */
		v.ssl_options_set = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 |
				    SSL_OP_NO_TLSv1_1 | SSL_OP_CIPHER_SERVER_PREFERENCE;
		v.ssl_cipher_list = "ECDHE+AESGCM:ECDHE+CHACHA20";
	} else {
		v.user = &redirect_marker;
	}
	return lws_create_vhost(context, &v);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "gui", required_argument, NULL, 'g' },
		{ "cert", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "https-port", required_argument, NULL, 'p' },
		{ "http-port", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' }, { "chroot", required_argument, NULL, 'C' },
		{ "debug", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *socket_path = NULL, *gui = NULL, *user = "difos-web", *chroot_dir = NULL;
	struct lws_context_creation_info info;
	uv_loop_t *loop = uv_default_loop();
	void *loops[1] = { loop };
	int c, debug = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': socket_path = optarg; break;
		case 'g': gui = optarg; break;
		case 'c': web_cfg.cert = optarg; break;
		case 'k': web_cfg.key = optarg; break;
		case 'p': web_cfg.https_port = atoi(optarg); break;
		case 'P': web_cfg.http_port = atoi(optarg); break;
		case 'u': user = optarg; break;
		case 'C': chroot_dir = optarg; break;
		case 'd': debug = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!socket_path || !gui || !web_cfg.cert || !web_cfg.key || web_cfg.https_port <= 0 ||
	    web_cfg.https_port > 65535 || web_cfg.http_port < 0 || web_cfg.http_port > 65535) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(debug ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, NULL);

	if (web_core_connect(socket_path) < 0 || web_static_load(gui) < 0)
		return 1;

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
		       LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
	info.foreign_loops = loops;
	info.uid = -1;
	info.gid = -1;
	info.server_string = "difos";
	/* one write may carry a whole chunk (WEB_CHUNK) */
	info.pt_serv_buf_size = 32 * 1024;
	/* room above the limits web_http.c answers 414 and 431 for */
	info.max_http_header_data = WEB_HEADER_BUFFER;
	context = lws_create_context(&info);
	if (!context) {
		log_err("web: cannot create the server context");
		return 1;
	}
	if (!web_vhost(web_cfg.https_port, true)) {
		log_err("web: cannot serve HTTPS on port %d (certificate %s)", web_cfg.https_port,
			web_cfg.cert);
		return 1;
	}
	if (web_cfg.http_port && !web_vhost(web_cfg.http_port, false)) {
		log_err("web: cannot listen on port %d", web_cfg.http_port);
		return 1;
	}
	if (web_drop_privileges(user, chroot_dir) < 0)
		return 1;
	web_core_on_event = web_event;
	web_term_init();
	if (web_core_start(loop) < 0)
		return 1;
	uv_signal_init(loop, &sig_term);
	uv_signal_start(&sig_term, on_signal, SIGTERM);
	uv_signal_init(loop, &sig_int);
	uv_signal_start(&sig_int, on_signal, SIGINT);
	log_info("web: serving HTTPS on port %d%s as %s", web_cfg.https_port,
		 web_cfg.http_port ? " (HTTP redirects)" : "", user);
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
