/*
 * Unit tests of lib/schedule.c: items come out by due time and only when
 * due; a known monitor is not added twice and a new due time moves it;
 * a team at its cap parks its due items without holding up another
 * team's, and gets the oldest one back when one of its checks ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "schedule.h"
#include "unit.h"

static void
test_sched_order(void)
{
	struct sched		*s = sched_new(0);
	struct sched_item	*it;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(sched_next_due(s) == INT64_MAX);
	CHECK(sched_take(s, 1000) == NULL);
	CHECK_INT(sched_add(s, "mon_c", "team_a", 300), 1);
	CHECK_INT(sched_add(s, "mon_a", "team_a", 100), 1);
	CHECK_INT(sched_add(s, "mon_b", "team_b", 200), 1);
	/* Known: not twice; a waiting one takes its new time. */
	CHECK_INT(sched_add(s, "mon_c", "team_a", 50), 0);
	CHECK_INT((int)sched_waiting(s), 3);
	CHECK_INT(sched_next_due(s), 50);
	CHECK_INT((int)sched_due_by(s, 49), 0);
	CHECK_INT((int)sched_due_by(s, 100), 2);
	CHECK_INT((int)sched_due_by(s, 1000), 3);
	CHECK(sched_take(s, 49) == NULL);
	it = sched_take(s, 250);
	CHECK(it != NULL && strcmp(it->id, "mon_c") == 0);
	CHECK(sched_known(s, "mon_c"));
	/* In flight: a new time is not taken, nothing is added. */
	CHECK_INT(sched_add(s, "mon_c", "team_a", 10), 0);
	CHECK_INT((int)sched_running(s), 1);
	CHECK_INT((int)sched_team_running(s, "team_a"), 1);
	sched_done(s, it);
	CHECK(!sched_known(s, "mon_c"));
	CHECK_INT((int)sched_team_running(s, "team_a"), 0);
	it = sched_take(s, 250);
	CHECK(it != NULL && strcmp(it->id, "mon_a") == 0 && it->due == 100);
	sched_done(s, it);
	it = sched_take(s, 250);
	CHECK(it != NULL && strcmp(it->id, "mon_b") == 0 &&
	    strcmp(it->team, "team_b") == 0);
	CHECK(sched_take(s, 250) == NULL);
	sched_done(s, it);
	CHECK_INT((int)sched_running(s), 0);
	CHECK_INT((int)sched_team_running(s, "team_unknown"), 0);
	sched_free(s);
}

/* A team at its cap does not hold up another team. */
static void
test_sched_team_cap(void)
{
	struct sched		*s = sched_new(2);
	struct sched_item	*a1, *a2, *b1, *a3, *it;
	char			 id[32];
	int			 i;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	for (i = 1; i <= 5; i++) {
		snprintf(id, sizeof(id), "mon_a%d", i);
		CHECK_INT(sched_add(s, id, "team_a", i), 1);
	}
	CHECK_INT(sched_add(s, "mon_b1", "team_b", 10), 1);
	a1 = sched_take(s, 100);
	a2 = sched_take(s, 100);
	CHECK(a1 != NULL && strcmp(a1->id, "mon_a1") == 0);
	CHECK(a2 != NULL && strcmp(a2->id, "mon_a2") == 0);
	/* Team a is at its cap: a3..a5 are parked, b1 starts. */
	b1 = sched_take(s, 100);
	CHECK(b1 != NULL && strcmp(b1->id, "mon_b1") == 0);
	CHECK_INT((int)sched_parked(s), 3);
	CHECK(sched_take(s, 100) == NULL);
	CHECK(sched_known(s, "mon_a4"));
	CHECK_INT(sched_add(s, "mon_a4", "team_a", 1), 0);
	/* Team b's end frees nothing of a's. */
	sched_done(s, b1);
	CHECK(sched_take(s, 100) == NULL);
	/* One of a's ends: its oldest parked item comes back. */
	sched_done(s, a1);
	CHECK_INT((int)sched_parked(s), 2);
	a3 = sched_take(s, 100);
	CHECK(a3 != NULL && strcmp(a3->id, "mon_a3") == 0 && a3->due == 3);
	CHECK(sched_take(s, 100) == NULL);
	CHECK_INT((int)sched_team_running(s, "team_a"), 2);
	sched_done(s, a2);
	sched_done(s, a3);
	while ((it = sched_take(s, 100)) != NULL)
		sched_done(s, it);
	CHECK_INT((int)sched_parked(s), 0);
	CHECK_INT((int)sched_running(s), 0);
	CHECK_INT((int)sched_waiting(s), 0);
	sched_free(s);
}

/* Many items, many teams: always the earliest due first. */
/*
 * A check that has ended but whose result is not written yet no longer
 * holds its team's share (the next parked item starts), yet stays known
 * until sched_done, so it is not added twice meanwhile.
 */
static void
test_sched_ended(void)
{
	struct sched		*s = sched_new(1);
	struct sched_item	*a1, *a2;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(sched_add(s, "mon_a1", "team_a", 1), 1);
	CHECK_INT(sched_add(s, "mon_a2", "team_a", 2), 1);
	a1 = sched_take(s, 100);
	CHECK(a1 != NULL && strcmp(a1->id, "mon_a1") == 0);
	CHECK(sched_take(s, 100) == NULL);	/* a2 parked: the cap is 1 */
	CHECK_INT((int)sched_parked(s), 1);
	sched_ended(s, a1);
	CHECK_INT((int)sched_running(s), 0);
	CHECK_INT((int)sched_team_running(s, "team_a"), 0);
	a2 = sched_take(s, 100);
	CHECK(a2 != NULL && strcmp(a2->id, "mon_a2") == 0);
	/* a1 is still known until its result is written. */
	CHECK(sched_known(s, "mon_a1"));
	CHECK_INT(sched_add(s, "mon_a1", "team_a", 200), 0);
	sched_ended(s, a1);	/* twice: nothing more */
	CHECK_INT((int)sched_team_running(s, "team_a"), 1);
	sched_done(s, a1);
	CHECK(!sched_known(s, "mon_a1"));
	CHECK_INT(sched_add(s, "mon_a1", "team_a", 200), 1);
	sched_done(s, a2);
	CHECK_INT((int)sched_running(s), 0);
	sched_free(s);
}

static void
test_sched_many(void)
{
	struct sched		*s = sched_new(0);
	struct sched_item	*it;
	char			 id[32], team[32];
	int64_t			 last = -1;
	int			 i, n = 0, ok = 1;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	srand(7);
	for (i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "mon_%d", i);
		snprintf(team, sizeof(team), "team_%d", i % 300);
		if (sched_add(s, id, team, rand() % 100000) != 1)
			ok = 0;
	}
	CHECK(ok);
	while ((it = sched_take(s, 100000)) != NULL) {
		if (it->due < last)
			ok = 0;
		last = it->due;
		sched_done(s, it);
		n++;
	}
	CHECK(ok);
	CHECK_INT(n, 20000);
	sched_free(s);
	sched_free(NULL);
}

int
main(void)
{
	UNIT_RUN(test_sched_order);
	UNIT_RUN(test_sched_team_cap);
	UNIT_RUN(test_sched_ended);
	UNIT_RUN(test_sched_many);
	return unit_finish();
}
