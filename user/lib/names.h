/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * names: the one way an enum value becomes its text — a table indexed by
 * the value (designated initialisers, so the order is the enum's), and a
 * fallback for values outside it or with no entry.
 */
#ifndef MCPWATCH_LIB_NAMES_H
#define MCPWATCH_LIB_NAMES_H

#include <stddef.h>

#define NAMES_LEN(names) (sizeof(names) / sizeof((names)[0]))

static inline const char *name_of(const char *const *names, size_t n, unsigned v,
				  const char *unknown)
{
	return v < n && names[v] ? names[v] : unknown;
}

#endif /* MCPWATCH_LIB_NAMES_H */
