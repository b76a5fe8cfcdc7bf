/* Where the PBX's files are (pbx_paths.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/pbx_paths.h"
#include "store/doc.h"

char *pbx_dir(const struct feature_env *env, const char *which)
{
	static const struct { const char *name; bool run; const char *sub; } dirs[] = {
		{ "etc", true, "pbx/etc" }, { "run", true, "pbx/run" },
		{ "lib", false, "pbx/lib" }, { "spool", false, "pbx/spool" },
		{ "log", false, "pbx/log" }, { "recordings", false, "pbx/recordings" },
		{ "state", false, "pbx" }, { "top", true, "pbx" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!strcmp(dirs[i].name, which))
			return xasprintf("%s/%s", dirs[i].run ? env->paths.run : env->paths.state,
					 dirs[i].sub);
	return NULL;
}

char *pbx_recordings_dir(const struct feature_env *env, const json_t *doc)
{
	const char *p = doc_str(doc, "pbx.recordings_path");

	return p && *p ? xasprintf("%s/asterisk_recordings", p) : pbx_dir(env, "recordings");
}

char *pbx_cdr_db_path(const struct feature_env *env)
{
	char *log = pbx_dir(env, "log"), *path = xasprintf("%s/" PBX_CDR_DB, log);

	free(log);
	return path;
}
