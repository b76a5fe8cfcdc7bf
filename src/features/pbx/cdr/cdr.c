/*
 * PBX › Call Detail Records: the store Asterisk writes (the cdr hook gives
 * cdr_sqlite3_custom its table: the columns this feature reads), the
 * methods that read it, and the hourly prune.
 *
 * The times are written unparsed (epoch seconds with microseconds), so
 * the reader compares numbers, whatever the engine's time zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/cdr/cdr.h"
#include "features/pbx/pbx_paths.h"

/* column: the record's field that fills it (Asterisk 22's named fields,
 * with their output type where its default is not the one read) */
static const struct { const char *column, *field; } cdr_columns[] = {
	{ "start", "start(int64)" },   { "answer", "answer(int64)" }, { "end", "end(int64)" },
	{ "duration", "duration" },    { "billsec", "billsec" },      { "src", "src" },
	{ "dst", "dst" },              { "clid", "clid" },            { "channel", "channel" },
	{ "dstchannel", "dstchannel" }, { "lastapp", "lastapp" },     { "disposition", "disposition" },
	{ "uniqueid", "uniqueid" },    { "userfield", "userfield" },
};

static void cdr_asterisk(struct feature_ctx *ctx, struct feature_asterisk *out)
{
	struct sbuf *b = &out->slot[AST_CDR];

	(void)ctx;
	/* the database is <astlogdir>/master.db (PBX_CDR_DB); Asterisk makes
	 * the table when it is not there */
	sbuf_add(b, "[master]\ntable = " PBX_CDR_TABLE "\ncolumns = ");
	for (size_t i = 0; i < ARRAY_SIZE(cdr_columns); i++)
		sbuf_printf(b, "%s%s", i ? ", " : "", cdr_columns[i].column);
	sbuf_add(b, "\nfields = ");
	for (size_t i = 0; i < ARRAY_SIZE(cdr_columns); i++)
		sbuf_printf(b, "%s%s", i ? ", " : "", cdr_columns[i].field);
	sbuf_add(b, "\n");
}

static int cdr_init(const struct feature_env *env)
{
	cdr_prune_start(env);
	return 0;
}

static void cdr_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	cdr_prune_stop();
}

const struct feature feature_cdr = {
	.name = "cdr",
	.title = "Call Detail Records",
	.sections = cdr_sections,
	.init = cdr_init,
	.stop = cdr_stop,
	.asterisk = cdr_asterisk,
	.methods = cdr_methods,
};
