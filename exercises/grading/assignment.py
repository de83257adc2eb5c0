"""Maximum-weight bipartite assignment (the Hungarian method, O(n^3)), no third-party code.

Used to pair answer lines with key lines so the student always gets the most favourable
reading of their answer, whatever order they typed it in.
"""

from __future__ import annotations

from typing import Sequence


def max_weight_assignment(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Return (row, column) pairs that maximise the total weight; pairs of weight <= 0 are dropped.

    ``weights`` is a rectangular rows x columns matrix of non-negative numbers.
    """
    n_rows = len(weights)
    if n_rows == 0:
        return []
    n_cols = len(weights[0])
    if n_cols == 0:
        return []
    transposed = n_rows > n_cols
    if transposed:
        weights = [list(col) for col in zip(*weights)]
        n_rows, n_cols = n_cols, n_rows
    # Minimise cost = -weight with the classic potentials formulation (rows <= columns), 1-indexed.
    inf = float("inf")
    u = [0.0] * (n_rows + 1)
    v = [0.0] * (n_cols + 1)
    match_col = [0] * (n_cols + 1)  # match_col[j] = row matched to column j
    way = [0] * (n_cols + 1)
    for i in range(1, n_rows + 1):
        match_col[0] = i
        j0 = 0
        minv = [inf] * (n_cols + 1)
        used = [False] * (n_cols + 1)
        row_weights = None
        while True:
            used[j0] = True
            i0 = match_col[j0]
            row_weights = weights[i0 - 1]
            delta = inf
            j1 = 0
            ui0 = u[i0]
            for j in range(1, n_cols + 1):
                if not used[j]:
                    cur = -row_weights[j - 1] - ui0 - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(n_cols + 1):
                if used[j]:
                    u[match_col[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match_col[j0] == 0:
                break
        while True:
            j1 = way[j0]
            match_col[j0] = match_col[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs: list[tuple[int, int]] = []
    for j in range(1, n_cols + 1):
        i = match_col[j]
        if i and weights[i - 1][j - 1] > 0:
            pairs.append((j - 1, i - 1) if transposed else (i - 1, j - 1))
    pairs.sort()
    return pairs
