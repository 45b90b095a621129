"""Class transitions between periods (``giddy.markov.Markov``)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
from giddy.markov import Markov

__all__ = ["transition_matrix"]


def transition_matrix(labels: pd.DataFrame, order: list[str]) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
    """Counts and probabilities of moving between classes from one period to the next.

    Parameters
    ----------
    labels : pandas.DataFrame
        Units × periods of class labels (columns in time order).
    order : list of str
        All classes, in the order rows/columns should appear.

    Returns
    -------
    counts, probabilities : pandas.DataFrame
        Indexed by "from" class, columns "to" class.

    Examples
    --------
    >>> lab = pd.DataFrame({"t1": ["a", "a", "b"], "t2": ["a", "b", "b"]})
    >>> transition_matrix(lab, ["a", "b"])[0].to_numpy().tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    code = {c: i for i, c in enumerate(order)}
    arr = np.vectorize(code.__getitem__)(labels.to_numpy())
    with contextlib.redirect_stdout(io.StringIO()):  # giddy prints chain diagnostics
        m = Markov(arr, classes=np.arange(len(order)))
    counts = pd.DataFrame(np.asarray(m.transitions, dtype=float), index=order, columns=order)
    with np.errstate(invalid="ignore", divide="ignore"):
        probs = counts.div(counts.sum(axis=1), axis=0).fillna(0.0)
    return counts, probs
