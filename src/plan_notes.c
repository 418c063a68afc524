/*
 * plan_notes.c
 *	  Notes on plans, keyed by the address of a plan node (plan_notes.h).
 */
#include "postgres.h"

#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "plan_notes.h"

typedef struct PlanNote
{
	const void *key;			/* hash key: a plan node's address */
	void	   *value;
	MemoryContext owner;
} PlanNote;

/* Forgets one note when its plan's memory goes away. */
typedef struct PlanNoteForget
{
	MemoryContextCallback cb;
	const void *key;
	MemoryContext owner;
} PlanNoteForget;

static HTAB *notes = NULL;

static void
note_forget(void *arg)
{
	PlanNoteForget *f = (PlanNoteForget *) arg;
	PlanNote   *n;

	if (notes == NULL)
		return;
	n = hash_search(notes, &f->key, HASH_FIND, NULL);
	/* (a later note for the same address, in other memory, stays) */
	if (n != NULL && n->owner == f->owner)
		hash_search(notes, &f->key, HASH_REMOVE, NULL);
}

static void
note_put(MemoryContext owner, const void *key, void *value)
{
	PlanNote   *n;
	PlanNoteForget *f;
	bool		found;

	if (notes == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(void *);
		ctl.entrysize = sizeof(PlanNote);
		ctl.hcxt = TopMemoryContext;
		notes = hash_create("civic plan notes", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	/* the callback first: if it cannot be allocated, nothing is noted */
	f = MemoryContextAllocZero(owner, sizeof(PlanNoteForget));
	f->key = key;
	f->owner = owner;
	f->cb.func = note_forget;
	f->cb.arg = f;
	n = hash_search(notes, &key, HASH_ENTER, &found);
	n->value = value;
	n->owner = owner;
	MemoryContextRegisterResetCallback(owner, &f->cb);
}

static void *
note_get(const void *key)
{
	PlanNote   *n;

	if (notes == NULL || key == NULL)
		return NULL;
	n = hash_search(notes, &key, HASH_FIND, NULL);
	return n ? n->value : NULL;
}

void
civic_note_source(MemoryContext owner, const Aggref *combine, Aggref *source)
{
	note_put(owner, combine, source);
}

Aggref *
civic_noted_source(const Aggref *combine)
{
	return (Aggref *) note_get(combine);
}

void
civic_note_release(MemoryContext owner, const FuncExpr *call, Aggref *source)
{
	note_put(owner, call, source);
}

Aggref *
civic_noted_release(const Node *call)
{
	/* (a FuncExpr and an Aggref are never at one address) */
	return call != NULL && IsA(call, FuncExpr) ? (Aggref *) note_get(call) : NULL;
}

/* What is noted of a plan. */
typedef struct PlanNoteStmt
{
	List	   *local_task;
} PlanNoteStmt;

void
civic_note_plan(MemoryContext owner, const PlannedStmt *pstmt, List *local_task)
{
	PlanNoteStmt *n = MemoryContextAllocZero(owner, sizeof(PlanNoteStmt));

	n->local_task = local_task;
	note_put(owner, pstmt, n);
}

bool
civic_plan_noted(const PlannedStmt *pstmt)
{
	return note_get(pstmt) != NULL;
}

List *
civic_noted_local_task(const PlannedStmt *pstmt)
{
	PlanNoteStmt *n = (PlanNoteStmt *) note_get(pstmt);

	return n ? n->local_task : NIL;
}
