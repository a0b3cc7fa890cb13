"""Reference metrics from scikit-learn and SciPy for leadscore's metric parity test.

Usage: python3 sklearn_metrics.py SCORES.csv
SCORES.csv: header `label,probability`, label 0/1. Prints JSON.
"""
import json
import sys

import numpy as np
from scipy.stats import ks_2samp
from sklearn.calibration import calibration_curve
from sklearn.metrics import (average_precision_score, brier_score_loss,
                             log_loss, roc_auc_score)

data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
y, p = data[:, 0], data[:, 1]
prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
print(json.dumps({
    "roc_auc": roc_auc_score(y, p),
    "average_precision": average_precision_score(y, p),
    "log_loss": log_loss(y, p),
    "brier": brier_score_loss(y, p),
    "calibration_true": prob_true.tolist(),
    "calibration_pred": prob_pred.tolist(),
    "ks": ks_2samp(p[y == 1], p[y == 0]).statistic,
}))
