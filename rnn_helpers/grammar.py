"""The default corpus: English-like sentences from a small probabilistic grammar.

The language is a probabilistic deterministic finite automaton (PDFA) over word tokens.
Because we know the source exactly, we also know the best loss any model can reach on
it: the entropy rate, in nats per character (``Grammar.entropy_rate``).

This module uses only the standard library and NumPy, and imports no other
``rnn_helpers`` module, so ``data/generate_corpus.py`` can load it on its own.
"""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
import random
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

Transition = tuple[str, float, str]  # (token, probability, next_state)

PROB_TOLERANCE = 1e-9  # how far a state's probabilities may sum from 1


@dataclass(frozen=True)
class Grammar:
    """A probabilistic deterministic finite automaton that emits word tokens.

    ``states`` maps each state to its transitions ``(token, probability, next_state)``.
    A token is a word plus its trailing separator ("cat ", "sleeps.\\n"). The tokens of
    a state are prefix-free, so a text determines its path through the states and
    ``parse`` never has to guess. A sentence is the text emitted between two visits to
    ``start``. The constructor checks all of this and raises ``ValueError`` otherwise;
    do not mutate ``states`` afterwards (derived tables are cached).
    """

    states: dict[str, tuple[Transition, ...]]
    start: str

    def __post_init__(self) -> None:
        _check_states(self.states, self.start)

    def generate(self, n_chars: int, seed: int) -> str:
        """Return whole sentences drawn from ``start`` until at least ``n_chars`` characters.

        Deterministic: the same ``(n_chars, seed)`` gives the same text on every platform,
        because the draws use ``random.Random(seed).random()`` (Mersenne Twister, stable
        across Python versions) and our own cumulative-probability lookup.
        """
        n_chars = _check_int("n_chars", n_chars, minimum=1)
        rng = random.Random(_check_int("seed", seed, minimum=0))
        pieces, length, state = [], 0, self.start
        while True:
            token, state = self._draw(state, rng)
            pieces.append(token)
            length += len(token)
            if state == self.start and length >= n_chars:
                return "".join(pieces)

    def parse(self, text: str) -> list[tuple[str, str]]:
        """Split ``text`` into its derivation ``[(state, token), ...]``.

        The text must begin at a sentence start and end at a token boundary (it may end
        mid-sentence). Raises ``ValueError`` naming the character position and the state
        if no token of the current state matches there.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        path, pos, state = [], 0, self.start
        while pos < len(text):
            match = self._patterns[state].match(text, pos)
            if match is None:
                raise ValueError(_parse_error(text, pos, state))
            token = match.group()
            path.append((state, token))
            state = self._next[state][token]
            pos = match.end()
        return path

    def nll(self, text: str) -> float:
        """Return the negative log-likelihood of ``text`` in nats, starting from ``start``."""
        return math.fsum(self._neglog[state][token] for state, token in self.parse(text))

    def char_surprises(self, text: str) -> np.ndarray:
        """The source's surprise at each character: -ln p(text[i] | text[:i]), (len(text),) nats.

        ``text`` starts a sentence and ends at a token boundary. p(next character) sums the
        probabilities of the current state's tokens that agree with the partial word so far,
        so each token's surprise -ln q is spread over the characters that narrow the choice
        down; the surprises sum to ``nll(text)`` (the chain rule).
        """
        out = []
        for state, token in self.parse(text):
            transitions = self.states[state]
            mass = [sum(q for tok, q, _ in transitions if tok.startswith(token[:i]))
                    for i in range(len(token) + 1)]  # mass[0] = 1, mass[-1] = q(token)
            out += [math.log(mass[i]) - math.log(mass[i + 1]) for i in range(len(token))]
        return np.array(out)

    def stationary(self) -> dict[str, float]:
        """Return the stationary distribution pi of the state chain (pi P = pi, sum pi = 1).

        P[s, t] is the total probability of the tokens of ``s`` that lead to ``t``. The
        chain is irreducible (checked by the constructor), so pi is unique.
        """
        names = list(self.states)
        index = {name: i for i, name in enumerate(names)}
        P = np.zeros((len(names), len(names)))
        for s, transitions in self.states.items():
            for _, p, t in transitions:
                P[index[s], index[t]] += p
        A = P.T - np.eye(len(names))
        A[-1, :] = 1.0  # replace one (redundant) balance equation by sum(pi) = 1
        b = np.zeros(len(names))
        b[-1] = 1.0
        pi = np.linalg.solve(A, b)
        return {name: float(pi[index[name]]) for name in names}

    def entropy_rate(self) -> float:
        """Return the exact entropy rate of the source, in nats per character.

        rate = sum_s pi_s H_s / sum_s pi_s E_s[len(token)], with H_s the entropy of the
        token choice in state s. Sentences are i.i.d. renewal cycles, so by renewal-reward
        the rate is E[-log p(sentence)] / E[len(sentence)], and both expectations split
        over state visits with frequencies pi. The characters lose no information: the
        text is an injective, prefix-decodable function of the token path, so p(text)
        equals p(path).
        """
        pi = self.stationary()
        nats = sum(pi[s] * sum(-p * math.log(p) for _, p, _ in tr) for s, tr in self.states.items())
        chars = sum(pi[s] * sum(p * len(tok) for tok, p, _ in tr) for s, tr in self.states.items())
        return nats / chars

    def _draw(self, state: str, rng: random.Random) -> tuple[str, str]:
        """Draw one ``(token, next_state)`` from ``state``: bisect ``rng.random()`` in the CDF."""
        cdf, transitions = self._cdf[state]
        i = min(bisect.bisect_right(cdf, rng.random()), len(cdf) - 1)  # cdf[-1] may be 1 - eps
        token, _, next_state = transitions[i]
        return token, next_state

    @cached_property
    def _cdf(self) -> dict[str, tuple[list[float], tuple[Transition, ...]]]:
        return {
            s: (list(itertools.accumulate(p for _, p, _ in tr)), tr)
            for s, tr in self.states.items()
        }

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        # Prefix-free tokens: at most one alternative can match, whatever the order.
        return {
            s: re.compile("|".join(re.escape(tok) for tok, _, _ in tr))
            for s, tr in self.states.items()
        }

    @cached_property
    def _next(self) -> dict[str, dict[str, str]]:
        return {s: {tok: t for tok, _, t in tr} for s, tr in self.states.items()}

    @cached_property
    def _neglog(self) -> dict[str, dict[str, float]]:
        return {s: {tok: -math.log(p) for tok, p, _ in tr} for s, tr in self.states.items()}


def _check_int(name: str, value: object, minimum: int) -> int:
    """Return ``value`` as a Python int, or raise TypeError / ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _parse_error(text: str, pos: int, state: str) -> str:
    """Describe where ``parse`` failed: character position, line, column, state, text."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return (
        f"text is not in the language at character {pos} (line {line}, column {column}): "
        f"no token of state {state!r} matches {text[pos:pos + 20]!r}"
    )


def _check_states(states: dict[str, tuple[Transition, ...]], start: str) -> None:
    """Raise ValueError unless ``states`` is a valid, irreducible PDFA with state ``start``."""
    if start not in states:
        raise ValueError(f"start state {start!r} is not in states")
    for state, transitions in states.items():
        if not transitions:
            raise ValueError(f"state {state!r} has no transitions")
        for token, p, next_state in transitions:
            if not isinstance(token, str) or not token:
                raise ValueError(f"state {state!r}: tokens must be non-empty str, got {token!r}")
            if not 0.0 < p <= 1.0:
                raise ValueError(f"state {state!r}: probability of {token!r} is {p}, not in (0, 1]")
            if next_state not in states:
                raise ValueError(f"state {state!r}: {token!r} goes to unknown state {next_state!r}")
        total = math.fsum(p for _, p, _ in transitions)
        if abs(total - 1.0) > PROB_TOLERANCE:
            raise ValueError(f"state {state!r}: probabilities sum to {total}, not 1")
        _check_prefix_free(state, [token for token, _, _ in transitions])
    _check_irreducible(states, start)


def _check_prefix_free(state: str, tokens: list[str]) -> None:
    """Raise ValueError if a token of ``state`` is a prefix of (or equal to) another."""
    ordered = sorted(tokens)  # if a is a prefix of b, a is a prefix of its sorted successor
    for a, b in itertools.pairwise(ordered):
        if b.startswith(a):
            raise ValueError(f"state {state!r}: token {a!r} is a prefix of {b!r}")


def _check_irreducible(states: dict[str, tuple[Transition, ...]], start: str) -> None:
    """Raise ValueError unless every state is reachable from ``start`` and leads back to it."""
    forward = {s: {t for _, _, t in tr} for s, tr in states.items()}
    backward: dict[str, set[str]] = {s: set() for s in states}
    for s, targets in forward.items():
        for t in targets:
            backward[t].add(s)
    for edges, what in ((forward, "reachable from"), (backward, "able to return to")):
        missing = set(states) - _reachable(edges, start)
        if missing:
            raise ValueError(f"states {sorted(missing)} are not {what} {start!r}")


def _reachable(edges: dict[str, set[str]], source: str) -> set[str]:
    """Return the set of nodes reachable from ``source`` along ``edges``."""
    seen, frontier = {source}, [source]
    while frontier:
        for t in edges[frontier.pop()] - seen:
            seen.add(t)
            frontier.append(t)
    return seen


# --------------------------------------------------------------------------------------
# The default language. Weights are relative within a group; group probabilities sum to 1.

END = ".\n"  # a sentence ends with a period and a newline: one sentence per line

DETERMINERS = (  # (word, weight, number of the noun it takes)
    ("the", 8, "any"), ("a", 4, "sg"), ("my", 2, "any"), ("some", 2, "pl"),
    ("two", 1.5, "pl"), ("this", 1.5, "sg"), ("every", 1, "sg"), ("these", 1, "pl"),
)
NOUNS = (  # (singular, plural, weight); all start with a consonant, so "a" never needs "an"
    ("cat", "cats", 4), ("dog", "dogs", 3), ("bird", "birds", 3), ("child", "children", 2),
    ("farmer", "farmers", 2), ("horse", "horses", 2), ("fox", "foxes", 2), ("mouse", "mice", 2),
)
ADJECTIVES = (
    ("small", 4), ("big", 3), ("black", 2), ("happy", 2),
    ("lazy", 2), ("clever", 1), ("young", 1), ("brown", 1),
)
INTRANSITIVE_VERBS = (  # (singular, plural, weight)
    ("sleeps", "sleep", 4), ("runs", "run", 3), ("sings", "sing", 2),
    ("waits", "wait", 2), ("laughs", "laugh", 2), ("jumps", "jump", 1.5),
)
TRANSITIVE_VERBS = (
    ("sees", "see", 4), ("likes", "like", 3), ("chases", "chase", 2),
    ("finds", "find", 2), ("follows", "follow", 1.5),
)
PREPOSITIONS = (("in", 4), ("near", 3), ("behind", 2), ("by", 1.5))
PLACE_DETERMINERS = (("the", 6), ("a", 2), ("my", 1), ("this", 1))
PLACES = (("garden", 3), ("park", 2), ("house", 2), ("river", 2), ("barn", 1.5), ("forest", 1.5))
CONJUNCTIONS = (("and", 7), ("but", 3))


def _group(p: float, items: list[tuple[str, float, str]]) -> list[Transition]:
    """Give a group of ``(token, weight, next_state)`` total probability ``p``, split by weight."""
    total = math.fsum(w for _, w, _ in items)
    return [(token, p * w / total, next_state) for token, w, next_state in items]


def _determiners(capitalise: bool, role: str) -> tuple[Transition, ...]:
    """Determiners starting a noun phrase in ``role`` ("subject" or "object")."""
    return tuple(_group(1.0, [
        ((word.capitalize() if capitalise else word) + " ", w, f"{role}/{number}")
        for word, w, number in DETERMINERS
    ]))


def _subject(number: str) -> tuple[Transition, ...]:
    """After a subject determiner: adjectives (self-loop), then a noun agreeing with the verb."""
    adjectives = _group(0.25, [(a + " ", w, f"subject/{number}") for a, w in ADJECTIVES])
    sg = [(s + " ", w, "verb/sg") for s, _, w in NOUNS]
    pl = [(p + " ", w, "verb/pl") for _, p, w in NOUNS]
    nouns = {"sg": _group(0.75, sg), "pl": _group(0.75, pl),
             "any": _group(0.45, sg) + _group(0.30, pl)}[number]
    return tuple(adjectives + nouns)


def _verb(number: str) -> tuple[Transition, ...]:
    """A verb agreeing in ``number``: intransitive (ends the clause) or transitive."""
    i = 0 if number == "sg" else 1
    endings = ((END, 0.55, "sentence"), (" ", 0.25, "preposition"), (", ", 0.20, "conjunction"))
    intransitive = [
        (v[i] + sep, v[2] * q, nxt) for v in INTRANSITIVE_VERBS for sep, q, nxt in endings
    ]
    transitive = [(v[i] + " ", v[2], "object") for v in TRANSITIVE_VERBS]
    return tuple(_group(0.5, intransitive) + _group(0.5, transitive))


def _object(number: str) -> tuple[Transition, ...]:
    """After an object determiner: adjectives (self-loop), then a noun ending the clause."""
    adjectives = _group(0.2, [(a + " ", w, f"object/{number}") for a, w in ADJECTIVES])
    endings = ((END, 0.65, "sentence"), (" ", 0.35, "preposition"))
    sg = [(s + sep, w * q, nxt) for s, _, w in NOUNS for sep, q, nxt in endings]
    pl = [(p + sep, w * q, nxt) for _, p, w in NOUNS for sep, q, nxt in endings]
    nouns = {"sg": _group(0.8, sg), "pl": _group(0.8, pl),
             "any": _group(0.5, sg) + _group(0.3, pl)}[number]
    return tuple(adjectives + nouns)


def _default_states() -> dict[str, tuple[Transition, ...]]:
    """Build the states of ``DEFAULT_GRAMMAR`` from the word lists above."""
    place_endings = ((END, 0.75, "sentence"), (", ", 0.25, "conjunction"))
    return {
        "sentence": _determiners(capitalise=True, role="subject"),
        "subject/any": _subject("any"),
        "subject/sg": _subject("sg"),
        "subject/pl": _subject("pl"),
        "verb/sg": _verb("sg"),
        "verb/pl": _verb("pl"),
        "object": _determiners(capitalise=False, role="object"),
        "object/any": _object("any"),
        "object/sg": _object("sg"),
        "object/pl": _object("pl"),
        "preposition": tuple(_group(1.0, [(w + " ", q, "place/det") for w, q in PREPOSITIONS])),
        "place/det": tuple(_group(1.0, [(w + " ", q, "place") for w, q in PLACE_DETERMINERS])),
        "place": tuple(_group(1.0, [
            (w + sep, q * r, nxt) for w, q in PLACES for sep, r, nxt in place_endings
        ])),
        "conjunction": tuple(_group(1.0, [(w + " ", q, "clause") for w, q in CONJUNCTIONS])),
        "clause": _determiners(capitalise=False, role="subject"),
    }


DEFAULT_GRAMMAR = Grammar(states=_default_states(), start="sentence")
CORPUS_SEED = 2026
CORPUS_CHARS = 300_000
