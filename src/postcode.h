/*
 * postcode.h
 *	  civic.postcode: a validated UK postcode stored as a pass-by-value int32
 *	  whose integer order is the natural postcode order (see postcode.c).
 */
#ifndef CIVIC_POSTCODE_H
#define CIVIC_POSTCODE_H

#include "postgres.h"

#include "fmgr.h"

/* Longest canonical text form: "SW1A 1AA". */
#define POSTCODE_MAX_TEXT 8

#define DatumGetPostcode(X)		DatumGetInt32(X)
#define PostcodeGetDatum(X)		Int32GetDatum(X)
#define PG_GETARG_POSTCODE(n)	DatumGetPostcode(PG_GETARG_DATUM(n))
#define PG_RETURN_POSTCODE(x)	return PostcodeGetDatum(x)

/*
 * The inclusive range [*lo, *hi] of stored values of the postcodes in an
 * area, outward code or sector (or equal to a postcode), given as text;
 * raises 22P02 if the text is none of these.  Defined in postcode.c.
 */
extern void postcode_prefix_range_text(text *prefix, int32 *lo, int32 *hi);

#endif							/* CIVIC_POSTCODE_H */
