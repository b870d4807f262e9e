/*
 * The SQL functions the modules' statements call, for db_open: each
 * module that defines one adds its registration function here, so the
 * database layer depends on none of them.
 */
#include <stddef.h>

#include "db.h"
#include "maintenance.h"

int (*const db_sql_functions[])(struct db *) = {
	maint_sql_register,	/* uptime_in_maintenance(team, monitor) */
	NULL
};
