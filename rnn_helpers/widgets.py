"""Interactive pieces for the notebooks: small pure functions (tested with plain pytest) plus
thin ipywidgets wiring. Only notebooks import this module.

Rules that keep the notebooks testable with strict nbval: a widget never prints; figures are
updated through a display handle (``LiveFigure``), so re-running a notebook produces the same
stored outputs; every widget's result also appears as a static figure in the notebook.
"""

import html

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from . import experiments, plots
from .diagnostics import global_clip_scale, last_step_grad_norms, with_spectral_radius
from .gradcheck import STENCIL_ORDERS, stencil_errors
from .initialization import init_scale_histogram
from .plots import eps_vcurve, gradient_norms_figure
from .sampling import sample_text
from .train import History


class LiveFigure:
    """A figure shown once and redrawn in place: ``show()`` then ``update(fig)``.

    Uses ``display(fig, display_id=True)``: updates replace the same output area instead of
    appending new outputs, and nothing is printed.
    """

    def __init__(self):
        self.handle = None

    def show(self, fig):
        """Display ``fig`` (the first time) and close it so it is not shown twice."""
        self.handle = display(fig, display_id=True)
        plt.close(fig)

    def update(self, fig):
        """Replace the displayed figure with ``fig``."""
        if self.handle is None:
            self.show(fig)
        else:
            self.handle.update(fig)
            plt.close(fig)


def slider_options(values, current):
    """(label, value) pairs for a SelectionSlider: ``values`` and ``current``, sorted, as %g."""
    return [(f"{v:g}", v) for v in sorted(set(values) | {float(current)})]


# --- 01: characters and data --------------------------------------------------


def batch_layout_explorer(n_chars=120, batch_size=4, seq_length=6):
    """Sliders B and T -> the batch-layout figure (``plots.batch_layout``) of n_chars chars.

    Displays the controls and the figure; returns the controls (an HBox of two sliders).
    """
    B = ipw.IntSlider(value=batch_size, min=1, max=8, description="B (rows)",
                      continuous_update=False)
    T = ipw.IntSlider(value=seq_length, min=2, max=(n_chars - 1) // batch_size,
                      description="T (length)", continuous_update=False)
    live = LiveFigure()
    # The T the learner chose: squeezed to fit when B grows, given back when B shrinks.
    state = {"T": T.value, "busy": False}

    def redraw(change=None):
        if state["busy"]:  # a change made below, not by the learner
            return
        if change is not None and change["owner"] is T:
            state["T"] = T.value
        state["busy"] = True
        try:
            T.max = (n_chars - 1) // B.value  # a row must hold at least one window
            T.value = min(state["T"], T.max)
        finally:
            state["busy"] = False
        live.update(plots.batch_layout(n_chars, B.value, T.value))

    controls = ipw.HBox([B, T])
    display(controls)
    live.show(plots.batch_layout(n_chars, B.value, T.value))
    B.observe(redraw, names="value")
    T.observe(redraw, names="value")
    return controls


# --- 02: the forward pass -----------------------------------------------------

HIDDEN_SIZES = (16, 32, 64, 128, 256, 512)
INIT_SCALES = (0.01, 0.03, 0.1, 0.3, 1.0, 2.0, 3.0, 5.0, 10.0)  # the 02 widget's choices


def init_scale_title(scale, hidden_size):
    """The panel title for one (scale, H) setting."""
    return f"uniform ±{scale:.3g}/sqrt(n), H = {hidden_size}"


def init_scale_explorer(inputs, vocab_size, *, scale=1.0, hidden_size=64, seed=0):
    """Slider (init scale, 0.01..10, log) + dropdown (H) -> the histogram of h_t on inputs.

    inputs: int (T,) or (B, T). Displays the controls and the figure; returns the controls
    (an HBox: slider, dropdown).
    """
    s = ipw.SelectionSlider(options=slider_options(INIT_SCALES, scale), value=scale,
                            description="scale", continuous_update=False)
    H = ipw.Dropdown(options=HIDDEN_SIZES, value=hidden_size, description="H")
    live = LiveFigure()

    def figure():
        r = init_scale_histogram(s.value, H.value, inputs, vocab_size=vocab_size, seed=seed)
        title = f"{init_scale_title(s.value, H.value)}, rho(W) = {r['rho']:.2f}"
        return plots.activation_histograms([r], [title])

    controls = ipw.HBox([s, H])
    display(controls)
    live.show(figure())
    for w in (s, H):
        w.observe(lambda _: live.update(figure()), names="value")
    return controls


# --- 03: softmax and numerical stability --------------------------------------


def live_panel(draw, **controls):
    """Show ipywidgets ``controls`` in a row above the figure ``draw(**values)``, kept live.

    draw: a pure function of the controls' values returning a matplotlib Figure.
    controls: keyword name -> ipywidget (its ``.value`` is passed to ``draw`` under that name).
    Every change redraws through one ``LiveFigure``; nothing is printed. Returns the LiveFigure.
    """
    live = LiveFigure()

    def redraw(_change=None):
        live.update(draw(**{name: w.value for name, w in controls.items()}))

    for w in controls.values():
        w.observe(redraw, names="value")
    display(ipw.HBox(list(controls.values())))
    redraw()
    return live


# --- 04: the loss -------------------------------------------------------------


# --- 05: backpropagation through time -----------------------------------------

def eps_vcurve_view(params, inputs, targets, eps_values, errors, eps, *, roundoff=None):
    """The 05 widget's figure: the static V-curves ``errors`` with step ``eps`` marked live."""
    marks = {label: float(stencil_errors(params, inputs, targets, [eps], order=order)[0])
             for label, order in STENCIL_ORDERS.items() if label in errors}
    return eps_vcurve(eps_values, errors, roundoff=roundoff, marker_eps=eps,
                      marker_errors=marks)


def eps_explorer(params, inputs, targets, eps_values, errors, *, roundoff=None, value=1e-5):
    """A log slider for eps (1e-10 .. 1e-1) over the V-curves; returns the LiveFigure."""
    slider = ipw.FloatLogSlider(value=value, base=10, min=-10, max=-1, step=0.25,
                                       description="eps", continuous_update=False,
                                       readout_format=".1e")

    def draw(eps):
        return eps_vcurve_view(params, inputs, targets, eps_values, errors, eps,
                               roundoff=roundoff)

    return live_panel(draw, eps=slider)


# --- 06: training and sampling ------------------------------------------------
# (imports here, not at the top: each notebook's section is edited on its own)


RECENT_STEPS = 50  # the panel's "final loss": the mean over the last RECENT_STEPS steps
# The panel's steps for rates and clip values: round numbers, about x2-4 apart (a log slider
# would offer 0.00316 and 19.95 where a learner means 3e-3 and 20). Both are per character:
# the panel steps on the gradient of the mean loss per character, g / T, and clips it at the
# value (experiments.train_from_config). So SGD at 2.5 per character is SGD at 0.1 on the
# summed loss at T = 25 (sections 2 and 3), and a rate or a bound means the same at every T.
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 2.5, 10.0)
CLIP_VALUES = (0.05, 0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 5.0, 10.0)
SEEDS = tuple(range(10))


def describe_config(config):
    """A one-line summary of a config, e.g.
    'Adam lr=0.003, H=64, T=25, norm clip 0.8/char, 300 steps, seed 0'."""
    clip = "no clipping" if config["clipping"] == "none" else (
        f"{config['clipping']} clip {config['clip_value']:.3g}/char")
    return (f"{config['optimizer']} lr={config['lr']:.3g}, H={config['hidden_size']}, "
            f"T={config['seq_length']}, {clip}, {config['steps']} steps, seed {config['seed']}")


def loss_figure(history, floor, *, steps=None, title="Training loss", config=None):
    """Training loss (each step and smoothed, validation if measured) against the floor.

    steps: fix the x axis to [0, steps], so a live plot fills it as training runs.
    config: the run's ``experiments.train_config``; if given, a second panel shows the gradient
    norm per character, ||g|| / T; in norm mode also the bound per character and the fraction
    of clipped steps (element-wise clipping fires on single entries: no norm line for it).
    """
    if config is None:
        fig = plots.loss_curves(history, floor=floor, title=title)
        ax = fig.axes[0]
    else:
        fig, (ax, ax2) = plots.new_figure(2, width=13, height=4.4)
        plots.loss_curves(history, floor=floor, title=title, ax=ax)
        value = config["clip_value"]
        norm_mode = config["clipping"] == "norm"
        fraction = experiments.panel_clipped_fraction(history, config)
        if fraction is not None:
            title2 = f"gradient norm per character: clipped on {fraction:.0%} of the steps"
        elif config["clipping"] == "element-wise":
            title2 = "gradient norm per character (element-wise clip: see section 2)"
        else:
            title2 = "gradient norm per character"
        plots.grad_norm_curves(
            {"||g|| / T": _PerChar(history, config["seq_length"])},
            threshold=value if norm_mode else None,
            threshold_labels=[rf"bound per character {value:g} ($\kappa$ = {value:g} $\times$ T)"],
            title=title2, ax=ax2)
        ax2.set_ylabel("||g|| / T (before clipping)")
        if steps:
            ax2.set_xlim(0, steps)
    if steps:
        ax.set_xlim(0, steps)
    ax.set_ylim(0, max([4.0] + [1.05 * s for s in history.smooth]))
    return fig


class _PerChar:
    """A History-like view whose grad_norms are divided by T (for ``plots.grad_norm_curves``)."""

    def __init__(self, history, seq_length):
        self.grad_norms = experiments.grad_norm_per_char(history.grad_norms, seq_length)
        self.steps = history.steps


def live_loss_callback(live, floor, steps, *, every=None, title="Training loss", progress=None,
                       config=None):
    """A train() callback: redraw ``loss_figure`` on ``live`` (a LiveFigure) every few steps.

    every: steps between redraws (default: 20 redraws per run). progress: an object with a
    ``value`` (e.g. an IntProgress) set to the number of steps done at each redraw.
    config: passed to ``loss_figure`` (adds the gradient-norm panel).
    """
    every = every or max(1, steps // 20)

    def callback(step, history):
        if (step + 1) % every == 0 or step + 1 == steps:
            live.update(loss_figure(history, floor, steps=steps, title=title, config=config))
            if progress is not None:
                progress.value = step + 1

    return callback


def run_verdict(loss, vocab_size, floor):
    """A short verdict on a run's final loss: above ln K (diverged) or its gap to the floor.

    loss: the run's final loss, e.g. ``history.recent_loss()`` (not the lagging smooth[-1]).
    The judgement is ``experiments.classify_run``'s; this only words it.
    """
    return str(experiments.classify_run(loss, vocab_size, floor))


def sample_preview(params, vocab, *, temperature=1.0, prime="The ", n=200, seed=0):
    """The prime followed by n sampled characters (a fixed rng seed: reproducible)."""
    return prime + sample_text(params, vocab, n, prime=prime, temperature=temperature,
                               rng=np.random.default_rng(seed))


def run_report(history, config, vocab_size, floor):
    """The panel's status after a run: final loss, verdict, validation loss, clipped steps
    (norm clipping only: ``experiments.panel_clipped_fraction``)."""
    loss = history.recent_loss(RECENT_STEPS)
    parts = [f"Final loss {loss:.3f} (mean of the last {RECENT_STEPS} steps): "
             f"{run_verdict(loss, vocab_size, floor)}"]
    if history.val_losses:
        parts.append(f"validation loss {history.val_losses[-1]:.3f}")
    fraction = experiments.panel_clipped_fraction(history, config)
    if fraction is not None:
        parts.append(f"clipped on {fraction:.0%} of the steps")
    return "; ".join(parts)


class TrainingPanel:
    """Hyperparameters, a Train button, a live loss and gradient-norm plot, and a sample with a
    temperature knob.

    data: encoded training text; vocab: its CharVocab; floor: the entropy rate. val_data:
    encoded validation text (optional: its loss is drawn and reported). params: the model
    sampled before any click (e.g. the notebook's main model), called ``model_name``.
    history, config: a run to plot before any click. ``show()`` displays the panel.
    """

    def __init__(self, data, vocab, floor, *, params=None, model_name="the notebook's model",
                 history=None, config=None, live=None, prime="The ", val_data=None):
        import ipywidgets as w

        self.data, self.vocab, self.floor, self.prime = data, vocab, floor, prime
        self.val_data = val_data
        self.params, self.history = params, history
        self.config = config or experiments.train_config()
        self.live = live if live is not None else LiveFigure()
        c, style = self.config, {"description_width": "initial"}

        def wide():  # a fixed width: in a narrow window rows wrap instead of sliders shrinking
            return {"style": style, "layout": w.Layout(width="310px")}

        self.hidden = w.IntSlider(c["hidden_size"], min=16, max=256, step=16,
                                  description="hidden size", **wide())
        self.lr = w.SelectionSlider(options=slider_options(LEARNING_RATES, c["lr"]),
                                    value=c["lr"], description="learning rate", **wide())
        self.optimizer = w.Dropdown(options=list(experiments.OPTIMIZERS), value=c["optimizer"],
                                    description="optimizer", **wide())
        self.seq_length = w.IntSlider(c["seq_length"], min=5, max=100, step=5,
                                      description="sequence length", **wide())
        self.clipping = w.Dropdown(options=list(experiments.CLIPPING), value=c["clipping"],
                                   description="clipping", **wide())
        self.clip_value = w.SelectionSlider(options=slider_options(CLIP_VALUES, c["clip_value"]),
                                            value=c["clip_value"],
                                            description="clip value per char", **wide())
        self.steps = w.IntSlider(c["steps"], min=50, max=3000, step=50, description="steps",
                                 **wide())
        self.seed = w.Dropdown(options=sorted(set(SEEDS) | {c["seed"]}), value=c["seed"],
                               description="seed", **wide())
        self.button = w.Button(description="Train", button_style="primary",
                               tooltip="train a fresh model with these settings")
        self.bar = w.IntProgress(0, min=0, max=c["steps"], description="progress", **wide())
        self.status = w.HTML("Sampling from " + (html.escape(model_name) if params is not None
                                                 else "no model yet: press Train"),
                             layout=w.Layout(min_height="48px"))  # room for two lines
        self.temperature = w.FloatLogSlider(1.0, base=10, min=-1, max=0.5, step=0.05,
                                            description="temperature", **wide())
        self.sample = w.HTML(description="sample", style=style)

        def row(*widgets):
            return w.HBox(list(widgets), layout=w.Layout(flex_flow="row wrap"))

        self.controls = w.VBox([
            row(self.hidden, self.seq_length, self.steps),
            row(self.optimizer, self.lr, self.seed),
            row(self.clipping, self.clip_value),
            row(self.button, self.bar),
            self.status,
        ])
        self.sampler = w.VBox([self.temperature, self.sample])
        self.button.on_click(self.on_train)
        self.temperature.observe(lambda _: self.resample(), names="value")
        self.resample()

    def current_config(self):
        """The config the widgets show now."""
        return experiments.train_config(hidden_size=self.hidden.value, lr=self.lr.value,
                            optimizer=self.optimizer.value, seq_length=self.seq_length.value,
                            clipping=self.clipping.value, clip_value=self.clip_value.value,
                            steps=self.steps.value, seed=self.seed.value,
                            batch_size=self.config["batch_size"], dtype=self.config["dtype"])

    def figure(self):
        """The loss and gradient-norm figure of the last run (empty axes before any)."""
        if self.history is None:
            return loss_figure(History(), self.floor, steps=self.config["steps"],
                               title="Training loss: no run yet, press Train", config=self.config)
        return loss_figure(self.history, self.floor, steps=self.history.steps,
                           title=describe_config(self.config), config=self.config)

    def show(self):
        """Display the controls, the loss plot (a LiveFigure) and the sampler."""
        display(self.controls)
        self.live.show(self.figure())
        display(self.sampler)

    def resample(self):
        """Sample from the current model at the slider's temperature."""
        if self.params is None:
            self.sample.value = "<pre>(no model yet)</pre>"
            return
        text = sample_preview(self.params, self.vocab, temperature=self.temperature.value,
                              prime=self.prime)
        self.sample.value = f"<pre>{html.escape(text)}</pre>"

    def on_train(self, _button=None):
        """Train a fresh model with the current settings, redrawing the loss live."""
        config = self.current_config()
        # The kernel is busy until the run ends: a moved knob would only act afterwards.
        self.button.disabled = self.temperature.disabled = True
        self.bar.max, self.bar.value = config["steps"], 0
        self.status.value = ("Training: " + html.escape(describe_config(config))
                             + " ... (the sampler waits for the new model)")
        callback = live_loss_callback(self.live, self.floor, config["steps"],
                                      title=describe_config(config), progress=self.bar,
                                      config=config)
        try:
            params, history = experiments.train_from_config(
                config, self.data, len(self.vocab), callback=callback, val_data=self.val_data)
        except FloatingPointError as e:
            self.status.value = f"<b>Diverged</b>: {html.escape(str(e))}"
        else:
            self.params, self.history, self.config = params, history, config
            self.live.update(self.figure())
            self.resample()
            run = html.escape(describe_config(config))
            report = html.escape(run_report(history, config, len(self.vocab), self.floor))
            # Last: once it says so, the plot and the sample are the new model's.
            self.status.value = f"Sampling from your model ({run}). {report}"
        finally:
            self.button.disabled = self.temperature.disabled = False


# --- 07: exploding and vanishing gradients ------------------------------------


def gradient_norm_view(params, inputs, targets, rho, T, clipping, *, max_norm=1.0):
    """The 07 widget's figure: ||dL_T/dh_t|| vs the distance T - t, W at spectral radius rho.

    Uses the first T characters of inputs/targets (T,). With clipping, two more curves at
    kappa = ``max_norm``: global-norm clipping of L_T's parameter gradient (what ``train``'s
    clip_norm does: one factor for every t) and per-step clipping of dL_T/dh_t (a variant).
    """
    p = with_spectral_radius(params, rho)
    x, y = inputs[:T], targets[:T]
    norms = last_step_grad_norms(p, x, y)
    if not clipping:
        return gradient_norms_figure(norms, rho=rho)
    per_step = last_step_grad_norms(p, x, y, max_norm=max_norm)
    scale = global_clip_scale(p, x, y, max_norm)
    return gradient_norms_figure(norms, per_step=per_step, global_scale=scale,
                                 max_norm=max_norm, rho=rho)


def gradient_norm_explorer(params, inputs, targets, *, rho=1.5, T=60, clipping=True,
                           max_norm=1.0):
    """Spectral-radius and length sliders, a clipping checkbox -> ``gradient_norm_view``.

    Shows the controls and the live figure; returns the controls (a dict of widgets).
    """
    style = {"description_width": "initial"}
    controls = {
        "rho": ipw.FloatSlider(value=rho, min=0.25, max=3.0, step=0.05, style=style,
                               description="spectral radius", continuous_update=False),
        "T": ipw.IntSlider(value=T, min=5, max=len(inputs), step=5, style=style,
                           description="sequence length", continuous_update=False),
        "clipping": ipw.Checkbox(value=clipping, style=style, layout=ipw.Layout(width="auto"),
                                 description=f"clipping at κ = {max_norm:g}: global-norm "
                                             "and per-step (a variant)"),
    }
    live = LiveFigure()

    def redraw(_change=None):
        values = {name: w.value for name, w in controls.items()}
        live.update(gradient_norm_view(params, inputs, targets, max_norm=max_norm, **values))

    # The checkbox on a line of its own: its description is too long to share a row.
    display(ipw.VBox([ipw.HBox([controls["rho"], controls["T"]]), controls["clipping"]]))
    redraw()
    for w in controls.values():
        w.observe(redraw, names="value")
    return controls




# --- 08: gated cells ----------------------------------------------------------
# (imports here, not at the top: each notebook's section is edited on its own)

from . import tasks  # noqa: E402

RECALL_CELLS = (("RNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru"))
RECALL_INITS = ("uniform", "orthogonal", "identity")
RECALL_LR = 0.02  # notebook 08's rate: at 0.003 an LSTM at lag 21 is still at chance at 300 steps


def recall_settings(cell, *, forget_bias=1.0, init="uniform"):
    """The ``train_recall`` settings that apply to ``cell``: init for the RNN, forget_bias
    for the LSTM, none for the GRU (the other knob is ignored, as the widget greys it out)."""
    if cell == "rnn":
        return {"cell": cell, "init": init}
    if cell == "lstm":
        return {"cell": cell, "forget_bias": float(forget_bias)}
    return {"cell": cell}


def describe_recall(settings, lag, steps, seed):
    """A one-line title, e.g. 'LSTM, forget bias 1, lag 21, 300 steps, seed 0'."""
    knob = ""
    if "forget_bias" in settings:
        knob = f", forget bias {settings['forget_bias']:g}"
    elif "init" in settings:
        knob = f", {settings['init']} W"
    return f"{settings['cell'].upper()}{knob}, lag {lag}, {steps} steps, seed {seed}"


def _recall_title(run):
    """``describe_recall`` of a finished ``tasks.RecallRun``."""
    knobs = {k: v for k, v in run.settings.items() if k in ("init", "forget_bias")}
    return describe_recall(recall_settings(run.settings["cell"], **knobs), run.lag,
                           run.settings["steps"], run.settings["seed"])


def recall_run_view(run):
    """The 08 widget's figure for a finished ``tasks.RecallRun``."""
    return plots.recall_run_figure(run, chance=1 / len(tasks.RECALL_SYMBOLS),
                                   title=_recall_title(run))


def recall_view(*, cell="lstm", lag=21, forget_bias=1.0, init="uniform", steps=300, seed=0,
                lr=RECALL_LR, progress=None):
    """The static counterpart of ``recall_explorer``: train once, return the same figure.

    ``tasks.recall_run(lag - 1, steps=steps, seed=seed, lr=lr, ...)`` with the knobs that
    apply to ``cell`` (``recall_settings``), drawn by ``recall_run_view``.
    """
    run = tasks.recall_run(lag - 1, steps=steps, seed=seed, lr=lr, progress=progress,
                           **recall_settings(cell, forget_bias=forget_bias, init=init))
    return recall_run_view(run)


def recall_explorer(*, cell="lstm", lag=21, forget_bias=1.0, init="uniform", steps=300, seed=0,
                    lr=RECALL_LR, run=None):
    """Cell kind, lag, forget bias (LSTM) or init (RNN), and a Train button -> one training.

    Each press trains a fresh network (``recall_view``'s training) with a progress bar, then
    draws its accuracy against step and its gradient along time at the start and the end.
    run: a ``tasks.RecallRun`` to show before any press (e.g. the static figure's); without
    it the first press draws the first figure. Displays the controls and the figure; returns
    the controls (a dict of widgets, with "button", "progress" and "status").
    """
    style = {"description_width": "initial"}
    c = {
        "cell": ipw.ToggleButtons(options=RECALL_CELLS, value=cell, description="cell",
                                  style=style),
        "lag": ipw.IntSlider(value=lag, min=6, max=61, step=5, description="lag k + 1",
                             continuous_update=False, style=style),
        "forget_bias": ipw.FloatSlider(value=forget_bias, min=-2.0, max=4.0, step=0.5,
                                       description="forget bias (LSTM)",
                                       continuous_update=False, style=style),
        "init": ipw.Dropdown(options=RECALL_INITS, value=init, description="W init (RNN)",
                             style=style),
        "seed": ipw.IntSlider(value=seed, min=0, max=9, description="seed",
                              continuous_update=False, style=style),
        "button": ipw.Button(description="Train", button_style="primary",
                             tooltip=f"train a fresh network for {steps} steps"),
        "progress": ipw.IntProgress(0, min=0, max=steps, description="progress"),
        "status": ipw.HTML("Press Train to train a fresh network with these settings."),
    }
    live = LiveFigure()

    def grey_out(_change=None):  # a knob that does not apply to the cell is disabled
        c["forget_bias"].disabled = c["cell"].value != "lstm"
        c["init"].disabled = c["cell"].value != "rnn"

    def progress(step):
        c["progress"].value = step

    def on_train(_button=None):
        knobs = {"cell": c["cell"].value, "forget_bias": c["forget_bias"].value,
                 "init": c["init"].value}
        seed_now = c["seed"].value
        run = html.escape(describe_recall(recall_settings(**knobs), c["lag"].value, steps,
                                          seed_now))
        # The kernel is busy until the run ends: a press meanwhile would only queue up.
        c["button"].disabled = True
        c["progress"].value = 0
        c["status"].value = f"Training: {run} ..."
        try:
            live.update(recall_view(lag=c["lag"].value, steps=steps, seed=seed_now, lr=lr,
                                    progress=progress, **knobs))
            c["status"].value = f"Showing: {run}"
        finally:
            c["button"].disabled = False

    grey_out()
    c["cell"].observe(grey_out, names="value")
    c["button"].on_click(on_train)
    display(ipw.VBox([ipw.HBox([c["cell"], c["lag"]]),
                      ipw.HBox([c["forget_bias"], c["init"], c["seed"]]),
                      ipw.HBox([c["button"], c["progress"]]), c["status"]]))
    if run is not None:
        live.show(recall_run_view(run))
        c["status"].value = f"Showing: {html.escape(_recall_title(run))} (the run above)"
    return c
