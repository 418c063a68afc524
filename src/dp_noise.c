/*
 * dp_noise.c
 *	  Secure randomness and exact noise samplers for civic's
 *	  differential-privacy (DP) aggregates.
 *
 * Randomness
 * ----------
 * Every random bit comes from pg_strong_random() (the operating system's
 * CSPRNG or OpenSSL), read in blocks into a per-process buffer.  Nothing
 * here can be seeded: random() and setseed() play no part.  The buffer
 * remembers the process id that filled it; a process created by fork()
 * (which would otherwise replay its parent's buffered bytes) sees a new pid,
 * re-initialises the strong random source and discards the buffer.  Bytes
 * are wiped from the buffer as they are handed out.
 *
 * Exact samplers
 * --------------
 * Floating-point noise (the textbook "u = random(); x = -b log(u)" Laplace)
 * leaks the input through the pattern of representable doubles it can and
 * cannot produce (Mironov, "On significance of the least significant bits
 * for differential privacy", CCS 2012).  civic therefore adds only integer
 * noise, sampled exactly with integer arithmetic, to an integer query (a
 * count, or a sum that was accumulated on a fixed grid, see dp_agg.c):
 *
 *	- Bernoulli(exp(-gamma)) for rational gamma: Canonne, Kamath, Steinke,
 *	  "The Discrete Gaussian for Differential Privacy", NeurIPS 2020
 *	  (arXiv:2004.00010), Algorithm 1.
 *	- discrete Laplace (two-sided geometric), P(y) ~ exp(-|y| s/t):
 *	  CKS 2020 Algorithm 2.  With t/s >= sensitivity/epsilon it gives pure
 *	  epsilon-DP for a query of that sensitivity (Ghosh, Roughgarden,
 *	  Sundararajan 2009, the geometric mechanism).
 *	- discrete Gaussian, P(y) ~ exp(-y^2 / (2 sigma^2)): CKS 2020
 *	  Algorithm 3.  It satisfies rho-zero-concentrated DP with
 *	  rho = sensitivity^2 / (2 sigma^2) (CKS 2020, section 2), which gives
 *	  (epsilon, delta)-DP by the conversion of CKS 2020, Corollary 13.
 *	  dp_gaussian_multiplier() solves that for sigma.
 *
 * Parameters derived from the caller's double epsilon are rounded in the
 * private direction only: epsilon down to DP_EPSILON_BITS significant bits,
 * sigma^2 up.  The noise is therefore never smaller than the claim needs.
 *
 * The exponential mechanism of dp_percentile is sampled exactly as well
 * (dp_sample_exp_mechanism): a uniform proposal accepted with the exact
 * Bernoulli(exp(-gamma)) above, for rational gamma.  No floating-point
 * weight or uniform double takes part in any noise.
 */
#include "postgres.h"

#include <math.h>
#include <unistd.h>

#include "port.h"

#include "dp_noise.h"

#define DP_RANDOM_BUFSZ 4096

static uint8 dp_random_buf[DP_RANDOM_BUFSZ];
static int	dp_random_pos = DP_RANDOM_BUFSZ;
static pid_t dp_random_pid = 0;

/* Copy len bytes of fresh secure randomness into dst. */
static void
dp_random_bytes(void *dst, size_t len)
{
	uint8	   *out = (uint8 *) dst;
	pid_t		pid = getpid();

	if (pid != dp_random_pid)
	{
		/* new process (or first use): never reuse bytes read before fork */
		pg_strong_random_init();
		explicit_bzero(dp_random_buf, sizeof(dp_random_buf));
		dp_random_pos = DP_RANDOM_BUFSZ;
		dp_random_pid = pid;
	}

	while (len > 0)
	{
		size_t		n;

		if (dp_random_pos >= DP_RANDOM_BUFSZ)
		{
			if (!pg_strong_random(dp_random_buf, sizeof(dp_random_buf)))
				ereport(ERROR,
						(errcode(ERRCODE_INTERNAL_ERROR),
						 errmsg("could not generate secure random numbers for differential-privacy noise"),
						 errdetail("The strong random number source of the server failed.")));
			dp_random_pos = 0;
		}
		n = Min(len, (size_t) (DP_RANDOM_BUFSZ - dp_random_pos));
		memcpy(out, dp_random_buf + dp_random_pos, n);
		explicit_bzero(dp_random_buf + dp_random_pos, n);
		dp_random_pos += n;
		out += n;
		len -= n;
	}
}

/* Uniform random 64-bit word. */
uint64
dp_random_u64(void)
{
	uint64		x;

	dp_random_bytes(&x, sizeof(x));
	return x;
}

/* Number of significant bits of x (0 for x == 0). */
static int
dp_bitlen128(dp_uint128 x)
{
	int			n = 0;

	while (x)
	{
		n++;
		x >>= 1;
	}
	return n;
}

/*
 * Uniform integer in [0, n), n >= 1: draw bitlen(n - 1) random bits and
 * reject values >= n (expected fewer than two draws, no modulo bias).
 */
dp_uint128
dp_uniform_u128(dp_uint128 n)
{
	int			bits;
	dp_uint128	mask;

	if (n <= 1)
		return 0;
	bits = dp_bitlen128(n - 1);
	mask = (bits >= 128) ? ~(dp_uint128) 0 : ((((dp_uint128) 1) << bits) - 1);
	for (;;)
	{
		dp_uint128	x;

		if (bits <= 64)
			x = (dp_uint128) dp_random_u64();
		else
			x = (((dp_uint128) dp_random_u64()) << 64) | dp_random_u64();
		x &= mask;
		if (x < n)
			return x;
	}
}

/* Bernoulli(num / den), exactly. */
bool
dp_bernoulli(dp_uint128 num, dp_uint128 den)
{
	Assert(den >= 1 && num <= den);
	return dp_uniform_u128(den) < num;
}

/*
 * Bernoulli(exp(-num/den)) for 0 <= num/den <= 1: CKS 2020 Algorithm 1.
 * Draw A_k ~ Bernoulli(gamma / k) for k = 1, 2, ... until one is 0; the
 * index K of that first 0 is odd with probability exactly exp(-gamma).
 */
static bool
dp_bernoulli_exp_le1(dp_uint128 num, dp_uint128 den)
{
	dp_uint128	k = 1;

	for (;;)
	{
		/* den * k must not overflow; k > 2^14 has probability < 1/16384! */
		if (k > ((~(dp_uint128) 0) >> 1) / den)
			elog(ERROR, "civic: Bernoulli sampler parameter overflow");
		if (!dp_bernoulli(num, den * k))
			break;
		k++;
	}
	return (k & 1) == 1;
}

/*
 * Bernoulli(exp(-num/den)) for any num/den >= 0 (CKS 2020 Algorithm 1):
 * exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))), one
 * independent Bernoulli per factor, stopping at the first 0.
 */
bool
dp_bernoulli_exp(dp_uint128 num, dp_uint128 den)
{
	while (num > den)
	{
		if (!dp_bernoulli_exp_le1(1, 1))
			return false;
		num -= den;
	}
	return dp_bernoulli_exp_le1(num, den);
}

/*
 * Discrete Laplace, P(Y = y) = (1 - p)/(1 + p) * p^|y| with p = exp(-s/t):
 * CKS 2020 Algorithm 2.  U ~ Uniform{0..t-1} accepted with probability
 * exp(-U/t) and V ~ Geometric(1 - exp(-1)) give X = U + tV with
 * P(X = x) ~ exp(-x/t); Y = floor(X/s) is geometric with parameter
 * exp(-s/t); a random sign (rejecting -0) makes it two-sided.
 */
dp_int128
dp_discrete_laplace(dp_uint128 s, dp_uint128 t)
{
	for (;;)
	{
		dp_uint128	u = dp_uniform_u128(t);
		dp_uint128	v = 0;
		dp_uint128	y;
		bool		negative;

		if (!dp_bernoulli_exp(u, t))
			continue;
		while (dp_bernoulli_exp_le1(1, 1))
			v++;
		y = (u + t * v) / s;
		negative = (dp_random_u64() & 1) != 0;
		if (negative && y == 0)
			continue;
		return negative ? -(dp_int128) y : (dp_int128) y;
	}
}

/*
 * Discrete Gaussian with sigma^2 = a/b: CKS 2020 Algorithm 3.  Propose Y
 * from the discrete Laplace with scale tt = floor(sigma) + 1 and accept
 * with probability exp(-(|Y| - sigma^2/tt)^2 / (2 sigma^2)), which is
 * exp(-num/den) with num = (|Y| b tt - a)^2 and den = 2 a b tt^2.
 *
 * dp_noise_setup() keeps either b = 1, a <= 2^56 (sigma <= 2^28), or
 * a < 2^41 with sigma >= 2^-8, so den = 2 a b tt^2 < 2^114 fits in 128 bits.
 * A proposal with |Y| b tt - a >= 2^62 (its square would overflow) is
 * rejected outright: its acceptance probability exp(-gamma) has
 * gamma >= 2^124 / den > 2^11 (derivation in docs/dp.md), so the sampled
 * distribution differs from the exact one by less than exp(-2048).
 */
dp_int128
dp_discrete_gaussian(dp_uint128 a, dp_uint128 b)
{
	double		sigma = sqrt((double) a / (double) b);
	dp_uint128	tt = (dp_uint128) floor(sigma) + 1;
	dp_uint128	bt = b * tt;
	dp_uint128	limit = (((dp_uint128) 1) << 62);
	dp_uint128	den = 2 * a * b * tt * tt;

	for (;;)
	{
		dp_int128	y = dp_discrete_laplace(1, tt);
		dp_uint128	ay = (dp_uint128) (y < 0 ? -y : y);
		dp_uint128	diff;

		if (ay > (limit + a) / bt)
			continue;			/* acceptance probability < exp(-2^11) */
		if (ay * bt >= a)
			diff = ay * bt - a;
		else
			diff = a - ay * bt;
		if (diff >= limit)
			continue;
		if (dp_bernoulli_exp(diff * diff, den))
			return y;
	}
}

/*
 * log of the delta that rho-zCDP gives at epsilon for one Renyi order alpha
 * (CKS 2020, Corollary 13):
 *   delta(alpha) = exp((alpha - 1)(alpha rho - epsilon)) / (alpha - 1)
 *                  * (1 - 1/alpha)^alpha.
 */
static long double
dp_zcdp_log_delta_at(long double rho, long double epsilon, long double alpha)
{
	return (alpha - 1) * (alpha * rho - epsilon) - logl(alpha - 1) +
		alpha * log1pl(-1 / alpha);
}

/*
 * The smallest delta such that rho-zCDP implies (epsilon, delta)-DP by
 * CKS 2020 Corollary 13: the infimum over alpha > 1 of the bound above,
 * found by a scan of log(alpha - 1) and a golden-section refinement.  Any
 * alpha gives a valid bound, so an inexact minimum errs on the safe side.
 */
static long double
dp_zcdp_delta(long double rho, long double epsilon)
{
	long double best = INFINITY,
				best_t = 0,
				a,
				b;
	int			i;

	for (i = -120; i <= 160; i++)
	{
		long double t = i / 10.0L;
		long double v = dp_zcdp_log_delta_at(rho, epsilon, 1 + expl(t));

		if (v < best)
		{
			best = v;
			best_t = t;
		}
	}
	a = best_t - 0.1L;
	b = best_t + 0.1L;
	for (i = 0; i < 60; i++)
	{
		long double m1 = b - (b - a) * 0.6180339887498949L;
		long double m2 = a + (b - a) * 0.6180339887498949L;
		long double v1 = dp_zcdp_log_delta_at(rho, epsilon, 1 + expl(m1));
		long double v2 = dp_zcdp_log_delta_at(rho, epsilon, 1 + expl(m2));

		if (v1 < best)
			best = v1;
		if (v2 < best)
			best = v2;
		if (v1 < v2)
			b = m2;
		else
			a = m1;
	}
	return expl(best);
}

/*
 * sigma / sensitivity for the Gaussian mechanism at (epsilon, delta).
 *
 * The discrete Gaussian with sigma satisfies rho-zCDP with
 * rho = sensitivity^2 / (2 sigma^2) (CKS 2020, section 2).  civic 0.1.0
 * converted that to (epsilon, delta)-DP with Bun and Steinke's bound
 * (TCC 2016, Proposition 1.3), which needs sigma 1.16-1.45 times the
 * analytic Gaussian's (Balle and Wang, ICML 2018); the tighter conversion
 * of CKS 2020 (Corollary 13, dp_zcdp_delta) needs 1.05-1.09 times it
 * (sql/dp_stats.sql compares both).  The multiplier m = sigma / sensitivity
 * is the smallest (to 1e-9 relative) with dp_zcdp_delta(1 / (2 m^2),
 * epsilon) <= delta, found by bisection between half and all of Bun and
 * Steinke's (which always satisfies it).  The last 16 (epsilon, delta)
 * pairs are remembered, as every group of a GROUP BY asks for the same.
 */
#define DP_GAUSS_CACHE 16

double
dp_gaussian_multiplier(double epsilon, double delta)
{
	static struct
	{
		double		epsilon;
		double		delta;
		double		m;
	}			cache[DP_GAUSS_CACHE];
	static int	cache_next = 0;
	long double L = -logl((long double) delta);
	long double hi,
				lo;
	int			i;

	for (i = 0; i < DP_GAUSS_CACHE; i++)
		if (cache[i].m > 0 && cache[i].epsilon == epsilon && cache[i].delta == delta)
			return cache[i].m;
	hi = (sqrtl(L + epsilon) + sqrtl(L)) / ((long double) epsilon * sqrtl(2.0L));
	lo = hi / 2;
	for (i = 0; i < 80 && (hi - lo) > hi * 1e-10L; i++)
	{
		long double m = (lo + hi) / 2;

		/* a small margin keeps the rounding of the computation private */
		if (dp_zcdp_delta(1 / (2 * m * m), epsilon) <= (long double) delta * (1 - 1e-6L))
			hi = m;
		else
			lo = m;
	}
	i = cache_next;
	cache_next = (cache_next + 1) % DP_GAUSS_CACHE;
	cache[i].epsilon = epsilon;
	cache[i].delta = delta;
	cache[i].m = (double) (hi * (1.0L + 1e-9L));
	return cache[i].m;
}

/* Fill *noise for a query of sensitivity delta_units (grid units). */
void
dp_noise_setup(DpNoise *noise, int64 delta_units, double epsilon, double delta)
{
	memset(noise, 0, sizeof(*noise));
	if (delta_units < 1)
		delta_units = 1;

	if (delta > 0.0)
	{
		long double sigma = (long double) delta_units *
			dp_gaussian_multiplier(epsilon, delta);
		long double sigma2 = sigma * sigma;
		int			g;

		if (sigma > ldexpl(1.0L, DP_MAX_SCALE_LOG2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("epsilon and delta are too small for this query"),
					 errdetail("The Gaussian noise would have a standard deviation above 2^%d grid units.",
							   DP_MAX_SCALE_LOG2),
					 errhint("Use a larger epsilon or delta.")));
		/* more noise than needed is always private: floor sigma at 2^-8 */
		if (sigma2 < ldexpl(1.0L, -16))
			sigma2 = ldexpl(1.0L, -16);
		noise->gaussian = true;
		noise->gau_b = 1;
		if (sigma2 < ldexpl(1.0L, 40))
		{
			/* keep about 40 significant bits of sigma^2 */
			(void) frexpl(sigma2, &g);
			g = 41 - g;
			noise->gau_b = ((dp_uint128) 1) << g;
			sigma2 = ldexpl(sigma2, g);
		}
		noise->gau_a = (dp_uint128) ceill(sigma2);
		noise->scale = sqrt((double) noise->gau_a / (double) noise->gau_b);
	}
	else
	{
		int			e;
		int			f;
		double		s;

		/* epsilon' = floor(epsilon 2^f) / 2^f <= epsilon, 20 bits kept */
		(void) frexp(epsilon, &e);
		f = DP_EPSILON_BITS - e;
		if (f < 0)
			f = 0;
		if (dp_bitlen128((dp_uint128) delta_units) + f > 100)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("epsilon is too small for this query"),
					 errdetail("epsilon = %g cannot be represented for a sensitivity of %lld grid units.",
							   epsilon, (long long) delta_units),
					 errhint("Use a larger epsilon.")));
		s = floor(ldexp(epsilon, f));
		noise->gaussian = false;
		noise->lap_s = (dp_uint128) s;
		noise->lap_t = ((dp_uint128) delta_units) << f;
		noise->scale = (double) noise->lap_t / (double) noise->lap_s;
	}
}

/* Draw one noise value for *noise. */
dp_int128
dp_noise_draw(const DpNoise *noise)
{
	if (noise->gaussian)
		return dp_discrete_gaussian(noise->gau_a, noise->gau_b);
	return dp_discrete_laplace(noise->lap_s, noise->lap_t);
}

/*
 * Half-width h of the confidence interval: P(|noise| > h) <= 1 - confidence.
 * Discrete Laplace (exact): P(|Y| > h) = 2 p^(h+1) / (1 + p), p = exp(-s/t).
 * Discrete Gaussian: it is sigma^2-sub-Gaussian (CKS 2020), so
 * P(|Y| >= h) <= 2 exp(-h^2 / (2 sigma^2)); a conservative bound.
 */
double
dp_noise_halfwidth(const DpNoise *noise, double confidence)
{
	double		alpha = 1.0 - confidence;
	double		h;

	if (noise->gaussian)
	{
		h = ceil(noise->scale * sqrt(2.0 * log(2.0 / alpha)));
	}
	else
	{
		double		rate = (double) noise->lap_s / (double) noise->lap_t;
		double		p = exp(-rate);

		h = ceil(log(alpha * (1.0 + p) / 2.0) / -rate) - 1.0;
		/* guard the floating-point rounding at the boundary */
		while (h > 0 && 2.0 * exp(-rate * h) / (1.0 + p) <= alpha)
			h -= 1.0;
		while (2.0 * exp(-rate * (h + 1.0)) / (1.0 + p) > alpha)
			h += 1.0;
	}
	return h < 0 ? 0 : h;
}

/*
 * Sample j in [0, n) with probability exactly proportional to
 * exp(-num[j] / den), den >= 1: propose j uniformly and accept it with
 * probability exp(-(num[j] - min_k num[k]) / den), which is 1 for the best
 * candidate, so at most n proposals are needed on average.  This is the
 * exponential mechanism without floating point (compare Ilvento, "Implementing
 * the Exponential Mechanism with Base-2 Differential Privacy", CCS 2020): a
 * sampler with double weights and a 53-bit uniform rounds every outcome's
 * probability to a multiple of about 2^-53, so an outcome whose true
 * probability is below that can get probability 0 on one dataset and 2^-53
 * on its neighbour, an unbounded privacy loss on that outcome.
 */
int
dp_sample_exp_mechanism(const dp_uint128 *num, int n, dp_uint128 den)
{
	dp_uint128	minnum;
	int			j;

	Assert(n >= 1 && den >= 1);
	minnum = num[0];
	for (j = 1; j < n; j++)
		if (num[j] < minnum)
			minnum = num[j];
	for (;;)
	{
		j = (int) dp_uniform_u128((dp_uint128) n);
		if (dp_bernoulli_exp(num[j] - minnum, den))
			return j;
	}
}

/*
 * zCDP cost of the discrete Gaussian calibrated for (epsilon, delta):
 * rho = sensitivity^2 / (2 sigma^2) (Canonne, Kamath, Steinke 2020,
 * section 2) with sigma = m(epsilon, delta) sensitivity.  dp_noise_setup()
 * rounds sigma^2 up, so the noise drawn is at least this private.
 */
double
dp_gaussian_rho(double epsilon, double delta)
{
	double		m = dp_gaussian_multiplier(epsilon, delta);

	return 1.0 / (2.0 * m * m);
}

/*
 * The largest rho (to 1e-9 relative, rounded down) such that rho-zCDP
 * implies (epsilon, delta)-DP by the conversion of Canonne, Kamath and
 * Steinke 2020, Corollary 13 (dp_zcdp_delta), which is tighter than Bun and
 * Steinke 2016, Proposition 1.3: epsilon = rho + 2 sqrt(rho log(1/delta)).
 * The Bun-Steinke rho, (sqrt(epsilon + log(1/delta)) - sqrt(log(1/delta)))^2,
 * always satisfies it and starts the bisection.
 */
double
dp_zcdp_budget_rho(double epsilon, double delta)
{
	long double L = -logl((long double) delta);
	long double lo = powl(sqrtl(L + epsilon) - sqrtl(L), 2),
				hi = (long double) epsilon;
	int			i;

	/* rho >= epsilon cannot convert: (epsilon, delta) needs rho < epsilon */
	for (i = 0; i < 100 && (hi - lo) > hi * 1e-10L; i++)
	{
		long double r = (lo + hi) / 2;

		if (dp_zcdp_delta(r, epsilon) <= (long double) delta * (1 - 1e-6L))
			lo = r;
		else
			hi = r;
	}
	return (double) (lo * (1.0L - 1e-9L));
}
