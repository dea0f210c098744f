/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * rule_strings: the literal strings the enabled rules compare one field
 * with by `eq` or `in` (inline or through a list), so that a module can
 * prepare for exactly the values rules ask about — identify/exeid learns
 * the binaries named by the strings tested against process.exe_match.
 */
#ifndef MCPWATCH_RULE_STRINGS_H
#define MCPWATCH_RULE_STRINGS_H

#include <stddef.h>

#include "detect/rules.h"

/*
 * Sets *out to a malloc'd array of *n distinct strings (owned by rs: valid
 * while it lives; free only the array). Leaves under `not` count too: a
 * string a rule excepts is still one it asks about. Returns 0 or -ENOMEM.
 */
int rule_strings_of_field(const struct ruleset *rs, const char *field, const char ***out,
			  size_t *n);

#endif /* MCPWATCH_RULE_STRINGS_H */
