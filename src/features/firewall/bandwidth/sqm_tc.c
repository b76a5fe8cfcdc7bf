/*
 * SQM as a tc batch: cake on the WAN. Upload is shaped on the WAN
 * interface's egress; download arrives on its ingress, which is
 * redirected to the ifb device SQM_IFB_DOWN and shaped on that egress.
 * "nat" lets cake see the LAN hosts behind the masquerade, so it shares
 * the line per host; "ingress" makes the download side count what it
 * drops, since those packets already crossed the line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "store/doc.h"

char *sqm_tc_render(const json_t *doc)
{
	const char *wan = doc_str(doc, "wan.interface");
	char down[32], up[32];
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "# Bandwidth control (SQM) rendered by difos: a tc batch (tc -batch)\n");
	if (!doc_bool(doc, "sqm.enabled", false)) {
		sbuf_add(&b, "# SQM is off: the WAN queues are the kernel's defaults\n");
		return sbuf_steal(&b);
	}
	qos_rate_text(json_number_value(doc_get(doc, "sqm.download")), down);
	qos_rate_text(json_number_value(doc_get(doc, "sqm.upload")), up);
	sbuf_printf(&b, "# upload: cake on the egress of %s\n", wan);
	sbuf_printf(&b, "qdisc add dev %s root handle %s: cake bandwidth %s nat\n", wan,
		    QOS_HANDLE, up);
	sbuf_printf(&b, "# download: the ingress of %s goes through %s and cake there\n", wan,
		    SQM_IFB_DOWN);
	sbuf_printf(&b, "qdisc add dev %s handle ffff: ingress\n", wan);
	sbuf_printf(&b, "filter add dev %s parent ffff: protocol all prio 1 u32 match u32 0 0 "
		    "action mirred egress redirect dev %s\n", wan, SQM_IFB_DOWN);
	sbuf_printf(&b, "qdisc add dev %s root handle %s: cake bandwidth %s nat ingress\n",
		    SQM_IFB_DOWN, QOS_HANDLE, down);
	return sbuf_steal(&b);
}
