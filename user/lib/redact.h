/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * redact: owns the rule that secrets never reach the stream. It masks, with
 * "***", the secret part of:
 *   - HTTP credentials: "Authorization: <scheme> ***" (also Proxy-), "Bearer ***"
 *   - URL passwords: scheme://user:***@host
 *   - options whose name says secret: --password=***, --password ***,
 *     --token, --api-key, --secret, --db-password, -Dapp.password=***, ...
 *     Words of the name (split on - _ .) are matched: password, passwd, pass,
 *     passphrase, secret, credential(s), apikey, "api key", "access key",
 *     "private key", or a word ending in "token". Not masked: names starting
 *     with "no-" (a switch), names ending in file/path/dir/env (the value
 *     names where the secret is, which is worth seeing), and a separate
 *     value that starts with '-' (it is the next option).
 *   - KEY=value, KEY: value and "KEY": "value" where KEY (case-insensitive,
 *     '-' and '.' read as '_') contains PASSWORD, PASSWD, SECRET, TOKEN,
 *     API_KEY, APIKEY, ACCESS_KEY, PRIVATE_KEY or CREDENTIAL, except keys
 *     ending in _FILE, _PATH or _DIR.
 *   - key formats, keeping the recognisable prefix: AWS access key ids
 *     (AKIA***, ASIA***), GitHub (ghp_*** gho_ ghu_ ghs_ ghr_ github_pat_),
 *     Slack (xoxb-*** xoxa- xoxp- xoxr-), OpenAI (sk-***), Anthropic
 *     (sk-ant-***); JSON Web Tokens are masked whole.
 * "-p<password>" (glued, as mysql takes it) is masked only by redact_argv and
 * only when the program is mysql* / mariadb* or sshpass, since "-p" means
 * port, parents or pid to most other tools.
 * Extra patterns from the configuration ("redaction": {"patterns": [...]}),
 * POSIX extended regular expressions, are applied after the rules above: every
 * match is masked whole, or only its first capture group when it has one.
 * A secret of fewer than 3 characters is replaced by as many '*', so masking
 * never makes a string longer and can be done in place.
 */
#ifndef MCPWATCH_REDACT_H
#define MCPWATCH_REDACT_H

#include <stddef.h>

#define REDACT_MASK	    "***"
#define REDACT_MAX_PATTERNS 64

/*
 * Adds an extra pattern (POSIX ERE, case-sensitive) to every later redaction.
 * Returns 0, or -1 with a one-line reason naming the pattern in err: it does
 * not compile (regerror's words), matches the empty string, or there are
 * already REDACT_MAX_PATTERNS. Not thread-safe: call at start-up, before any
 * thread redacts.
 */
int redact_add_pattern(const char *ere, char *err, size_t errlen);
/* Forgets every extra pattern (frees them). Same rule as redact_add_pattern. */
void redact_clear_patterns(void);

/* Masks secrets in s, in place; returns the new length. */
size_t redact_in_place(char *s);

/*
 * Writes the redacted in to out (always NUL-terminated when outlen > 0; cut
 * to fit, but only after redaction so a cut never exposes part of a secret).
 * Returns the length of the full redacted string (like snprintf).
 */
size_t redact_string(const char *in, char *out, size_t outlen);

/*
 * Masks an argument vector in place (strings are shortened, pointers are
 * unchanged): each argument as redact_in_place does, plus the value that
 * follows a secret option given as two arguments ("--password" "value"), the
 * whole value of "--password=a b" and "SECRET_KEY=a b", and mysql-style -p.
 */
void redact_argv(char **argv, int argc);

#endif /* MCPWATCH_REDACT_H */
