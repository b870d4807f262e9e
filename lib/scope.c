/*
 * The scope table: the scopes of lib/families.def by bit and by name.
 * Below both authentication (auth.c) and API keys (apikey.c).
 */
#include <string.h>

#include "scope.h"

/*
 * Indexed by bit: a bit used twice does not compile (-Woverride-init),
 * nor does one past SCOPE__MAX, so with SCOPE__MAX lines there is no gap.
 */
const char *const scope_names[SCOPE__MAX] = {
#define SCOPE(id, name, bit)	[bit] = name,
#include "families.def"
};
_Static_assert(SCOPE__MAX < 32, "a key's scopes are an unsigned bit set");

int
scope_find(const char *name)
{
	int	 i;

	for (i = 0; i < SCOPE__MAX; i++)
		if (strcmp(scope_names[i], name) == 0)
			return i;
	return -1;
}

int
scope_parse_list(const char *list, unsigned *mask)
{
	char	 name[32];
	size_t	 n;
	int	 i;

	*mask = 0;
	if (strcmp(list, "all") == 0) {
		*mask = SCOPES_ALL;
		return 0;
	}
	while (*list != '\0') {
		n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, list, n);
		name[n] = '\0';
		if ((i = scope_find(name)) == -1)
			return -1;
		*mask |= 1u << i;
		list += n;
		if (*list == ',' && *++list == '\0')
			return -1;
	}
	return *mask == 0 ? -1 : 0;
}

cJSON *
scope_json(unsigned mask)
{
	cJSON	*a = cJSON_CreateArray();
	int	 i;

	for (i = 0; i < SCOPE__MAX; i++)
		if (mask & (1u << i))
			cJSON_AddItemToArray(a, cJSON_CreateString(scope_names[i]));
	return a;
}
