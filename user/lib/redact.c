// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* redact: mask secrets in strings and argument vectors before any output. */
#include "lib/redact.h"
#include "lib/paths.h"

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS	 64 /* option and key names longer than this are cut for matching */
#define NAME_MAX_WORDS	 16
#define BEARER_MIN_CHARS 8   /* after "Bearer ": shorter is a word, not a token */
#define PATTERN_SHOWN	 200 /* chars of a bad pattern quoted in its error */

/* The configuration's extra patterns, set at start-up and only read after. */
static regex_t extra_patterns[REDACT_MAX_PATTERNS];
static size_t nextra_patterns;

/* A match: mask [from, to) (nothing if equal), then scan on from next (>= to). */
struct hit {
	size_t from, to, next;
};

/* ---------------------------------------------------------------- characters */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool is_quote(char c)
{
	return c == '"' || c == '\'' || c == '`';
}

static bool is_name_char(char c)
{
	return is_word(c) || c == '-' || c == '.';
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool starts_with_nocase(const char *s, const char *word)
{
	for (; *word; s++, word++) {
		if (to_lower(*s) != *word)
			return false;
	}
	return true;
}

/* A key may start here: after one of these, or at the start of the string. */
static bool is_key_boundary(const char *s, size_t i)
{
	return i == 0 || is_space(s[i - 1]) || is_quote(s[i - 1]) ||
	       strchr(";&?,{([=<>|", s[i - 1]) != NULL;
}

/* An option may start here: at the start, or after a blank, a quote or '='. */
static bool is_token_start(const char *s, size_t i)
{
	return i == 0 || is_space(s[i - 1]) || is_quote(s[i - 1]) || s[i - 1] == '=';
}

static size_t skip_blanks(const char *s, size_t j)
{
	while (s[j] == ' ' || s[j] == '\t')
		j++;
	return j;
}

static size_t run_of(const char *s, size_t j, bool (*ok)(char))
{
	while (s[j] && ok(s[j]))
		j++;
	return j;
}

/*
 * A value starting at j: a quoted one up to its closing quote (the quotes
 * stay), else up to a blank, a quote, or any char of stops.
 */
static void value_extent(const char *s, size_t j, const char *stops, struct hit *h)
{
	size_t e;

	if (is_quote(s[j])) {
		char q = s[j];

		for (e = j + 1; s[e] && s[e] != q; e++) {
			if (s[e] == '\\' && s[e + 1])
				e++;
		}
		h->from = j + 1;
		h->to = e;
		h->next = s[e] ? e + 1 : e;
		return;
	}
	for (e = j; s[e] && !is_space(s[e]) && !is_quote(s[e]) && !strchr(stops, s[e]); e++)
		;
	h->from = j;
	h->to = e;
	h->next = e;
}

static bool skip_only(size_t at, struct hit *h)
{
	h->from = h->to = h->next = at;
	return true;
}

/* ---------------------------------------------------------------- names */

/* Lower-cased words of a name split on - _ . ; returns the count. */
static int split_words(const char *name, size_t len, char *buf, char **words)
{
	int n = 0;

	if (len > NAME_MAX_CHARS)
		len = NAME_MAX_CHARS;
	for (size_t i = 0; i < len; i++)
		buf[i] = (name[i] == '-' || name[i] == '.') ? '_' : to_lower(name[i]);
	buf[len] = '\0';
	for (char *p = buf; *p && n < NAME_MAX_WORDS;) {
		char *end = strchr(p, '_');

		if (end)
			*end = '\0';
		if (*p)
			words[n++] = p;
		if (!end)
			break;
		p = end + 1;
	}
	return n;
}

static bool word_in(const char *w, const char *const *list)
{
	for (; *list; list++) {
		if (strcmp(w, *list) == 0)
			return true;
	}
	return false;
}

static bool ends_with(const char *w, const char *suffix)
{
	size_t n = strlen(w), m = strlen(suffix);

	return n >= m && strcmp(w + n - m, suffix) == 0;
}

static bool option_name_is_secret(const char *name, size_t len)
{
	static const char *const secret_words[] = {
	    "password", "passwd",  "pass",	 "passphrase",	"passin", "passout",
	    "secret",	"secrets", "credential", "credentials", "apikey", NULL,
	};
	static const char *const pointer_words[] = {"file", "path", "dir", "env", NULL};
	static const char *const key_first[] = {"api", "access", "private", NULL};
	char buf[NAME_MAX_CHARS + 1], *words[NAME_MAX_WORDS];
	int n = split_words(name, len, buf, words);

	if (n == 0 || strcmp(words[0], "no") == 0 || word_in(words[n - 1], pointer_words))
		return false;
	for (int i = 0; i < n; i++) {
		if (word_in(words[i], secret_words) || ends_with(words[i], "token") ||
		    ends_with(words[i], "tokens"))
			return true;
		if (i + 1 < n && word_in(words[i], key_first) && strcmp(words[i + 1], "key") == 0)
			return true;
	}
	return false;
}

static bool key_name_is_secret(const char *key, size_t len)
{
	static const char *const secret_parts[] = {
	    "password", "passwd",     "secret",	     "token",	   "api_key",
	    "apikey",	"access_key", "private_key", "credential", NULL,
	};
	static const char *const pointer_suffixes[] = {"_file", "_path", "_dir", NULL};
	char buf[NAME_MAX_CHARS + 1];

	if (len > NAME_MAX_CHARS)
		len = NAME_MAX_CHARS;
	for (size_t i = 0; i < len; i++)
		buf[i] = (key[i] == '-' || key[i] == '.') ? '_' : to_lower(key[i]);
	buf[len] = '\0';
	for (const char *const *p = pointer_suffixes; *p; p++) {
		if (ends_with(buf, *p))
			return false;
	}
	for (const char *const *p = secret_parts; *p; p++) {
		if (strstr(buf, *p))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- matchers */

/* "Authorization: <scheme> <credentials>": keep the scheme word, mask the rest of the line. */
static bool match_authorization(const char *s, size_t i, struct hit *h)
{
	size_t j, v, e, k;

	if ((i > 0 && is_word(s[i - 1])) || !starts_with_nocase(s + i, "authorization"))
		return false;
	j = skip_blanks(s, i + strlen("authorization"));
	if (s[j] != ':')
		return false;
	v = skip_blanks(s, j + 1);
	for (e = v; s[e] && s[e] != '\r' && s[e] != '\n' && !is_quote(s[e]); e++)
		;
	k = run_of(s, v, is_alpha);
	if (k > v && (s[k] == ' ' || s[k] == '\t'))
		v = skip_blanks(s, k);
	while (e > v && is_space(s[e - 1]))
		e--;
	h->from = v;
	h->to = e;
	h->next = e;
	return true;
}

static bool is_b64token_char(char c)
{
	return is_alnum(c) || (c && strchr("-._~+/=", c));
}

/* Tokens are long and rarely all letters; prose words are short or all letters. */
static bool looks_like_token(const char *t, size_t n)
{
	if (n < BEARER_MIN_CHARS)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_alpha(t[i]))
			return true;
	}
	return n >= 2 * BEARER_MIN_CHARS;
}

static bool match_bearer(const char *s, size_t i, struct hit *h)
{
	size_t j, e;

	if ((i > 0 && is_word(s[i - 1])) || !starts_with_nocase(s + i, "bearer"))
		return false;
	j = i + strlen("bearer");
	if (s[j] != ' ' && s[j] != '\t')
		return false;
	j = skip_blanks(s, j);
	e = run_of(s, j, is_b64token_char);
	if (!looks_like_token(s + j, e - j))
		return false; /* "the bearer of bad news" */
	h->from = j;
	h->to = e;
	h->next = e;
	return true;
}

/* scheme://user:password@host — mask the password. */
static bool match_url_password(const char *s, size_t i, struct hit *h)
{
	size_t j, colon = 0;

	if (s[i] != ':' || s[i + 1] != '/' || s[i + 2] != '/')
		return false;
	for (j = i + 3; s[j] && !strchr("/?#@<>", s[j]) && !is_space(s[j]) && !is_quote(s[j]);
	     j++) {
		if (s[j] == ':' && !colon)
			colon = j;
	}
	if (s[j] != '@' || !colon || colon + 1 == j)
		return false;
	h->from = colon + 1;
	h->to = j;
	h->next = j + 1;
	return true;
}

/* -name / --name, followed by =value or a separate value. */
static bool match_option(const char *s, size_t i, struct hit *h)
{
	size_t start, end, j;

	if (s[i] != '-' || !is_token_start(s, i))
		return false;
	start = i + (s[i + 1] == '-' ? 2 : 1);
	if (!is_alpha(s[start]))
		return false;
	end = run_of(s, start, is_name_char);
	if (!option_name_is_secret(s + start, end - start))
		return skip_only(end, h); /* its name is no key either: skip it whole */
	if (s[end] == '=') {
		value_extent(s, end + 1, "", h);
		return true;
	}
	if (s[end] != ' ' && s[end] != '\t')
		return skip_only(end, h);
	j = skip_blanks(s, end);
	if (!s[j] || s[j] == '-')
		return skip_only(j, h);
	value_extent(s, j, "", h);
	return true;
}

/* PREFIX + at least min chars of the class; masks after the prefix. */
static bool match_prefixed(const char *s, size_t i, const char *prefix, bool (*ok)(char),
			   size_t min, struct hit *h)
{
	size_t p = strlen(prefix), e;

	if (strncmp(s + i, prefix, p) != 0)
		return false;
	e = run_of(s, i + p, ok);
	if (e - (i + p) < min)
		return false;
	h->from = i + p;
	h->to = e;
	h->next = e;
	return true;
}

static bool is_upper_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || is_digit(c);
}

static bool is_slack_char(char c)
{
	return is_alnum(c) || c == '-';
}

static bool is_key_char(char c)
{
	return is_word(c) || c == '-';
}

/* AKIA/ASIA + exactly 16 of [A-Z0-9]. */
static bool match_aws_key_id(const char *s, size_t i, struct hit *h)
{
	if (strncmp(s + i, "AKIA", 4) != 0 && strncmp(s + i, "ASIA", 4) != 0)
		return false;
	if (run_of(s, i + 4, is_upper_alnum) != i + 20 || is_alnum(s[i + 20]))
		return false;
	h->from = i + 4;
	h->to = i + 20;
	h->next = i + 20;
	return true;
}

/* xoxa- xoxb- xoxp- xoxr- + at least 10 of [A-Za-z0-9-]. */
static bool match_slack_token(const char *s, size_t i, struct hit *h)
{
	size_t e;

	if (strncmp(s + i, "xox", 3) != 0 || !s[i + 3] || !strchr("abpr", s[i + 3]) ||
	    s[i + 4] != '-')
		return false;
	e = run_of(s, i + 5, is_slack_char);
	if (e - (i + 5) < 10)
		return false;
	h->from = i + 5;
	h->to = e;
	h->next = e;
	return true;
}

static bool match_vendor_token(const char *s, size_t i, struct hit *h)
{
	static const char *const github[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", NULL};

	if (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '-'))
		return false;
	if (match_aws_key_id(s, i, h))
		return true;
	for (const char *const *p = github; *p; p++) {
		if (match_prefixed(s, i, *p, is_alnum, 20, h))
			return true;
	}
	if (match_prefixed(s, i, "github_pat_", is_word, 20, h))
		return true;
	if (match_slack_token(s, i, h))
		return true;
	return match_prefixed(s, i, "sk-ant-", is_key_char, 20, h) ||
	       match_prefixed(s, i, "sk-", is_key_char, 20, h);
}

static bool is_jwt_char(char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/* header.payload.signature, both JSON parts base64url of '{"' = "eyJ". */
static bool match_jwt(const char *s, size_t i, struct hit *h)
{
	size_t j = i, e;

	if (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '-'))
		return false;
	for (int part = 0; part < 2; part++) {
		if (strncmp(s + j, "eyJ", 3) != 0)
			return false;
		e = run_of(s, j + 3, is_jwt_char);
		if (e == j + 3 || s[e] != '.')
			return false;
		j = e + 1;
	}
	e = run_of(s, j, is_jwt_char);
	h->from = i;
	h->to = e;
	h->next = e;
	return true;
}

/* KEY=value, KEY: value, "KEY": "value" with a secret-looking KEY. */
static bool match_key_value(const char *s, size_t i, struct hit *h)
{
	bool json = i > 0 && s[i - 1] == '"';
	size_t k, j;

	if (!(is_alpha(s[i]) || s[i] == '_') || !is_key_boundary(s, i))
		return false;
	k = run_of(s, i, is_name_char);
	if (!key_name_is_secret(s + i, k - i))
		return skip_only(run_of(s, i, is_word), h); /* a token may follow a '.' or '-' */
	if (s[k] == '=') {
		value_extent(s, k + 1, "&;", h);
		return true;
	}
	j = k;
	if (json && s[j] == '"')
		j = skip_blanks(s, j + 1);
	if (s[j] != ':' || (!json && s[j + 1] != ' ' && s[j + 1] != '\t'))
		return skip_only(k, h);
	value_extent(s, skip_blanks(s, j + 1), json ? ",}" : "&;", h);
	return true;
}

/* ---------------------------------------------------------------- masking */

/* Writes "***" for a secret of n chars (fewer '*' if shorter); returns chars written. */
static size_t write_mask(char *at, size_t n)
{
	size_t m = n < 3 ? n : 3;

	memset(at, '*', m);
	return m;
}

static bool match_any(const char *s, size_t i, struct hit *h)
{
	return match_authorization(s, i, h) || match_bearer(s, i, h) ||
	       match_url_password(s, i, h) || match_option(s, i, h) || match_jwt(s, i, h) ||
	       match_vendor_token(s, i, h) || match_key_value(s, i, h);
}

/* Replaces s[from, to) by the mask, shifting the rest left; returns the chars removed. */
static size_t mask_span(char *s, size_t len, size_t from, size_t to)
{
	size_t m = write_mask(s + from, to - from);

	memmove(s + from + m, s + to, len - to + 1);
	return to - from - m;
}

/* Masks every match of re in s (of length len); returns the new length. */
static size_t apply_pattern(const regex_t *re, char *s, size_t len)
{
	regmatch_t m[2];
	size_t off = 0;

	while (off <= len && regexec(re, s + off, 2, m, off ? REG_NOTBOL : 0) == 0) {
		size_t start = off + (size_t)m[0].rm_so, end = off + (size_t)m[0].rm_eo;
		size_t from = start, to = end, cut = 0;

		if (re->re_nsub >= 1) {
			/* The group says which part is secret; none if it took no part. */
			from = m[1].rm_so < 0 ? start : off + (size_t)m[1].rm_so;
			to = m[1].rm_so < 0 ? start : off + (size_t)m[1].rm_eo;
		}
		if (to > from)
			cut = mask_span(s, len, from, to);
		len -= cut;
		end -= cut;
		off = end > start ? end : start + 1; /* an empty match: step over one char */
	}
	return len;
}

static size_t apply_extra_patterns(char *s, size_t len)
{
	for (size_t i = 0; i < nextra_patterns; i++)
		len = apply_pattern(&extra_patterns[i], s, len);
	return len;
}

int redact_add_pattern(const char *ere, char *err, size_t errlen)
{
	regex_t *re = &extra_patterns[nextra_patterns];
	char why[256];
	int rc;

	if (!ere) {
		snprintf(err, errlen, "redaction pattern: missing");
		return -1;
	}
	if (nextra_patterns >= REDACT_MAX_PATTERNS) {
		snprintf(err, errlen, "redaction pattern \"%.*s\": more than %d patterns",
			 PATTERN_SHOWN, ere, REDACT_MAX_PATTERNS);
		return -1;
	}
	rc = regcomp(re, ere, REG_EXTENDED);
	if (rc != 0) {
		regerror(rc, re, why, sizeof(why));
		snprintf(err, errlen, "redaction pattern \"%.*s\": %s", PATTERN_SHOWN, ere, why);
		return -1;
	}
	/* It would match everywhere and mask nothing: surely not what was meant. */
	if (regexec(re, "", 0, NULL, 0) == 0) {
		regfree(re);
		snprintf(err, errlen, "redaction pattern \"%.*s\": matches the empty string",
			 PATTERN_SHOWN, ere);
		return -1;
	}
	nextra_patterns++;
	return 0;
}

void redact_clear_patterns(void)
{
	while (nextra_patterns > 0)
		regfree(&extra_patterns[--nextra_patterns]);
}

/*
 * One pass with a read index r and a write index w <= r: masking only ever
 * shortens, so the text the matchers read (s[r - 1] onwards) is still the
 * original, and the whole string costs linear time however many secrets it has.
 */
size_t redact_in_place(char *s)
{
	size_t r = 0, w = 0;
	struct hit h;

	if (!s)
		return 0;
	while (s[r]) {
		if (!match_any(s, r, &h) || h.next <= r) {
			s[w++] = s[r++];
			continue;
		}
		memmove(s + w, s + r, h.from - r);
		w += h.from - r;
		w += write_mask(s + w, h.to - h.from);
		memmove(s + w, s + h.to, h.next - h.to);
		w += h.next - h.to;
		r = h.next;
	}
	s[w] = '\0';
	return apply_extra_patterns(s, w);
}

size_t redact_string(const char *in, char *out, size_t outlen)
{
	size_t len = in ? strlen(in) : 0;
	char *tmp;

	if (outlen > len) {
		memcpy(out, in ? in : "", len + 1);
		return redact_in_place(out);
	}
	/* Redact the whole string before cutting, so no part of a secret survives. */
	tmp = malloc(len + 1);
	if (!tmp) {
		/* Fail closed: nothing of the input rather than a secret. */
		if (outlen)
			out[0] = '\0';
		return 0;
	}
	memcpy(tmp, in, len + 1);
	len = redact_in_place(tmp);
	if (outlen) {
		size_t n = len < outlen - 1 ? len : outlen - 1;

		memcpy(out, tmp, n);
		out[n] = '\0';
	}
	free(tmp);
	return len;
}

/* ---------------------------------------------------------------- argv */

/* Masks s from position from to its end. */
static void mask_whole(char *s, size_t from)
{
	size_t len = strlen(s);

	if (from < len)
		s[from + write_mask(s + from, len - from)] = '\0';
}

/* "--name" or "--name=value" with a secret name: returns 1, and where the value starts. */
static bool secret_option_arg(const char *a, const char **value)
{
	size_t start, end;

	if (a[0] != '-')
		return false;
	start = a[1] == '-' ? 2 : 1;
	if (!is_alpha(a[start]))
		return false;
	end = run_of(a, start, is_name_char);
	if ((a[end] != '=' && a[end]) || !option_name_is_secret(a + start, end - start))
		return false;
	*value = a[end] == '=' ? a + end + 1 : NULL;
	return true;
}

/* "KEY=value" as a whole argument (env style), KEY secret: where the value starts. */
static const char *secret_assignment_value(const char *a)
{
	size_t k;

	if (!is_alpha(a[0]) && a[0] != '_')
		return NULL;
	k = run_of(a, 0, is_name_char);
	if (a[k] != '=' || !key_name_is_secret(a, k))
		return NULL;
	return a + k + 1;
}

/* Programs that take a password glued to -p: -pSECRET (and sshpass: -p SECRET). */
static bool takes_glued_password(const char *prog, bool *separate_too)
{
	*separate_too = strcmp(prog, "sshpass") == 0;
	return *separate_too || strncmp(prog, "mysql", 5) == 0 || strncmp(prog, "mariadb", 7) == 0;
}

/* Masks what follows argv[i]; returns how many extra arguments it consumed. */
static int redact_one_arg(char **argv, int argc, int i, bool glued_p, bool *separate_p)
{
	char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
	const char *value;
	bool mask_next = false;

	if (secret_option_arg(a, &value)) {
		if (value)
			mask_whole(a, (size_t)(value - a));
		else
			mask_next = true;
	} else if ((value = secret_assignment_value(a))) {
		mask_whole(a, (size_t)(value - a));
	} else if (glued_p && a[0] == '-' && a[1] == 'p') {
		if (a[2])
			mask_whole(a, 2);
		else
			mask_next = *separate_p;
		*separate_p = false; /* sshpass: only its own -p, not the command's */
	}
	redact_in_place(a);
	if (!mask_next || !next || next[0] == '-' || !next[0])
		return 0;
	mask_whole(next, 0);
	return 1;
}

void redact_argv(char **argv, int argc)
{
	bool glued_p = false, separate_p = false;

	if (!argv || argc <= 0)
		return;
	if (argv[0])
		glued_p = takes_glued_password(path_base(argv[0]), &separate_p);
	for (int i = 0; i < argc; i++) {
		if (argv[i])
			i += redact_one_arg(argv, argc, i, glued_p, &separate_p);
	}
}
