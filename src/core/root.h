#ifndef DIFOS_ROOT_H
#define DIFOS_ROOT_H

/* The root prefix (--root): every path difosd touches is made with root_path. */
void root_set(const char *dir);
const char *root_get(void);
char *root_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
