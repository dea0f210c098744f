// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the positioned JSON parser: any input parses or fails cleanly, and
 * every position it reports lies inside the input; a text equals itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

static void check_value(const struct json_value *v, size_t len)
{
	size_t i;

	if (v->line < 1 || v->col < 1 || v->offset + v->length > len)
		abort();
	if (v->type == JSON_ARRAY)
		for (i = 0; i < v->array.n; i++)
			check_value(v->array.items[i], len);
	if (v->type == JSON_OBJECT)
		for (i = 0; i < v->object.n; i++) {
			if (json_object_get(v, v->object.members[i].key) == NULL &&
			    strlen(v->object.members[i].key) == v->object.members[i].key_len)
				abort();
			check_value(v->object.members[i].value, len);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_error err;
	struct json_value *v;
	size_t used;

	v = json_parse((const char *)data, size, &err);
	if (v) {
		struct json_value *again = json_parse((const char *)data, size, NULL);

		check_value(v, size);
		/* The same text is the same value (json_equal, used by reloads). */
		if (!again || !json_equal(v, again) || !json_equal(again, v))
			abort();
		json_free(again);
	} else if (err.line < 1 || err.col < 1 || !err.message[0])
		abort();
	json_free(v);
	v = json_parse_prefix((const char *)data, size, &used, NULL);
	if (v && used > size)
		abort();
	json_free(v);
	return 0;
}
