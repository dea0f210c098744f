// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Checks an output's config object against its sink's key table (struct
 * sink_config_key), so that every sink's unknown-key, type and range
 * errors are found in one place and worded one way, with their positions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/json.h"
#include "deliver/sinks/sink.h"
#include "lib/diag.h"

/* Where errors go: "FILE:LINE:COLUMN: <type> output: message\n". */
struct key_check {
	const char *file;
	const char *type;
	struct diag *diag;
	int errors;
};

static void __attribute__((format(printf, 4, 5)))
check_error(struct key_check *k, int line, int col, const char *fmt, ...)
{
	va_list ap;

	char msg[DIAG_LINE_MAX];

	k->errors++;
	if (!k->diag)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(k->diag, k->file ? k->file : "<config>", line, col, "%s output: %s", k->type, msg);
}

static const struct sink_config_key *key_find(const struct sink_config_key *keys,
					      const struct json_member *m)
{
	for (; keys && keys->name; keys++)
		if (strlen(keys->name) == m->key_len && strcmp(keys->name, m->key) == 0)
			return keys;
	return NULL;
}

/* "path, max_bytes, keep" */
static void key_names(const struct sink_config_key *keys, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (; keys && keys->name && used < len; keys++)
		used +=
		    (size_t)snprintf(out + used, len - used, "%s%s", used ? ", " : "", keys->name);
}

static const char *type_of(const struct json_value *v)
{
	return v->type == JSON_NUMBER ? "a fractional number" : json_type_name(v->type);
}

static void check_int(struct key_check *k, const struct sink_config_key *key,
		      const struct json_value *v)
{
	int64_t x;

	if (!json_get_int(v, &x)) {
		check_error(k, v->line, v->col, "\"%s\" must be an integer, not %s", key->name,
			    type_of(v));
		return;
	}
	if ((x < key->min || x > key->max) && !(key->or_zero && x == 0))
		check_error(k, v->line, v->col,
			    "\"%s\" is %lld; it must be %sbetween %lld and %lld", key->name,
			    (long long)x, key->or_zero ? "0 or " : "", key->min, key->max);
}

static bool allowed_has(const char *const *allowed, const char *s)
{
	for (; s && allowed && *allowed; allowed++)
		if (strcasecmp(*allowed, s) == 0)
			return true;
	return false;
}

static void check_enum(struct key_check *k, const struct sink_config_key *key,
		       const struct json_value *v)
{
	char names[512];
	size_t used = 0;
	int64_t x;

	if (allowed_has(key->allowed, json_get_string(v)))
		return;
	if (key->int_ok && json_get_int(v, &x) && x >= key->min && x <= key->max)
		return;
	names[0] = '\0';
	for (const char *const *a = key->allowed; *a && used < sizeof(names); a++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 used ? ", " : "", *a);
	if (key->int_ok)
		check_error(k, v->line, v->col,
			    "\"%s\" must be a name (%s) or an integer between %lld and %lld",
			    key->name, names, key->min, key->max);
	else
		check_error(k, v->line, v->col, "\"%s\" must be one of %s", key->name, names);
}

static void check_object(struct key_check *k, const struct sink_config_key *keys,
			 const struct json_value *obj, const char *where,
			 bool (*is_common)(const char *key));

static void check_string_map(struct key_check *k, const struct sink_config_key *key,
			     const struct json_value *v)
{
	char shown[64];

	for (size_t i = 0; i < v->object.n; i++) {
		const struct json_member *m = &v->object.members[i];

		if (json_get_string(m->value))
			continue;
		json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
		check_error(k, m->value->line, m->value->col,
			    "\"%s\": the value of \"%s\" must be a string, not %s", key->name,
			    shown, json_type_name(m->value->type));
	}
}

static bool is_type(struct key_check *k, const struct sink_config_key *key,
		    const struct json_value *v, enum json_type want, const char *what)
{
	if (v->type == want)
		return true;
	check_error(k, v->line, v->col, "\"%s\" must be %s, not %s", key->name, what,
		    json_type_name(v->type));
	return false;
}

static void check_value(struct key_check *k, const struct sink_config_key *key,
			const struct json_value *v)
{
	switch (key->type) {
	case SINK_KEY_INT:
		check_int(k, key, v);
		break;
	case SINK_KEY_ENUM:
		check_enum(k, key, v);
		break;
	case SINK_KEY_BOOL:
		is_type(k, key, v, JSON_BOOL, "true or false");
		break;
	case SINK_KEY_STRING:
		if (is_type(k, key, v, JSON_STRING, "a string") && !json_get_string(v))
			check_error(k, v->line, v->col, "\"%s\" must not hold a NUL byte",
				    key->name);
		break;
	case SINK_KEY_OBJECT:
		if (is_type(k, key, v, JSON_OBJECT, "an object"))
			check_object(k, key->members, v, key->name, NULL);
		break;
	case SINK_KEY_STRING_MAP:
		if (is_type(k, key, v, JSON_OBJECT, "an object"))
			check_string_map(k, key, v);
		break;
	}
}

static void unknown_key(struct key_check *k, const struct sink_config_key *keys,
			const struct json_member *m, const char *where, bool common)
{
	char shown[64], names[512], in[96] = "";

	json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
	key_names(keys, names, sizeof(names));
	if (where)
		snprintf(in, sizeof(in), " in \"%s\"", where);
	check_error(k, m->line, m->col, "unknown key \"%s\"%s (expected %s%s%s)", shown, in, names,
		    common && names[0] ? " or " : "", common ? "common output keys" : "");
}

static void check_object(struct key_check *k, const struct sink_config_key *keys,
			 const struct json_value *obj, const char *where,
			 bool (*is_common)(const char *key))
{
	for (size_t i = 0; i < obj->object.n; i++) {
		const struct json_member *m = &obj->object.members[i];
		const struct sink_config_key *key = key_find(keys, m);

		if (key)
			check_value(k, key, m->value);
		else if (!is_common || strlen(m->key) != m->key_len || !is_common(m->key))
			unknown_key(k, keys, m, where, is_common != NULL);
	}
	for (; keys && keys->name; keys++)
		if (keys->required && !json_object_get(obj, keys->name))
			check_error(k, obj->line, obj->col, "\"%s\" is required", keys->name);
}

int sink_config_check(const struct sink_ops *ops, const struct json_value *cfg,
		      bool (*is_common)(const char *key), const char *file, struct diag *diag)
{
	struct key_check k = {file, ops->type, diag, 0};

	if (!cfg || cfg->type != JSON_OBJECT) {
		check_error(&k, cfg ? cfg->line : 1, cfg ? cfg->col : 1, "must be an object");
		return k.errors;
	}
	check_object(&k, ops->keys, cfg, NULL, is_common);
	return k.errors;
}
