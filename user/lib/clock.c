/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "lib/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* |seconds| whose nanoseconds fit in int64_t: 1677-09-21 to 2262-04-11. */
#define MAX_SECONDS 9223372035LL

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int64_t clock_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t clock_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Division rounding towards minus infinity, so -1 ns is 1969-12-31T23:59:59.999999999Z. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t clock_ns_to_ms(int64_t ns)
{
	return floor_div(ns, 1000000);
}

void rfc3339_format(int64_t ns, int digits, char *buf, size_t len)
{
	int64_t secs = floor_div(ns, NS_PER_S);
	int64_t frac = ns - secs * NS_PER_S;
	time_t t = (time_t)secs;
	struct tm tm;
	char base[32];

	if (digits < 0)
		digits = 0;
	if (digits > 9)
		digits = 9;
	for (int i = digits; i < 9; i++)
		frac /= 10;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00Z");
		return;
	}
	snprintf(base, sizeof(base), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (digits)
		snprintf(buf, len, "%s.%0*lldZ", base, digits, (long long)frac);
	else
		snprintf(buf, len, "%sZ", base);
}

static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* ".123456789" (any number of digits; beyond nanoseconds ignored) → ns. */
static bool take_fraction(const char **p, int64_t *ns)
{
	int64_t scale = NS_PER_S / 10;

	*ns = 0;
	if (!take_char(p, '.'))
		return true;
	if (**p < '0' || **p > '9')
		return false;
	for (; **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
		*ns += (**p - '0') * scale;
	return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" → seconds east of UTC. */
static bool take_offset(const char **p, int64_t *secs)
{
	int sign, hh, mm;

	*secs = 0;
	if (take_char(p, 'Z') || take_char(p, 'z'))
		return true;
	sign = **p == '-' ? -1 : 1;
	if (!take_char(p, '+') && !take_char(p, '-'))
		return false;
	if (!take_digits(p, 2, &hh) || !take_char(p, ':') || !take_digits(p, 2, &mm) || hh > 23 ||
	    mm > 59)
		return false;
	*secs = sign * (hh * 3600 + mm * 60);
	return true;
}

static bool take_date_time(const char **s, struct tm *tm)
{
	int y, mo, d, h, mi, sec;

	if (!take_digits(s, 4, &y) || !take_char(s, '-') || !take_digits(s, 2, &mo) ||
	    !take_char(s, '-') || !take_digits(s, 2, &d) ||
	    !(take_char(s, 'T') || take_char(s, 't') || take_char(s, ' ')) ||
	    !take_digits(s, 2, &h) || !take_char(s, ':') || !take_digits(s, 2, &mi) ||
	    !take_char(s, ':') || !take_digits(s, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = sec;
	return true;
}

bool rfc3339_parse(const char *s, int64_t *ns)
{
	struct tm tm;
	int64_t frac, offset, secs;

	if (!s || !take_date_time(&s, &tm) || !take_fraction(&s, &frac) ||
	    !take_offset(&s, &offset) || *s)
		return false;
	secs = (int64_t)timegm(&tm) - offset;
	if (secs < -MAX_SECONDS || secs > MAX_SECONDS)
		return false;
	*ns = secs * NS_PER_S + frac;
	return true;
}
