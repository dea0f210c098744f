/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * secret_ids: owns the credential files known by identity. The patterns
 * come from the rules (the file.path / file.canonical_path globs of enabled
 * open rules, as open_filter derives its names); those that name concrete
 * files — absolute ones, and "*" + "/rest" ones under each home — are
 * expanded and stat()ed, giving (dev, ino) → the path they were found by.
 * The kernel is given the inodes (sensor_set_secret_inodes), so that a hard
 * link or a bind mount of a secret is still sent and reported with the
 * secret's own (canonical) path.
 *
 * A file created after a learn is unknown until the next one (the agent
 * learns again every SECRET_IDS_REFRESH_S and at each reload); a pattern
 * under no home (e.g. a leading "*" not followed by '/') is matched by
 * path only.
 */
#ifndef MCPWATCH_SECRET_IDS_H
#define MCPWATCH_SECRET_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/rules.h"

#define SECRET_IDS_REFRESH_S 30
#define SECRET_IDS_MAX	     4096 /* = MW_SECRET_INODES_MAX */
#define SECRET_IDS_HOMES_MAX 4096

/* The globs to learn from (pos) and the exceptions left out (neg). */
struct secret_patterns {
	char **pos, **neg;
	size_t npos, nneg;
};

struct secret_file {
	uint64_t dev, ino; /* st_dev, st_ino */
	char *path;	   /* the path it was learnt by (without the root prefix) */
};

struct secret_ids {
	struct secret_file *v; /* sorted by dev, ino, path */
	size_t n;
	size_t inodes;	/* distinct (dev, ino) among v */
	size_t dropped; /* files left out: more than SECRET_IDS_MAX inodes */
};

/*
 * The operands of glob/eq/in leaves on file.path or file.canonical_path of
 * every enabled open rule: under a `not`, exceptions (neg); else pos.
 * 0, or -ENOMEM.
 */
int secret_patterns_derive(const struct ruleset *rs, struct secret_patterns *p);
void secret_patterns_free(struct secret_patterns *p);

/*
 * Learns the files p names: absolute patterns as they are (not under /proc,
 * /sys, /dev), "*" + "/rest" under each directory the home globs name
 * ("/home/ *", "/root" when nhomes is 0). Everything is looked up under root
 * (NULL or "" for "/"). Only regular files that match a pos pattern and no
 * neg pattern (lib/glob.h) count. out is replaced. 0, or -ENOMEM.
 */
int secret_ids_learn(struct secret_ids *out, const struct secret_patterns *p,
		     const char *const *home_globs, size_t nhomes, const char *root);
void secret_ids_free(struct secret_ids *s);

/*
 * The path (dev, ino) was learnt by: path itself when that is one of them,
 * else the first; NULL when the file is not a learnt secret.
 */
const char *secret_ids_lookup(const struct secret_ids *s, uint64_t dev, uint64_t ino,
			      const char *path);

#endif /* MCPWATCH_SECRET_IDS_H */
