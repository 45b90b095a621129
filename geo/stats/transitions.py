"""Class transitions between consecutive periods (a first-order Markov transition matrix).

The counts are those of ``giddy.markov.Markov(...).transitions``; giddy itself is not
imported because its module imports quantecon, whose ``guvectorize(cache=True)``
kernels poison numba's on-disk cache (numba#10128: a gufunc's kernel and wrapper are
cached under process-dependent symbol names, and a kernel written by one process with
a wrapper written by another aborts every later import with ``LLVM ERROR: Symbol not
found``). Counting pairs needs none of that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import ValidationError

__all__ = ["TransitionResult", "transition_matrix"]


@dataclass
class TransitionResult:
    """Transitions between classes from one period to the next.

    Attributes
    ----------
    counts : pandas.DataFrame
        Rows = class in a period ("from"), columns = class in the next period ("to"):
        how many unit-period pairs made that move, summed over all consecutive periods.
    probabilities : pandas.DataFrame
        ``counts`` divided by its row sums: the share of units in the "from" class that
        were in each "to" class one period later. A row is NaN when no unit was ever in
        that class before a period with a label (no information, not probability 0).
    n_transitions : int
        Pairs counted; pairs where either label is missing are left out.
    """

    counts: pd.DataFrame
    probabilities: pd.DataFrame
    n_transitions: int


def transition_matrix(labels: pd.DataFrame,
                      order: Sequence[str] | None = None) -> TransitionResult:
    """Counts and probabilities of moving between classes from one period to the next.

    Each unit's consecutive pair of labels (period t, period t+1) counts once; a pair
    where either label is missing (NaN/None) is not counted.

    Parameters
    ----------
    labels : pandas.DataFrame
        Units × periods of class labels (columns in time order, at least 2).
    order : sequence of str, optional
        Every class, in the order rows and columns should appear (classes that never
        occur get zero rows). Default: the labels present, sorted.

    Returns
    -------
    TransitionResult

    Raises
    ------
    geo.errors.ValidationError
        A label is not in ``order``.

    Examples
    --------
    >>> lab = pd.DataFrame({"t1": ["hot", "hot", "none"], "t2": ["hot", "none", "none"],
    ...                     "t3": ["none", "none", None]})
    >>> r = transition_matrix(lab, ["hot", "none"])
    >>> r.counts.to_numpy().tolist(), r.n_transitions
    ([[1, 2], [0, 2]], 5)
    >>> r.probabilities.loc["hot"].tolist()
    [0.3333333333333333, 0.6666666666666666]
    """
    if labels.shape[1] < 2:
        raise ValueError("transitions need at least 2 periods")
    present = labels.stack().dropna().unique().tolist()
    classes = list(order) if order is not None else sorted(map(str, present))
    unknown = sorted({str(v) for v in present} - {str(c) for c in classes})
    if unknown:
        raise ValidationError(f"Nhãn không có trong danh sách lớp: {', '.join(unknown)}.",
                              f"Labels not in the list of classes: {', '.join(unknown)}.")
    k = len(classes)
    code = {str(c): i for i, c in enumerate(classes)}
    arr = np.array([[k if pd.isna(v) else code[str(v)] for v in row]
                    for row in labels.itertuples(index=False)], dtype=int).reshape(len(labels), -1)
    src, dst = arr[:, :-1].ravel(), arr[:, 1:].ravel()
    keep = (src < k) & (dst < k)
    t = np.zeros((k, k), dtype=int)
    np.add.at(t, (src[keep], dst[keep]), 1)
    counts = pd.DataFrame(t, index=pd.Index(classes, name="from"),
                          columns=pd.Index(classes, name="to"))
    rows = counts.sum(axis=1)
    probs = counts.div(rows.where(rows > 0), axis=0)
    return TransitionResult(counts, probs, int(t.sum()))
