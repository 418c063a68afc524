/*
 * sdc.c
 *	  Statistical disclosure control by the UK conventions (docs/sdc.md):
 *	  rounding and small-count suppression (sdc_round, sdc_suppress), and the
 *	  cell key method's record keys and perturbation tables (ckm_*).
 *
 * The cell key method perturbs every count of a published table so that the
 * same cell -- the same set of records -- gets the same perturbation in every
 * table and on every refresh, which defeats differencing attacks.  It was
 * developed by the Australian Bureau of Statistics (Fraser and Wooton, "A
 * proposed method for confidentialising tabular output to protect against
 * differencing", UNECE Work Session on Statistical Data Confidentiality,
 * 2005; Marley and Leaver, "A method for confidentialising user-defined
 * tables: statistical properties and a risk-utility analysis", ISI 2011) and
 * used by the Office for National Statistics for Census 2021 outputs
 * ("Protecting personal data in Census 2021 results", ONS methodology, 2023).
 *
 * 1. Each record carries a record key, drawn once, uniformly from
 *    [0, key_range), from the operating system's secure source
 *    (pg_strong_random, as civic's DP noise): civic.ckm_record_key().
 * 2. A cell's key is the sum of its records' keys modulo key_range.
 * 3. A perturbation table gives, for each original count i and each cell
 *    key, the published count j.  For count i the published values j have
 *    probabilities p(j | i); the keys [0, key_range) are split into
 *    consecutive ranges of width p(j | i) * key_range, so a uniform cell key
 *    selects j with probability p(j | i) (up to the 1/key_range quantisation).
 *
 * civic_ckm_ptable() builds p(j | i) as the maximum-entropy distribution on
 * the allowed values with mean i (unbiased) and variance V:
 *   allowed values: max(0, i - D) <= j <= i + D, and j = 0 or j > js
 *   (D: maximum perturbation; js: the small counts 1..js never published),
 *   p(j | i) proportional to exp(a (j - i) + b (j - i)^2),
 * with (a, b) found by Newton's method on the convex dual
 *   F(a, b) = log sum_j exp(a d_j + b d_j^2) - b V,   d_j = j - i,
 * whose gradient is (E[d], E[d^2] - V) and whose Hessian is the covariance
 * matrix of (d, d^2).  Zero is never perturbed (an empty cell has no
 * records).  From i = js + D + 1 on, every value of [i - D, i + D] is
 * allowed and the distribution of j - i no longer depends on i: the table
 * stops there and its last row serves every larger count, shifted.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "port.h"
#include "utils/builtins.h"
#include "common/int.h"
#include "utils/tuplestore.h"

#define CKM_MAX_PERTURBATION	50
#define CKM_MAX_KEY_RANGE		(1 << 24)

PG_FUNCTION_INFO_V1(civic_ckm_record_key);
PG_FUNCTION_INFO_V1(civic_ckm_ptable);

/* A uniform integer in [0, range) from the secure source (rejection sampling). */
Datum
civic_ckm_record_key(PG_FUNCTION_ARGS)
{
	int32		range = PG_GETARG_INT32(0);
	uint32		limit,
				r;

	if (range < 2 || range > CKM_MAX_KEY_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key range must be between 2 and %d", CKM_MAX_KEY_RANGE)));
	/* the largest multiple of range that fits in 32 bits bounds the draws */
	limit = UINT32_MAX - (UINT32_MAX % (uint32) range);
	do
	{
		if (!pg_strong_random(&r, sizeof(r)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a secure random record key")));
	} while (r >= limit);
	PG_RETURN_INT32((int32) (r % (uint32) range));
}

/* Moments of p(d) proportional to exp(a d + b d^2) over the m offsets d[]. */
static double
ckm_moments(const double *d, int m, double a, double b, double *p,
			double *m1, double *m2, double *m3, double *m4)
{
	double		top = -INFINITY,
				z = 0;
	int			k;

	for (k = 0; k < m; k++)
		top = Max(top, a * d[k] + b * d[k] * d[k]);
	for (k = 0; k < m; k++)
	{
		p[k] = exp(a * d[k] + b * d[k] * d[k] - top);
		z += p[k];
	}
	*m1 = *m2 = *m3 = *m4 = 0;
	for (k = 0; k < m; k++)
	{
		p[k] /= z;
		*m1 += p[k] * d[k];
		*m2 += p[k] * d[k] * d[k];
		*m3 += p[k] * d[k] * d[k] * d[k];
		*m4 += p[k] * d[k] * d[k] * d[k] * d[k];
	}
	return log(z) + top;
}

/*
 * The maximum-entropy p over offsets d[0..m) with mean 0 and variance v.
 * Returns false when no such distribution exists (v outside the range that
 * the allowed values can reach with mean 0).
 */
static bool
ckm_solve(const double *d, int m, double v, double *p)
{
	double		a = 0,
				b = 0;
	int			iter;

	for (iter = 0; iter < 500; iter++)
	{
		double		m1, m2, m3, m4, f, g1, g2, h11, h12, h22, det, s1, s2, t;

		f = ckm_moments(d, m, a, b, p, &m1, &m2, &m3, &m4) - b * v;
		g1 = m1;
		g2 = m2 - v;
		if (fabs(g1) < 1e-13 && fabs(g2) < 1e-12)
			return true;
		h11 = m2 - m1 * m1;
		h12 = m3 - m1 * m2;
		h22 = m4 - m2 * m2;
		det = h11 * h22 - h12 * h12;
		if (!(det > 1e-300))
			return false;
		s1 = (h22 * g1 - h12 * g2) / det;
		s2 = (h11 * g2 - h12 * g1) / det;
		/* backtracking line search on the convex dual */
		for (t = 1.0; t > 1e-12; t /= 2)
		{
			double		na = a - t * s1,
						nb = b - t * s2,
						x1, x2, x3, x4;

			if (ckm_moments(d, m, na, nb, p, &x1, &x2, &x3, &x4) - nb * v <= f + 1e-15)
			{
				a = na;
				b = nb;
				break;
			}
		}
		if (t <= 1e-12 || fabs(a) > 1e6 || fabs(b) > 1e6)
			return false;
	}
	return false;
}

/*
 * civic.ckm_ptable(max_perturbation, variance, small_count, key_range):
 * the rows (original, published, key_low, key_high, probability) of the
 * perturbation table described at the top of this file.
 */
Datum
civic_ckm_ptable(PG_FUNCTION_ARGS)
{
	int32		dmax = PG_GETARG_INT32(0);
	double		v = PG_GETARG_FLOAT8(1);
	int32		js = PG_GETARG_INT32(2);
	int32		range = PG_GETARG_INT32(3);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	if (dmax < 1 || dmax > CKM_MAX_PERTURBATION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("maximum perturbation must be between 1 and %d", CKM_MAX_PERTURBATION)));
	if (js < 0 || js > CKM_MAX_PERTURBATION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("small count must be between 0 and %d", CKM_MAX_PERTURBATION)));
	if (!(v > 0) || !isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("variance must be a positive finite number")));
	if (range < 2 || range > CKM_MAX_KEY_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key range must be between 2 and %d", CKM_MAX_KEY_RANGE)));

	InitMaterializedSRF(fcinfo, 0);

	for (i = 0; i <= js + dmax + 1; i++)
	{
		double		d[2 * CKM_MAX_PERTURBATION + 1],
					p[2 * CKM_MAX_PERTURBATION + 1];
		int			jv[2 * CKM_MAX_PERTURBATION + 1];
		int			m = 0,
					k,
					j,
					prev = 0;
		double		cum = 0;

		for (j = Max(0, i - dmax); j <= i + dmax; j++)
		{
			if (i > 0 && j >= 1 && j <= js)
				continue;
			if (i == 0 && j != 0)
				continue;
			jv[m] = j;
			d[m] = j - i;
			m++;
		}
		if (i == 0)
			p[0] = 1;
		else if (!ckm_solve(d, m, v, p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no unbiased perturbation of the count %d has variance %g", i, v),
					 errdetail("With maximum perturbation %d and small counts 1..%d never published, "
							   "the count %d can only be perturbed to the values %d..%d without 1..%d.",
							   dmax, js, i, Max(0, i - dmax), i + dmax, js),
					 errhint("Choose a variance strictly between the smallest and largest that these values allow, or a larger maximum perturbation.")));

		for (k = 0; k < m; k++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};
			int			upto;

			cum += p[k];
			upto = (k == m - 1) ? range : (int) rint(cum * range);
			/* a value too unlikely for one whole key keeps an empty range */
			upto = Max(upto, prev);
			values[0] = Int32GetDatum(i);
			values[1] = Int32GetDatum(jv[k]);
			values[2] = Int32GetDatum(prev);
			values[3] = Int32GetDatum(upto - 1);
			values[4] = Float8GetDatum(p[k]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			prev = upto;
		}
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(civic_ckm_key);
PG_FUNCTION_INFO_V1(civic_ckm_unknown_ptable);
PG_FUNCTION_INFO_V1(civic_sdc_round);
PG_FUNCTION_INFO_V1(civic_sdc_suppress);

/* A record key as ckm_count accepts it: not NULL, in [0, 2^24). */
Datum
civic_ckm_key(PG_FUNCTION_ARGS)
{
	int32		key;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("record key must not be null"),
				 errdetail("Every record counted by ckm_count needs a key, or the cell key would not identify the cell."),
				 errhint("Give the table a key column with civic.ckm_add_record_key().")));
	key = PG_GETARG_INT32(0);
	if (key < 0 || key >= CKM_MAX_KEY_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("record key %d is out of range", key),
				 errhint("Record keys are drawn by civic.ckm_record_key() from [0, key range).")));
	PG_RETURN_INT32(key);
}

/* ckm_count's final function found no row for its perturbation table. */
Datum
civic_ckm_unknown_ptable(PG_FUNCTION_ARGS)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("perturbation table \"%s\" does not exist",
					PG_ARGISNULL(0) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(0))),
			 errhint("civic.ckm_ptables lists the perturbation tables; civic.ckm_define_ptable() makes one.")));
	PG_RETURN_NULL();
}

/*
 * civic.sdc_round(value, base): the multiple of base nearest to value,
 * halves rounded away from zero (5 -> 10 to base 10, -5 -> -10).
 */
Datum
civic_sdc_round(PG_FUNCTION_ARGS)
{
	int64		value = PG_GETARG_INT64(0);
	int32		base = PG_GETARG_INT32(1);
	int64		q,
				r,
				res;

	if (base < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rounding base must be at least 1, not %d", base)));
	q = value / base;
	r = value % base;
	if (r != 0 && (r < 0 ? -r : r) * 2 >= base)
		q += (value < 0) ? -1 : 1;
	if (pg_mul_s64_overflow(q, base, &res))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bigint out of range")));
	PG_RETURN_INT64(res);
}

/*
 * civic.sdc_suppress(value, threshold): NULL for a count below the
 * threshold other than 0, the count otherwise.
 */
Datum
civic_sdc_suppress(PG_FUNCTION_ARGS)
{
	int64		value = PG_GETARG_INT64(0);
	int32		threshold = PG_GETARG_INT32(1);

	if (threshold < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("suppression threshold must be at least 1, not %d", threshold)));
	if (value != 0 && value < threshold)
		PG_RETURN_NULL();
	PG_RETURN_INT64(value);
}
