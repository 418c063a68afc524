/*
 * relcache.c
 *	  civic's one relcache invalidation callback, dispatching to the
 *	  callbacks its modules register (see relcache.h for why).
 */
#include "postgres.h"

#include "relcache.h"

#define CIVIC_MAX_RELCACHE_CALLBACKS 16

static struct
{
	RelcacheCallbackFunction func;
	Datum		arg;
}			callbacks[CIVIC_MAX_RELCACHE_CALLBACKS];
static int	ncallbacks = 0;

static void
civic_relcache_dispatch(Datum arg, Oid relid)
{
	int			i;

	for (i = 0; i < ncallbacks; i++)
		callbacks[i].func(callbacks[i].arg, relid);
}

void
civic_register_relcache_callback(RelcacheCallbackFunction func, Datum arg)
{
	if (ncallbacks >= CIVIC_MAX_RELCACHE_CALLBACKS)
		elog(FATAL, "out of civic relcache callback slots");
	if (ncallbacks == 0)
		CacheRegisterRelcacheCallback(civic_relcache_dispatch, (Datum) 0);
	callbacks[ncallbacks].func = func;
	callbacks[ncallbacks].arg = arg;
	ncallbacks++;
}
