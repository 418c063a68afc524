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

#endif							/* CIVIC_PRIVATE_VIEW_H */
