"""Holdout ROC AUC of leadscore against pandas + scikit-learn on the real datasets.

    python3 benches/compare/quality.py [DATASETS_DIR]     # default: ../shared/datasets

For each dataset: a stratified 20% test split (seed 42; these files have no date to split
by) written to CSV, then
  - ours: `leadscore train` on the 80% (which holds out its own 20% for the cut-offs) and
    `leadscore evaluate --json` on the test split;
  - the logistic reference: LogisticRegressionCV over leadscore's 7 penalties (C = 1/alpha),
    5 stratified folds, log loss, on median imputation + missing indicators + standardised
    numbers and one-hot categories (min_frequency 20), fitted on the whole 80%;
  - HistGradientBoostingClassifier with default settings (categories as categorical features);
  - the same with interaction_cst="no_interactions": boosting restricted to a sum of one-feature
    effects, the most any additive scorecard (leadscore's model: points per feature, added up)
    could reach on the split, so the gap to full boosting that is due to interactions shows.
Prints one table row per dataset. Needs pandas and scikit-learn (installed if missing) and a
release build of leadscore (LEADSCORE_BIN, else the cargo target folder).
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[2]
try:
    import pandas as pd
    import sklearn  # noqa: F401
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--root-user-action=ignore", "pandas", "scikit-learn>=1.5"], check=True)
    import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATASETS = [
    ("bank-full", "bank_marketing/bank-full.csv", ";", "y", "yes", ["duration"]),
    ("bank-additional-full", "bank_marketing/bank-additional-full.csv", ";", "y", "yes", ["duration"]),
    ("online_shoppers_intention", "online_shoppers_intention/online_shoppers_intention.csv", ",",
     "Revenue", "TRUE", []),
]
ALPHAS = [1e4, 1e3, 1e2, 10, 1, 0.1, 0.01]


def leadscore_bin():
    if os.environ.get("LEADSCORE_BIN"):
        return os.environ["LEADSCORE_BIN"]
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "leadscore"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(pathlib.Path(target) / "release" / "leadscore")


def main():
    warnings.filterwarnings("ignore", category=FutureWarning)
    datasets = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets")
    binary = leadscore_bin()
    print("| dataset | leadscore | LogisticRegressionCV | HistGradientBoosting | additive boosting "
          "| ours − logistic | ours − boosting | ours − additive |")
    print("|---|---|---|---|---|---|---|---|")
    for name, file, sep, label, positive, exclude in DATASETS:
        df = pd.read_csv(datasets / file, sep=sep, dtype=str, keep_default_na=False)
        y = (df[label].str.strip().str.lower() == positive.lower()).to_numpy()
        train, test = train_test_split(df, test_size=0.2, stratify=y, random_state=42)
        with tempfile.TemporaryDirectory() as work:
            work = pathlib.Path(work)
            train.to_csv(work / "train.csv", index=False)
            test.to_csv(work / "test.csv", index=False)
            args = [binary, "train", "--data", str(work / "train.csv"), "--label", label,
                    "--positive", positive, "--out", str(work / "m.json")]
            for column in exclude:
                args += ["--exclude", column]
            subprocess.run(args, check=True, capture_output=True)
            out = subprocess.run([binary, "evaluate", "--model", str(work / "m.json"), "--data",
                                  str(work / "test.csv"), "--json"], check=True, capture_output=True)
            ours = json.loads(out.stdout)["metrics"]["roc_auc"]
        features = [c for c in df.columns if c != label and c not in exclude]
        numeric = [c for c in features if pd.to_numeric(df[c], errors="coerce").notna().all()]
        categorical = [c for c in features if c not in numeric]
        x_train, x_test = train[features].copy(), test[features].copy()
        for frame in (x_train, x_test):
            frame[numeric] = frame[numeric].apply(pd.to_numeric)
        y_train = (train[label].str.lower() == positive.lower()).to_numpy()
        y_test = (test[label].str.lower() == positive.lower()).to_numpy()
        prep = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20), categorical),
        ])
        logistic = make_pipeline(prep, LogisticRegressionCV(
            Cs=[1 / a for a in ALPHAS], cv=StratifiedKFold(5, shuffle=True, random_state=42),
            scoring="neg_log_loss", max_iter=2000, n_jobs=-1))
        logistic.fit(x_train, y_train)
        reference = roc_auc_score(y_test, logistic.predict_proba(x_test)[:, 1])
        for frame in (x_train, x_test):
            for c in categorical:
                frame[c] = pd.Categorical(frame[c], categories=sorted(df[c].unique()))
        boosting = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=42)
        boosting.fit(x_train, y_train)
        gbm = roc_auc_score(y_test, boosting.predict_proba(x_test)[:, 1])
        additive = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=42,
                                                  interaction_cst="no_interactions")
        additive.fit(x_train, y_train)
        gam = roc_auc_score(y_test, additive.predict_proba(x_test)[:, 1])
        print(f"| {name} | {ours:.4f} | {reference:.4f} | {gbm:.4f} | {gam:.4f} | {ours - reference:+.4f} "
              f"| {ours - gbm:+.4f} | {ours - gam:+.4f} |", flush=True)


if __name__ == "__main__":
    main()
