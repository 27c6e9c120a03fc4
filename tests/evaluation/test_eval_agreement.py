from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from strokescope.errors import InputError
from strokescope.evaluation import lins_ccc, pearson_r, spearman_rho, volume_errors


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    x = rng.uniform(0.1, 60.0, 45)
    return x, x * 1.05 + rng.normal(0, 2.0, x.size)


def test_pearson_and_spearman_match_scipy() -> None:
    x, y = _data()
    assert pearson_r(x, y) == pytest.approx(scipy.stats.pearsonr(x, y)[0], abs=1e-12)
    assert spearman_rho(x, y) == pytest.approx(scipy.stats.spearmanr(x, y)[0], abs=1e-12)


def test_spearman_with_ties_matches_scipy() -> None:
    x = [1, 2, 2, 3, 4, 4, 4, 5]
    y = [2, 1, 3, 3, 5, 4, 6, 6]
    assert spearman_rho(x, y) == pytest.approx(scipy.stats.spearmanr(x, y)[0], abs=1e-12)


def test_lins_ccc_hand_computed() -> None:
    x = [1.0, 2.0, 3.0]
    # y = x + 1: s_xx = s_yy = s_xy = 2/3, mean diff 1 -> 2*(2/3)/(4/3 + 1) = 4/7
    c = lins_ccc(x, [2.0, 3.0, 4.0])
    assert c.ccc == pytest.approx(4 / 7)
    assert c.ci_low < c.ccc < c.ci_high
    assert lins_ccc(x, x).ccc == pytest.approx(1.0)
    # y = 2x: s_xy = 4/3, s_yy = 8/3, mean diff 2 -> (8/3)/(2/3 + 8/3 + 4) = 4/11
    assert lins_ccc(x, [2.0, 4.0, 6.0]).ccc == pytest.approx(4 / 11)


def test_lins_ccc_interval_narrows_with_n_and_contains_estimate() -> None:
    x, y = _data()
    full = lins_ccc(x, y)
    part = lins_ccc(x[:10], y[:10])
    assert full.ci_low < full.ccc < full.ci_high <= 1.0
    assert (full.ci_high - full.ci_low) < (part.ci_high - part.ci_low)
    # CCC <= |Pearson r| always
    assert full.ccc <= abs(pearson_r(x, y)) + 1e-12


def test_volume_errors() -> None:
    e = volume_errors([11.0, 9.0, 0.0], [10.0, 10.0, 0.0])
    assert e.mean_error == pytest.approx(0.0)
    assert e.mean_absolute_error == pytest.approx(2 / 3)
    assert e.mean_relative_error == pytest.approx(0.1)
    assert e.sd_error == pytest.approx(1.0)
    assert e.limits_of_agreement == pytest.approx((-1.96, 1.96))


def test_bad_pairs_raise() -> None:
    with pytest.raises(InputError, match="differ in length"):
        pearson_r([1, 2], [1, 2, 3])
    with pytest.raises(InputError, match="at least 3"):
        lins_ccc([1, 2], [1, 2])
    with pytest.raises(InputError, match="nan"):
        pearson_r([1, float("nan")], [1, 2])
