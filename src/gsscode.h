/*
 * gsscode.h
 *	  civic.gsscode for other civic modules: a pass-by-value int64,
 *	  (country letter << 32) | eight-digit number.  See gsscode.c.
 */
#ifndef CIVIC_GSSCODE_H
#define CIVIC_GSSCODE_H

#define GSSCODE_LENGTH 9		/* letter + eight digits */

#define DatumGetGssCode(d)	DatumGetInt64(d)
#define GssCodeGetDatum(v)	Int64GetDatum(v)

/* Write the nine characters of v and a NUL into buf. */
extern void gsscode_format(int64 v, char *buf);

#endif							/* CIVIC_GSSCODE_H */
