/*
 * plan_notes.h
 *	  Notes civic attaches to plans it shaped itself (plan_notes.c), kept
 *	  beside the plan rather than in it, for as long as the plan lives.
 *
 * A plan that Citus distributes evaluates a DP aggregate as Citus's
 * coord_combine_agg(aggregate, partial state, ...) on the coordinator; the
 * privacy parameters are then no longer in the plan's Aggref but in the
 * Aggref the query was written with.  civic's planner hook (citus_plan.c)
 * notes, for each such combining Aggref, the Aggref it stands for, and
 * notes the plan itself as one it checked.  The meter and the final
 * functions read the notes (dp_params.c).  A note is found by the address
 * of the plan's node, exactly as the executor uses it; it is forgotten when
 * the memory holding the plan is reset or deleted, so a copy of a plan (new
 * addresses) carries no notes and fails closed.
 */
#ifndef CIVIC_PLAN_NOTES_H
#define CIVIC_PLAN_NOTES_H

#include "postgres.h"

#include "nodes/plannodes.h"
#include "nodes/primnodes.h"

/* COMBINE (a node of a plan in OWNER) evaluates the aggregate SOURCE. */
extern void civic_note_source(MemoryContext owner, const Aggref *combine,
							  Aggref *source);
/* The noted source of COMBINE, or NULL. */
extern Aggref *civic_noted_source(const Aggref *combine);

/*
 * CALL (a node of a plan in OWNER), a call of one of civic's release
 * functions (civic._dp_count_release, civic._dp_sum_release) that the
 * planner hook put in place of the DP aggregate SOURCE over Citus's own
 * count or sum (citus_plan.c, "the fast path").
 */
extern void civic_note_release(MemoryContext owner, const FuncExpr *call,
							   Aggref *source);
/* The noted source of CALL, or NULL (a call civic did not plan). */
extern Aggref *civic_noted_release(const Node *call);

/*
 * PSTMT (in OWNER) was planned and checked by civic's Citus planner hook.
 * LOCAL_TASK: the Aggrefs of DP aggregates (copies of the query's) that
 * Citus will finalise in a task it runs locally, on this node, over
 * intermediate results; NIL when the plan itself finalises them all.
 */
extern void civic_note_plan(MemoryContext owner, const PlannedStmt *pstmt,
							List *local_task);
extern bool civic_plan_noted(const PlannedStmt *pstmt);
extern List *civic_noted_local_task(const PlannedStmt *pstmt);

#endif							/* CIVIC_PLAN_NOTES_H */
