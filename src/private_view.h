/*
 * private_view.h
 *	  Privacy-safe views: the structural check behind
 *	  civic.check_private_view() and civic.create_private_view(), applied
 *	  when a view is created and again, by an executor hook, whenever a
 *	  role that cannot read its tables reads it.
 */
#ifndef CIVIC_PRIVATE_VIEW_H
#define CIVIC_PRIVATE_VIEW_H

/* Install the read-time check (only when civic is preloaded). */
extern void civic_private_view_init(void);

/*
 * Raise 42P17 unless a view passes the structural rules of a privacy-safe
 * view and everything it uses is owned by a superuser or by a role with
 * RUNAS's rights (it is about to run as RUNAS: src/pv_citus.c).
 */
extern void civic_private_view_verify(Oid viewid, Oid runas);

#endif							/* CIVIC_PRIVATE_VIEW_H */
