"""DeLong's paired test, computed independently of leadscore with NumPy (and
SciPy's normal tail) for the parity test in tests/it/compare.rs.

The placement values come from the pairwise kernel psi(x, y) = 1 if x > y,
1/2 if x == y, 0 otherwise (DeLong, DeLong & Clarke-Pearson 1988, eq. 1-4),
evaluated with broadcasting over all positive x negative pairs: a different
route from leadscore's midranks (Sun & Xu 2014), so agreement checks both.

Input: a CSV with columns label (0/1), a, b (the two models' probabilities).
Output (stdout): JSON with auc_a, auc_b, variance, z, p_value.
"""
import json
import sys

import numpy as np
from scipy.stats import norm


def placements(pos, neg):
    kernel = (pos[:, None] > neg[None, :]).astype(float) + 0.5 * (pos[:, None] == neg[None, :])
    return kernel.mean(axis=1), kernel.mean(axis=0), kernel.mean()


def main(path):
    data = np.genfromtxt(path, delimiter=",", names=True)
    y = data["label"].astype(bool)
    v10, v01, aucs = [], [], []
    for column in ("a", "b"):
        s = data[column]
        x, z, auc = placements(s[y], s[~y])
        v10.append(x)
        v01.append(z)
        aucs.append(auc)
    m, n = y.sum(), (~y).sum()
    s10 = np.cov(np.vstack(v10))  # ddof 1
    s01 = np.cov(np.vstack(v01))
    s = s10 / m + s01 / n
    contrast = np.array([-1.0, 1.0])
    variance = float(contrast @ s @ contrast)
    difference = aucs[1] - aucs[0]
    z = difference / np.sqrt(variance)
    json.dump(
        {
            "auc_a": float(aucs[0]),
            "auc_b": float(aucs[1]),
            "variance": variance,
            "z": float(z),
            "p_value": float(2 * norm.sf(abs(z))),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
