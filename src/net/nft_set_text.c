/* An nft set op as nft would say it, for the dry backend's journal. */
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "net/nft_set.h"

/* elements written out; the rest only counted */
#define TEXT_ELEMS 20

static void elem_text(struct sbuf *b, const struct nft_set_elem *e)
{
	struct net_prefix p = e->addr;
	char addr[64];

	p.len = p.family == 4 ? 32 : 128;
	net_prefix_text(&p, false, addr, sizeof(addr));
	sbuf_add(b, addr);
	if (e->timeout_ms == 0)
		return;
	if (e->timeout_ms % 1000 == 0)
		sbuf_printf(b, " timeout %llus", (unsigned long long)(e->timeout_ms / 1000));
	else
		sbuf_printf(b, " timeout %llums", (unsigned long long)e->timeout_ms);
}

char *nft_set_op_text(const struct nft_set_op *op)
{
	struct sbuf b;

	if (op->kind == NFT_SET_FLUSH)
		return xasprintf("flush set inet %s %s", op->table, op->set);
	sbuf_init(&b);
	sbuf_printf(&b, "%s element inet %s %s { ", op->kind == NFT_SET_ADD ? "add" : "delete",
		    op->table, op->set);
	for (size_t i = 0; i < op->n && i < TEXT_ELEMS; i++) {
		if (i)
			sbuf_add(&b, ", ");
		elem_text(&b, &op->elems[i]);
	}
	if (op->n > TEXT_ELEMS)
		sbuf_printf(&b, ", ... (%zu in all)", op->n);
	sbuf_add(&b, " }");
	return sbuf_steal(&b);
}
