"""The pandas + scikit-learn equivalent of `leadscore train`, for the
comparison harness (benches/compare/train.sh).

Same input file, same column treatment (read from the leadscore model's schema
and encoder, as an analyst would hand-code it: median imputation with missing
indicators, log1p where leadscore chose it, standardisation, quantile bins of the
same count one-hot where leadscore binned, one-hot with rare levels grouped,
yes/no as 0/1), same time split (newest 20% by the date column held
out), and LogisticRegressionCV over the same penalties (C = 1/alpha), 5
stratified folds, log loss, refit on the whole training part.

Usage: python3 sklearn_train.py DATA.csv LEADSCORE_MODEL.json
Prints one JSON object: holdout ROC AUC, rows, seconds per phase.
"""

import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, KBinsDiscretizer, OneHotEncoder, StandardScaler

YES = {"yes", "y", "true", "t", "1"}
ALPHAS = [1e4, 1e3, 1e2, 1e1, 1.0, 1e-1, 1e-2]


def main(data_path, model_path):
    started = time.perf_counter()
    model = json.load(open(model_path))
    schema = model["schema"]
    df = pd.read_csv(data_path)
    read_s = time.perf_counter() - started

    y = df[schema["label"]].astype(str).str.strip().str.lower() == schema["positive"].lower()
    dates = pd.to_datetime(df[schema["date"]])
    order = np.argsort(dates.values, kind="stable")
    n_holdout = int(round(len(df) * 0.2))
    train_idx, holdout_idx = np.sort(order[: len(df) - n_holdout]), np.sort(order[len(df) - n_holdout :])

    numeric, logged, booleans, categorical, binned = [], [], [], [], {}
    # The representation in use is the encoder's (a feature spec's transform is null
    # when training chose it, format 7).
    encoders = {e["name"]: e for e in model["encoder"]["features"]}
    for f in schema["features"]:
        name = f["name"]
        if f["kind"] == "numeric":
            transform = encoders[name].get("transform") or f.get("transform")
            if transform in ("bins", "monotone_bins"):
                binned[name] = len(encoders[name]["bins"]["edges"]) + 1
            else:
                (logged if transform == "log1p" else numeric).append(name)
        elif f["kind"] == "boolean":
            booleans.append(name)
            df[name] = df[name].map(
                lambda v: np.nan if pd.isna(v) else float(str(v).strip().lower() in YES)
            )
        else:
            categorical.append(name)
            df[name] = df[name].fillna("(missing)").astype(str)
    min_frequency = min((f["min_frequency"] for f in schema["features"] if f["kind"] == "categorical"), default=20)
    encode = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            (
                "log1p",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True),
                    FunctionTransformer(np.log1p),
                    StandardScaler(),
                ),
                logged,
            ),
            ("yes_no", SimpleImputer(strategy="most_frequent", add_indicator=True), booleans),
        ]
        + [
            (
                f"bins_{name}",
                make_pipeline(
                    SimpleImputer(strategy="median"),
                    KBinsDiscretizer(n_bins=bins, encode="onehot", strategy="quantile"),
                ),
                [name],
            )
            for name, bins in binned.items()
        ]
        + [
            (
                "categorical",
                OneHotEncoder(min_frequency=min_frequency, handle_unknown="infrequent_if_exist", max_categories=101),
                categorical,
            ),
        ]
    )
    t0 = time.perf_counter()
    x_train = encode.fit_transform(df.iloc[train_idx])
    x_holdout = encode.transform(df.iloc[holdout_idx])
    encode_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    fit = LogisticRegressionCV(
        Cs=[1.0 / a for a in ALPHAS],
        cv=StratifiedKFold(5, shuffle=True, random_state=42),
        scoring="neg_log_loss",
        solver="lbfgs",
        max_iter=1000,
        refit=True,
        n_jobs=-1,
    ).fit(x_train, y.values[train_idx])
    fit_s = time.perf_counter() - t0
    p = fit.predict_proba(x_holdout)[:, list(fit.classes_).index(True)]
    print(
        json.dumps(
            {
                "holdout_roc_auc": roc_auc_score(y.values[holdout_idx], p),
                "rows": len(df),
                "terms": x_train.shape[1],
                "chosen_C": float(fit.C_[0]),
                "read_s": read_s,
                "encode_s": encode_s,
                "fit_s": fit_s,
                "in_script_s": time.perf_counter() - started,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
