/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * chars: the one definition of the character classes the parsers of outside
 * input share (JSON escapes, HTTP chunk sizes), independent of the locale.
 */
#ifndef MCPWATCH_LIB_CHARS_H
#define MCPWATCH_LIB_CHARS_H

/* 0..15 for a hexadecimal digit of either case, -1 for anything else. */
static inline int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* MCPWATCH_LIB_CHARS_H */
