"""The classifier names the ranking model accepts (kept apart so the CLI can list
them without importing scikit-learn)."""

CLASSIFIERS = ("lr", "ens", "sgd", "nb", "cnb", "svm")
