/*
 * scope.c: the scope table of lib/families.def, by name and bit.
 */
#ifndef SCOPE_H
#define SCOPE_H

#include "base.h"

/*
 * One per scope of lib/families.def, numbered by its bit there (keys
 * store the bits: never renumber).  SCOPE__MAX is how many there are;
 * the bits run 0 to SCOPE__MAX - 1 (scope_names' initializer refuses a
 * gap or a bit twice).
 */
enum scope {
#define SCOPE(id, name, bit)	SCOPE_##id = (bit),
#include "families.def"
	SCOPE__MAX = 0
#define SCOPE(id, name, bit)	+ 1
#include "families.def"
};
#define SCOPE_PUBLIC	(-1)	/* route needs no key */
#define SCOPE_ANYKEY	(-2)	/* route needs a valid key, no scope */
#define SCOPES_ALL	((1u << SCOPE__MAX) - 1)

extern const char *const scope_names[SCOPE__MAX];
/* The scope's index, or -1 if name is not one of the twelve. */
int	 scope_find(const char *name);
/* Parse "a,b,c" or "all" into a mask; -1 on an unknown name. */
int	 scope_parse_list(const char *list, unsigned *mask) WUR;
/* A JSON array of the mask's names in table order (caller owns). */
cJSON	*scope_json(unsigned mask);

#endif /* SCOPE_H */
