/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pathutil: the one place that says what a path's last component is.
 */
#ifndef MCPWATCH_PATHUTIL_H
#define MCPWATCH_PATHUTIL_H

#include <stddef.h>
#include <string.h>

/* "/usr/bin/node" → "node", "node" → "node", NULL → NULL. */
static inline const char *path_base(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

#endif /* MCPWATCH_PATHUTIL_H */
