"""Fit scikit-learn's LogisticRegression on the design matrix leadscore built.

Usage: python3 sklearn_parity.py TRAIN.csv HOLDOUT.csv C
Each CSV: first column the label (0/1), then the encoded terms, no header.
Prints JSON: coefficients, intercept, holdout ROC AUC, scikit-learn version.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

train = np.loadtxt(sys.argv[1], delimiter=",")
holdout = np.loadtxt(sys.argv[2], delimiter=",")
C = float(sys.argv[3])
model = LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=100_000)
model.fit(train[:, 1:], train[:, 0])
p = model.predict_proba(holdout[:, 1:])[:, 1]
print(json.dumps({
    "sklearn_version": sklearn.__version__,
    "coef": model.coef_[0].tolist(),
    "intercept": float(model.intercept_[0]),
    "holdout_auc": float(roc_auc_score(holdout[:, 0], p)),
    "n_iter": int(model.n_iter_[0]),
}))
