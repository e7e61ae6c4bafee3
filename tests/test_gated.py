"""gated._scatter_add_columns, the gradient of the gated cells' lookup U[:, ix], against
np.add.at written here (an independent computation)."""

import numpy as np
import pytest

from rnn_helpers.gated import _scatter_add_columns


@pytest.mark.parametrize("K", [9, 300])  # uint8 keys for the sort below 256, int32 above
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scatter_add_columns_sums_each_characters_rows(K, dtype):
    rng = np.random.default_rng(K)
    G, N, H = 3, 40, 5
    ix = rng.integers(0, K - 1, size=N)  # the last character never occurs: a zero column
    ix[:3] = K - 2  # a character at several positions
    rows = rng.standard_normal((G, N, H)).astype(dtype)
    expected = np.zeros((K, G, H))
    for n in range(N):  # position by position, in float64
        expected[ix[n]] += rows[:, n]
    dU = _scatter_add_columns(ix, rows, K, work={})
    assert dU.shape == (G * H, K) and dU.dtype == dtype and dU.flags.c_contiguous
    np.testing.assert_allclose(dU, expected.reshape(K, G * H).T,
                               rtol=1e-5 if dtype == np.float32 else 1e-13, atol=1e-6)
    assert not dU[:, K - 1].any()
