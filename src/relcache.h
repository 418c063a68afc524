/*
 * relcache.h
 *	  One relcache invalidation callback for all of civic (relcache.c).
 *	  PostgreSQL 15 has room for only ten relcache callbacks per backend
 *	  (MAX_RELCACHE_CALLBACKS), shared with the server itself and every
 *	  other preloaded library -- Citus alone registers five -- so civic's
 *	  modules register theirs here and civic takes one slot.
 */
#ifndef CIVIC_RELCACHE_H
#define CIVIC_RELCACHE_H

#include "postgres.h"

#include "utils/inval.h"

/* Register FUNC(ARG, relid) to run on every relcache invalidation. */
extern void civic_register_relcache_callback(RelcacheCallbackFunction func, Datum arg);

#endif							/* CIVIC_RELCACHE_H */
