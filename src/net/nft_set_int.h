/*
 * What the set files share (private to net/): one netlink socket, kept
 * open, and the mutex that makes it one caller's at a time; everything a
 * holder sends is read back before it lets go.
 */
#ifndef DIFOS_NET_NFT_SET_INT_H
#define DIFOS_NET_NFT_SET_INT_H

#include <pthread.h>

struct mnl_socket;

extern pthread_mutex_t nft_set_mutex;
/* answers are read here, the mutex held */
extern char nft_set_rbuf[65536];

/* "nft set <set>: <why>" in *err (err may be NULL) */
void nft_set_err(char **err, const char *set, const char *why);
/* The socket, opened when there is none (NULL with *err); the mutex held. */
struct mnl_socket *nft_set_sock(char **err, const char *set);
/* Closes it after an error: the next call starts on a new one. */
void nft_set_sock_drop(void);
/* Does the set exist? 1, 0, or -1 (the socket failed); the mutex held. */
int nft_set_exists(struct mnl_socket *nl, const char *table, const char *set);

#endif
