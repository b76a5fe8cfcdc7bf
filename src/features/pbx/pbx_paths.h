/*
 * Where the PBX's files are, shared by the PBX's features: the engine
 * feature makes these directories and tells Asterisk about them; the call
 * records' feature reads what Asterisk writes there.
 */
#ifndef DIFOS_PBX_PATHS_H
#define DIFOS_PBX_PATHS_H

#include <jansson.h>

#include "apply/feature.h"

/* The call records' database, in Asterisk's log directory: the name
 * cdr_sqlite3_custom gives it (not configurable). */
#define PBX_CDR_DB "master.db"
/* its table */
#define PBX_CDR_TABLE "cdr"

/* Where the engine's own directories are: <run>/pbx/etc (the files it
 * reads), <run>/pbx/run, <state>/pbx/{lib,spool,log,recordings}. */
char *pbx_dir(const struct feature_env *env, const char *which);
/* The recordings' folder: <recordings_path>/asterisk_recordings when the
 * settings name a drive, else <state>/pbx/recordings. */
char *pbx_recordings_dir(const struct feature_env *env, const json_t *doc);
/* <state>/pbx/log/master.db */
char *pbx_cdr_db_path(const struct feature_env *env);

#endif
