"""BG/NBD and Gamma-Gamma validated against the published CDNOW results.

The CDNOW sample cannot be downloaded here, so the published fits are reproduced two ways:
(a) parameter recovery — customers simulated from each model with the published parameters
    are fitted back (large N; tolerance stated per parameter);
(b) the likelihood itself — the vectorised log-likelihood at the published parameters equals a
    plain scalar transcription of the paper's equation on a small fixed data set.

BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science
24(2): CDNOW r = 0.243, α = 4.414, a = 0.793, b = 2.426 (weeks, 39-week calibration).
Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves", JMR 42(4):
CDNOW p = 6.25, q = 3.74, γ = 15.44."""

import math

import numpy as np
import pytest

from relasi.analytics import clv

# (x, t_x, T) in weeks — a fixed mix like the CDNOW panel (ID 1–10 style values)
SMALL = [(2, 30.43, 38.86), (1, 1.71, 38.86), (0, 0.0, 38.86), (0, 0.0, 38.86),
         (0, 0.0, 38.86), (7, 29.43, 38.86), (1, 5.0, 38.86), (0, 0.0, 38.86),
         (2, 35.71, 38.86), (0, 0.0, 38.71), (5, 24.43, 38.71), (0, 0.0, 38.71)]  # fmt: skip


def scalar_bgnbd_ll(
    r: float, alpha: float, a: float, b: float, x: int, t_x: float, T: float
) -> float:
    """Equation (6) of the BG/NBD paper, term by term, with math.lgamma only."""

    def lbeta(p: float, q: float) -> float:
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    a1 = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    a2 = lbeta(a, b + x) - lbeta(a, b)
    like = math.exp(a1 + a2) * (1 / (alpha + T)) ** (r + x)
    if x > 0:
        like += math.exp(a1 + a2) * (a / (b + x - 1)) * (1 / (alpha + t_x)) ** (r + x)
    return math.log(like)


def scalar_gg_ll(p: float, q: float, g: float, x: int, m: float) -> float:
    """The Gamma-Gamma marginal likelihood of a mean spend m over x transactions (the iso-value
    paper's equation), written out directly."""
    return (
        math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q)
        + q * math.log(g) + (p * x - 1) * math.log(m) + p * x * math.log(x)
        - (p * x + q) * math.log(g + m * x)
    )  # fmt: skip


def test_bgnbd_loglik_equals_the_scalar_equation_at_the_published_parameters():
    x, t_x, T = (np.array(c) for c in zip(*SMALL, strict=True))
    vec = clv.bgnbd_loglik(clv.BGNBD_CDNOW, x, t_x, T)
    ref = [scalar_bgnbd_ll(*clv.BGNBD_CDNOW.values(), *row) for row in SMALL]
    assert vec == pytest.approx(ref, rel=1e-12)
    # the gradient-carrying objective agrees with it too
    d = clv._BGData(x.astype(float), t_x, T, np.ones(len(x)))
    neg, _grad = clv._bg_objective(np.log(list(clv.BGNBD_CDNOW.values())), d)
    assert -neg == pytest.approx(sum(ref), rel=1e-12)


def test_gamma_gamma_loglik_equals_the_scalar_equation():
    rows = [(1, 20.0), (2, 35.5), (5, 12.3), (3, 80.0)]
    x, m = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    vec = clv.gg_loglik(clv.GG_CDNOW, x, m)
    assert vec == pytest.approx([scalar_gg_ll(*clv.GG_CDNOW.values(), *r) for r in rows], rel=1e-12)


def test_bgnbd_recovers_the_published_cdnow_parameters_from_simulated_customers():
    n = 60_000  # tolerance ±12 % per parameter at this size (seeded, so the run is exact)
    T = np.random.default_rng(7).uniform(27, 39, n).round(2)  # CDNOW: 27–39 weeks
    x, t_x, T = clv.simulate_bgnbd(clv.BGNBD_CDNOW, n, T, seed=11)
    fit = clv.fit_bgnbd(x, t_x, T)
    assert fit.converged
    for name, true in clv.BGNBD_CDNOW.items():
        assert fit.params[name] == pytest.approx(true, rel=0.12), name
    # the fitted maximum is at least as likely as the truth
    assert fit.log_likelihood >= clv.bgnbd_loglik(clv.BGNBD_CDNOW, x, t_x, T).sum() - 1e-6


def test_gamma_gamma_recovers_the_published_cdnow_parameters():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 8, 40_000).astype(float)
    m = clv.simulate_gamma_gamma(clv.GG_CDNOW, x, seed=5)
    fit = clv.fit_gamma_gamma(x, m)
    assert fit.converged
    for name, true in clv.GG_CDNOW.items():
        assert fit.params[name] == pytest.approx(true, rel=0.12), name


def test_predictions_behave():
    bg = clv.BGNBD_CDNOW
    # no repeat purchase: alive by assumption; long silence after many purchases: likely gone
    assert clv.p_alive(bg, [0], [0], [38])[0] == 1.0
    assert clv.p_alive(bg, [10], [5], [38])[0] < clv.p_alive(bg, [10], [37], [38])[0]
    e = clv.expected_purchases(bg, 39, [0, 5, 5], [0, 30, 5], [38, 38, 38])
    assert e[1] > e[2] > 0 and e[0] > 0
    # E[X(t)] (equation 7) equals the mean of customers simulated for t weeks
    x, _tx, _T = clv.simulate_bgnbd(bg, 100_000, 78.0, seed=1)
    assert float(clv.expected_repeat_unconditional(bg, 78)) == pytest.approx(x.mean(), rel=0.03)
    gg = clv.GG_CDNOW
    spend = clv.expected_spend(gg, [0, 2], [0, 30.0], clv.gg_population_mean(gg))
    assert spend[0] == pytest.approx(6.25 * 15.44 / 2.74)
    assert spend[1] == pytest.approx((15.44 + 60) * 6.25 / (12.5 + 3.74 - 1))
    value = clv.clv(bg, [5], [30], [38], [30.0], [0.3], months=12)
    assert value[0] > 0
    assert clv.clv(bg, [5], [30], [38], [30.0], [0.3], months=24)[0] > value[0]


# --- MBG/NBD (Batislam, Denizel & Filiztekin 2007) ------------------------------------------------
def scalar_mbgnbd_ll(
    r: float, alpha: float, a: float, b: float, x: int, t_x: float, T: float
) -> float:
    """The MBG/NBD likelihood written out: BG/NBD's with a drop-out chance at time zero too,
    L = Γ(r+x)α^r/Γ(r) · B(a, b+x+1)/B(a, b) · [(α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x)]."""

    def lbeta(p: float, q: float) -> float:
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    lead = math.exp(
        math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha) + lbeta(a, b + x + 1)
        - lbeta(a, b)
    )  # fmt: skip
    return math.log(lead * ((alpha + T) ** -(r + x) + a / (b + x) * (alpha + t_x) ** -(r + x)))


def test_mbgnbd_loglik_and_objective_equal_the_scalar_equation():
    x, t_x, T = (np.array(c, dtype=float) for c in zip(*SMALL, strict=True))
    ref = [scalar_mbgnbd_ll(*clv.BGNBD_CDNOW.values(), *row) for row in SMALL]
    assert clv.mbgnbd_loglik(clv.BGNBD_CDNOW, x, t_x, T) == pytest.approx(ref, rel=1e-12)
    d = clv._BGData(x, t_x, T, np.ones(len(x)), modified=True)
    theta = np.log(list(clv.BGNBD_CDNOW.values()))
    neg, grad = clv._bg_objective(theta, d)
    assert -neg == pytest.approx(sum(ref), rel=1e-12)
    # the analytic gradient against central differences
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6
        num = (clv._bg_objective(theta + step, d)[0] - clv._bg_objective(theta - step, d)[0]) / 2e-6
        assert grad[i] == pytest.approx(num, rel=1e-5, abs=1e-6)


def test_mbgnbd_recovers_its_parameters_and_predicts_simulated_customers():
    n = 60_000
    T = np.random.default_rng(7).uniform(27, 39, n).round(2)
    x, t_x, T = clv.simulate_bgnbd(clv.BGNBD_CDNOW, n, T, seed=11, modified=True)
    fit = clv.fit_mbgnbd(x, t_x, T)
    assert fit.converged
    for name, true in clv.BGNBD_CDNOW.items():
        assert fit.params[name] == pytest.approx(true, rel=0.12), name
    # E[X(t)] of the MBG/NBD story against 100,000 simulated customers
    sx, _tx, _T = clv.simulate_bgnbd(clv.BGNBD_CDNOW, 100_000, 39.0, seed=5, modified=True)
    expected = clv.expected_repeat_unconditional(clv.BGNBD_CDNOW, 39.0, model=clv.MBGNBD)
    assert float(expected) == pytest.approx(sx.mean(), rel=0.03)
    # one-time buyers: alive for BG/NBD whatever T, fading for MBG/NBD
    zero = np.zeros(2)
    assert list(clv.p_alive(fit.params, zero, zero, np.array([10.0, 200.0]), clv.BGNBD)) == [1, 1]
    faded = clv.p_alive(fit.params, zero, zero, np.array([10.0, 200.0]), clv.MBGNBD)
    assert faded[0] > faded[1] and faded[0] < 1
