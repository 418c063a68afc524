/*
 * dp_noise.h
 *	  Secure randomness and exact noise samplers for civic's
 *	  differential-privacy aggregates (see dp_noise.c for the mechanisms,
 *	  their sensitivity and the papers they come from).
 */
#ifndef CIVIC_DP_NOISE_H
#define CIVIC_DP_NOISE_H

#include "postgres.h"

/* 128-bit integers, aligned to MAXALIGN so palloc'd states hold them */
typedef int128 dp_int128;
typedef uint128 dp_uint128;

/* Largest noise scale (sigma, or Laplace scale, in grid units) supported. */
#define DP_MAX_SCALE_LOG2	28

/* Bits kept of epsilon when it is turned into an exact rational. */
#define DP_EPSILON_BITS		20

/* Uniform random 64-bit word from the secure source. */
extern uint64 dp_random_u64(void);

/* Uniform integer in [0, n), n >= 1, by rejection sampling. */
extern dp_uint128 dp_uniform_u128(dp_uint128 n);

/* Bernoulli(num/den), 0 <= num <= den, den >= 1. */
extern bool dp_bernoulli(dp_uint128 num, dp_uint128 den);

/* Bernoulli(exp(-num/den)), num >= 0, den >= 1 (CKS 2020, Algorithm 1). */
extern bool dp_bernoulli_exp(dp_uint128 num, dp_uint128 den);

/*
 * Discrete Laplace: P(Y = y) proportional to exp(-|y| * s / t), s, t >= 1
 * (CKS 2020, Algorithm 2).
 */
extern dp_int128 dp_discrete_laplace(dp_uint128 s, dp_uint128 t);

/*
 * Discrete Gaussian: P(Y = y) proportional to exp(-y^2 / (2 sigma^2)),
 * sigma^2 = a / b (CKS 2020, Algorithm 3).
 */
extern dp_int128 dp_discrete_gaussian(dp_uint128 a, dp_uint128 b);

/*
 * Mechanism parameters.  A DpNoise describes the noise added to an integer
 * query of sensitivity delta_units (in grid units) for (epsilon, delta):
 * discrete Laplace with exp(-|y| * lap_s / lap_t) when delta == 0, else the
 * discrete Gaussian with sigma^2 = gau_a / gau_b.
 */
typedef struct DpNoise
{
	bool		gaussian;
	dp_uint128	lap_s;
	dp_uint128	lap_t;
	dp_uint128	gau_a;
	dp_uint128	gau_b;
	double		scale;			/* Laplace scale t/s or Gaussian sigma */
} DpNoise;

/* sigma / sensitivity of the Gaussian mechanism for (epsilon, delta). */
extern double dp_gaussian_multiplier(double epsilon, double delta);

/* zCDP rho of the discrete Gaussian calibrated for (epsilon, delta). */
extern double dp_gaussian_rho(double epsilon, double delta);

/* The largest rho whose rho-zCDP implies (epsilon, delta)-DP (CKS 2020). */
extern double dp_zcdp_budget_rho(double epsilon, double delta);

/* Fill *noise for sensitivity delta_units; ereports if out of range. */
extern void dp_noise_setup(DpNoise *noise, int64 delta_units,
						   double epsilon, double delta);

/* Draw one noise value. */
extern dp_int128 dp_noise_draw(const DpNoise *noise);

/*
 * Smallest integer h with P(|noise| > h) <= 1 - confidence (exact for the
 * discrete Laplace, a sub-Gaussian bound for the discrete Gaussian).
 */
extern double dp_noise_halfwidth(const DpNoise *noise, double confidence);

/*
 * Sample index j in [0, n) with probability exactly proportional to
 * exp(-num[j] / den), den >= 1 (the exponential mechanism, exactly).
 */
extern int	dp_sample_exp_mechanism(const dp_uint128 *num, int n, dp_uint128 den);

#endif							/* CIVIC_DP_NOISE_H */
