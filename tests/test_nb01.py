"""Notebook 01's figures and widget: character frequencies and the (B, T) batch layout."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnn_helpers import BatchStream, plots, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_char_label_makes_whitespace_visible():
    assert plots.char_label(" ") == "␣"
    assert plots.char_label("\n") == "\\n"
    assert plots.char_label("a") == "a"


@pytest.mark.parametrize("n_chars, B, T", [(110, 4, 6), (1001, 3, 7), (50, 1, 49), (12, 5, 2)])
def test_batch_windows_match_what_batchstream_reads(n_chars, B, T):
    data = np.arange(n_chars)  # each character is its own position
    starts = plots.batch_windows(n_chars, B, T)
    stream = BatchStream(data, B, T)
    for k in range(starts.shape[1]):
        X, Y, reset = stream.next()
        assert reset == (k == 0)
        np.testing.assert_array_equal(X[:, 0], starts[:, k])
        np.testing.assert_array_equal(Y[:, -1], starts[:, k] + T)
    assert stream.next()[2], "after one pass the stream must wrap round"


def test_batch_windows_rejects_a_corpus_too_short():
    with pytest.raises(ValueError, match="cannot fill"):
        plots.batch_windows(10, 4, 3)
    with pytest.raises(ValueError, match="positive"):
        plots.batch_windows(10, 0, 3)


def test_char_frequencies_sorts_and_picks_log_scale():
    fig = plots.char_frequencies(["a", " ", "b"], [5, 1000, 1], title="t")
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [1000, 5, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["␣", "a", "b"]
    assert ax.get_yscale() == "log"
    assert ax.get_title() == "t" and ax.get_xlabel() and ax.get_ylabel()
    assert plots.char_frequencies(["a", "b"], [20, 10]).axes[0].get_yscale() == "linear"


def test_char_frequencies_rejects_mismatched_inputs():
    with pytest.raises(ValueError):
        plots.char_frequencies(["a", "b"], [1])


def test_batch_layout_draws_one_box_per_window():
    fig = plots.batch_layout(110, 4, 6)
    ax = fig.axes[0]
    rects = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
    # B stretches + B * n_windows windows + the dashed batch box
    assert len(rects) == 4 + 4 * 4 + 1
    numbers = sorted(t.get_text() for t in ax.texts if t.get_text())  # arrows have no text
    assert numbers == sorted(str(k) for k in range(1, 5) for _ in range(4))
    assert "B = 4" in ax.get_title() and "4 steps per pass" in ax.get_title()
    assert ax.get_xlabel()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(label.startswith("h carried over") for label in labels)


def test_batch_layout_arrows_go_from_each_window_end_to_the_next_start_on_every_row():
    B, T, n_windows = 4, 6, 4
    ax = plots.batch_layout(110, B, T).axes[0]
    arrows = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]
    assert len(arrows) == B * (n_windows - 1)
    spans = sorted((a.xyann[0], a.xy[0], round(a.xy[1] + 0.35)) for a in arrows)
    expected = sorted(((k + 1) * T - 0.5, (k + 1) * T + 0.5, b)  # last char -> next first char
                      for b in range(B) for k in range(n_windows - 1))
    np.testing.assert_allclose(spans, expected)


def test_batch_layout_single_window_has_no_carry_legend():
    fig = plots.batch_layout(20, 2, 8)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert not any(label.startswith("h carried over") for label in labels)
    assert not [a for a in fig.axes[0].texts if isinstance(a, matplotlib.text.Annotation)]
    assert "1 step per pass" in fig.axes[0].get_title()


def test_batch_layout_explorer_redraws_and_keeps_t_valid(capsys):
    B, T = widgets.batch_layout_explorer(n_chars=110, batch_size=4, seq_length=6).children
    T.value = 20
    B.value = 8  # a row now holds (110 - 1) // 8 = 13 characters: T must shrink to fit
    assert T.max == 13 and T.value == 13
    B.value = 1
    assert T.max == 109 and T.value == 20  # the learner's T comes back
    T.value = 7
    B.value = 8
    assert T.value == 7
    capsys.readouterr()  # outside a kernel, display() prints reprs


def test_batch_layout_explorer_draws_once_per_change(displayed):
    B, T = widgets.batch_layout_explorer(n_chars=110, batch_size=4, seq_length=20).children
    shown = len(displayed)
    B.value = 8  # also squeezes T to 13: still one new figure
    assert len(displayed) == shown + 1
    assert "T = 13" in displayed[-1].axes[0].get_title()
