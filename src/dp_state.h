/*
 * dp_state.h
 *	  civic.dp_state, the real (non-internal) state type of the twins of the
 *	  DP aggregates (dp_state.c), and what each mechanism family gives it.
 *
 * Every DP aggregate civic.<name>(...) has a twin civic._dist_<name>(...)
 * with the same arguments, result and behaviour whose state type is
 * civic.dp_state instead of internal, so that a distributed planner (Citus)
 * can compute partial states on other nodes, ship them as text and combine
 * them where the query is finalised.  During aggregation the state is a
 * read/write expanded object wrapping a pointer to the family's usual C
 * state, so a row costs what it costs the original aggregate; its flat
 * form (a tuple, a parallel worker's output, the text form) is a header
 * and the family's serial bytes.
 *
 * Flat form (native byte order and layout: nodes that exchange states must
 * run the same build of civic on the same architecture):
 *	  varlena header, uint32 magic 'CDPS', uint8 version, uint8 family,
 *	  uint16 zero, then the family's serialised state (dp_count_serial,
 *	  dp_sum_serial, dp_percentile_serial, dp_unit_serial).
 * Text form: "dpstate1:" followed by the base64 of the flat form without
 * its varlena header.  Binary form (send/recv): the same bytes.
 */
#ifndef CIVIC_DP_STATE_H
#define CIVIC_DP_STATE_H

#include "postgres.h"

/* The mechanism families whose states a dp_state carries. */
typedef enum DpStateFamilyId
{
	DP_STATE_COUNT = 1,			/* dp_count.c */
	DP_STATE_SUM = 2,			/* dp_sum.c: dp_sum, dp_avg */
	DP_STATE_PERCENTILE = 3,	/* dp_percentile.c: dp_percentile, dp_median */
	DP_STATE_UNIT = 4			/* dp_unit.c: the per-unit aggregates */
} DpStateFamilyId;

/*
 * Each family's check of serialised bytes that may come from outside civic
 * (the type's text or binary input): true if the family's deserial function
 * accepts them and the state it builds is one its own transition and
 * combine functions could have built (so no combine or final function can
 * misbehave on it); otherwise false with *why set to a sentence.
 */
extern bool dp_count_state_check(const char *payload, Size len, const char **why);
extern bool dp_sum_state_check(const char *payload, Size len, const char **why);
extern bool dp_percentile_state_check(const char *payload, Size len, const char **why);
extern bool dp_unit_state_check(const char *payload, Size len, const char **why);

#endif							/* CIVIC_DP_STATE_H */
