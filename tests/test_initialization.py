"""rnn_helpers.initialization: scaled and tiny initialisations, the RMS gain of W, the
activation histogram and the sweep over scales, sizes and seeds (notebook 02)."""

import numpy as np
import pytest

from rnn_helpers import hidden_states, init_params, initialization, spectral_radius

K, H = 7, 5


def test_scaled_params_multiply_the_default_range():
    base = init_params(K, H, seed=3)
    big = initialization.scaled_params(K, H, 5.0, seed=3)
    for name in ("U", "W", "V"):
        np.testing.assert_allclose(big[name], 5.0 * base[name])
    assert np.abs(big["U"]).max() <= 5.0 / np.sqrt(K)
    assert np.abs(big["W"]).max() <= 5.0 / np.sqrt(H)
    assert not big["b"].any() and not big["c"].any()


def test_tiny_params_are_min_char_rnn_normals():
    p = initialization.tiny_params(K, H, seed=2)
    assert {name: a.shape for name, a in p.items()} == {
        name: a.shape for name, a in init_params(K, H).items()}
    for name in ("U", "W", "V"):
        assert 0.005 < p[name].std() < 0.02
    assert not p["b"].any() and not p["c"].any()
    np.testing.assert_array_equal(p["W"], initialization.tiny_params(K, H, seed=2)["W"])


def test_init_regimes_tiny_default_large():
    regimes = initialization.init_regimes(K, H, seed=4)
    assert list(regimes) == ["tiny: 0.01 * randn", "default: uniform ±1/sqrt(n)",
                             "large: uniform ±5/sqrt(n)"]
    tiny, default, large = regimes.values()
    np.testing.assert_array_equal(default["U"], init_params(K, H, seed=4)["U"])
    np.testing.assert_allclose(large["W"], 5.0 * default["W"])
    assert tiny["W"].std() < default["W"].std() < large["W"].std()


def test_rms_gain_of_orthogonal_and_scaled_matrices():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    h = rng.standard_normal((50, 6))
    assert initialization.rms_gain(Q, h) == pytest.approx(1.0)  # rotations keep the size
    assert initialization.rms_gain(2.5 * np.eye(6), h) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="zero"):
        initialization.rms_gain(Q, np.zeros((3, 6)))


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_uniform_init_shrinks_the_rms_by_scale_over_sqrt3(scale):
    # Monte Carlo over seeds and random states: Var(sum_j w_j h_j) = scale^2 mean(h^2) / 3.
    n = 200
    h = np.random.default_rng(1000).uniform(-1, 1, size=(400, n))  # not a W seed
    gains = [initialization.rms_gain(initialization.scaled_params(K, n, scale, seed=s)["W"], h)
             for s in range(5)]
    assert initialization.uniform_gain(scale) == pytest.approx(scale / np.sqrt(3))
    assert np.mean(gains) == pytest.approx(scale / np.sqrt(3), rel=0.02)


def test_default_spectral_radius_follows_the_circular_law():
    radii = [spectral_radius(init_params(K, 400, seed=s)["W"]) for s in range(3)]
    assert np.mean(radii) == pytest.approx(1 / np.sqrt(3), rel=0.05)


def test_activation_histogram_fractions_and_saturation():
    h = np.array([[-1.0, -0.99, 0.0, 0.1], [0.5, 0.96, 0.94, 0.2]])
    r = initialization.activation_histogram(h, bins=4)
    np.testing.assert_allclose(r["edges"], [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(r["fraction"], [2 / 8, 0, 3 / 8, 3 / 8])
    assert r["saturated"] == pytest.approx(3 / 8)  # -1, -0.99 and 0.96
    assert r["threshold"] == 0.95
    assert r["std"] == pytest.approx(h.std())


def test_init_scale_histogram_goes_from_quiet_to_saturated():
    ix = np.tile(np.arange(K), 30)
    quiet = initialization.init_scale_histogram(0.01, 32, ix, vocab_size=K)
    loud = initialization.init_scale_histogram(10.0, 32, ix, vocab_size=K)
    centre = np.abs(quiet["edges"][:-1] + quiet["edges"][1:]) / 2 < 0.05
    assert quiet["fraction"][centre].sum() == pytest.approx(1.0)
    assert quiet["saturated"] == 0.0
    assert loud["saturated"] > 0.5
    default = spectral_radius(init_params(K, 32, seed=0)["W"])
    assert loud["rho"] == pytest.approx(10.0 * default)


def test_init_scale_histogram_pools_a_batch():
    X = np.tile(np.arange(K), (3, 2))  # (3, 14)
    r = initialization.init_scale_histogram(2.0, 8, X, vocab_size=K, seed=1)
    h = hidden_states(initialization.scaled_params(K, 8, 2.0, seed=1), X)
    assert r["std"] == pytest.approx(h.std())
    assert r["saturated"] == pytest.approx(np.mean(np.abs(h) > 0.95))


def test_init_scale_runs_and_summary_over_seeds():
    ix = np.tile(np.arange(K), 10)
    runs = initialization.init_scale_runs((0.1, 10.0), (4, 8), ix, vocab_size=K, seeds=(0, 1, 2))
    assert sorted(runs) == [(0.1, 4), (0.1, 8), (10.0, 4), (10.0, 8)]
    assert all(len(r) == 3 for r in runs.values())
    single = initialization.init_scale_histogram(0.1, 8, ix, vocab_size=K, seed=2)
    np.testing.assert_array_equal(runs[0.1, 8][2]["fraction"], single["fraction"])
    summary = initialization.init_scale_summary(runs)
    sat = [r["saturated"] for r in runs[10.0, 8]]
    assert summary[10.0, 8]["saturated"].mean == pytest.approx(np.mean(sat))
    assert summary[10.0, 8]["saturated"].std == pytest.approx(np.std(sat, ddof=1))
    assert summary[10.0, 4]["rho"].n == 3


def test_init_scale_table_prints_mean_and_std_over_seeds():
    ix = np.tile(np.arange(K), 10)
    runs = initialization.init_scale_runs((0.1, 10.0), (4, 8), ix, vocab_size=K, seeds=(0, 1, 2))
    summary = initialization.init_scale_summary(runs)
    lines = initialization.init_scale_table(summary, rho_size=8).splitlines()
    assert len(lines) == 2 + 2  # two header lines, one line per scale
    assert "rho(W)" in lines[0] and "std of h" in lines[0] and "fraction |h| > 0.95" in lines[0]
    assert lines[1].split() == ["scale", "H", "=", "8"] + ["H", "=", "4", "H", "=", "8"] * 2
    row = lines[3].split()
    assert row[0] == "10"

    def check(cell, s, k=1.0):  # the printed mean±std rounds the spread's mean and std
        mean, std = cell.rstrip("%").split("±")
        half = 0.5 * 10.0 ** -len(mean.partition(".")[2]) + 1e-12
        assert abs(float(mean) - k * s.mean) <= half and abs(float(std) - k * s.std) <= half

    check(row[1], summary[10.0, 8]["rho"])
    check(row[-1], summary[10.0, 8]["saturated"], k=100.0)
    assert all(line == line.rstrip() for line in lines)



def test_init_scale_table_never_prints_a_zero_std_for_a_non_zero_one():
    ix = np.tile(np.arange(K), 10)
    runs = initialization.init_scale_runs((0.1,), (4, 8), ix, vocab_size=K, seeds=(0, 1, 2))
    summary = initialization.init_scale_summary(runs)
    row = initialization.init_scale_table(summary, rho_size=8).splitlines()[2].split()
    cells = row[1:]  # rho, std of h at H = 4 and 8, fraction saturated at H = 4 and 8
    spreads = [summary[0.1, 8]["rho"], summary[0.1, 4]["std"], summary[0.1, 8]["std"]]
    for cell, s in zip(cells, spreads, strict=False):
        assert s.std > 0 and float(cell.split("±")[1]) > 0
    assert cells[-2:] == ["0%", "0%"]  # nothing saturates at scale 0.1: exactly zero
