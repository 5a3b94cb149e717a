"""The relevance model behind "most relevant first".

Design, and why:

* Features are TF-IDF over title + abstract + keywords, computed **once per
  record set** when the :class:`Ranker` is built. Only the classifier is refit
  as decisions arrive, which keeps a refit in the tens of milliseconds even on
  thousands of records, so it can run in a background thread between records.
* The classifier is refit from scratch on the labelled rows (they are few, so
  this is cheap and avoids the order-dependence of incremental updates).
* The default model (``classifier="ens"``; docs/ranking-experiments.md, fourth
  and seventh rounds) ranks each record by the mean of two members' ranks:
  logistic regression (class weights) on sublinear TF-IDF 1-2-grams, and
  logistic regression (class weights) on 40-dimensional Doc2Vec (PV-DBOW)
  embeddings learnt from the record set itself when the features are built
  (no pretrained model). A record both members rate well comes before one
  that only one member puts first: ranking each record by its better member
  (``ens_combine="max"``, the earlier default) spent half the late screens on
  the weaker member's favourites. The mean is weighted by what the labels so
  far say about this record set (``ens_weights="cv"``: each member's
  cross-validated ranking of the labelled records, equal weights unless the
  difference exceeds its standard error; tenth round): Doc2Vec is the weak
  member on some sets and carries the pair on others, so no fixed weighting
  suits both. No stop-word list, at any size:
  sklearn's English list drops words that carry a review's topic or design
  ("system", "not", "no", "without", "first", "three"). Other
  members (``ens_members``): multinomial naive Bayes (alpha 1, ASReview's
  "double" resampling) on hashed plain TF-IDF 1-3-grams (the third round's
  default, with "lr"), a linear SVM on the TF-IDF view, and ASReview LAB 3's
  default model ("asvm": its TF-IDF, SVM and sample weights, for comparison).
* Chinese text: runs of CJK ideographs are split into overlapping character
  pairs before any view is built (:mod:`reviewflow.ranking.cjk`); a Chinese
  clause has no spaces, and as one token it would match no other record.
* Class imbalance (typically 1-5% relevant) is handled by class weights
  (logistic regression, SVM) and by resampling (naive Bayes).
* Cold start: with known-relevant records but no exclusions yet, a random
  sample of unscreened records stands in as presumed irrelevant (as in
  Cormack & Grossman's continuous active learning), so a team can seed the
  ranking from a few records it already knows belong in the review. With no
  relevant decision at all there is nothing to learn from: ``order`` keeps the
  caller's order.

Why this default: replaying screening on the labelled sets in
``shared/corpus/screening`` (``bench/bench_ranking.py``,
``bench/bench_asreview3.py``), logistic regression on TF-IDF and Doc2Vec fail
on different sets (TF-IDF regression finds the last relevant records of
Kitchenham and Nagtegaal late; the embeddings are weak on the short Cohen drug
reviews), so an ensemble of the two gains over either alone. Members and
their combination were chosen for every set at once, never tuned on one. Differences under about two
WSS points are within the spread of random starts. The measurements (five
rounds, with what was tried and rejected, and how to re-run them) are in
``docs/ranking-experiments.md``; the comparison with ASReview LAB 3 itself is
``bench/bench_asreview3.py`` (``docs/asreview3-comparison.md``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from reviewflow.ranking.cjk import segment as segment_cjk
from reviewflow.ranking.classifiers import CLASSIFIERS

BALANCES = ("weights", "double", "none")


@dataclass(frozen=True)
class RankerConfig:
    """Tunable knobs; the defaults are the measured best (docs/ranking-experiments.md)."""

    classifier: str = "ens"
    ngram_max: int = 2
    min_df: int = 2
    max_features: int | None = 200_000
    c: float = 10.0
    nb_alpha: float = 3.822
    sgd_alpha: float = 1e-4
    pseudo_negatives: int = 100
    always_pseudo_negatives: bool = False
    sublinear_tf: bool = True
    char_ngrams: bool = False
    stop_words: str | None = None
    ens_combine: str = "mean"
    ens_members: tuple[str, ...] = ("lr", "d2v")
    ens_weights: str = "cv"
    ens_cv_folds: int = 5
    ens_cv_rule: str = "paired"
    ens_svm_c: float = 0.1
    asvm_c: float = 0.11
    asvm_ratio: float = 9.8
    d2v_dim: int = 40
    d2v_epochs: int = 20
    d2v_dbow_words: bool = False
    d2v_min_token_passes: int = 1_000_000
    d2v_c: float = 1.0
    d2v_max_records: int = 20_000
    ens_nb_alpha: float = 1.0
    ens_nb_balance: str = "double"
    strip_accents: str | None = "unicode"
    cjk: str = "bigrams"
    balanced: bool = True
    balance: str = "weights"
    double_params: tuple[float, float, float, float] = (2.155, 0.94, 0.789, 1.0)
    seed: int = 0


ENS_MEMBERS = ("lr", "nb", "svm", "d2v", "asvm")
ENS_COMBINE = ("zsum", "max", "mean", "rrf")
# how the "mean" combination weighs its members: equally, or by cross-validation on the
# labelled records (``Ranker._cv_weights``)
ENS_WEIGHTS = ("equal", "cv")
# which weighting "cv" keeps: the nearest to equal weights within one standard error of
# the best AUC, that error taken for the paired difference (DeLong et al. 1988, "paired")
# or for the best AUC alone (Hanley & McNeil 1982, "unpaired"); or the best ("best")
ENS_CV_RULES = ("paired", "unpaired", "best")
# the weights "cv" chooses among: every share of the members in steps of a tenth
CV_WEIGHT_STEPS = 10
# reciprocal rank fusion's constant, as published (Cormack, Clarke & Buettcher 2009)
RRF_K = 60


def for_size(config: RankerConfig, n_records: int) -> RankerConfig:
    """``config`` as used on ``n_records`` records: Doc2Vec only up to ``d2v_max_records``.

    Training the embeddings costs about 3.7 s of CPU per 1,000 abstracts (374 s
    at 100,000, against 73 s for the TF-IDF and naive Bayes views), and the
    screen ranks nothing until the features exist; above the cap the ensemble
    reads naive Bayes in Doc2Vec's place, combined by the better member's rank
    (the third round's default, within 2.5 points on average over the nine
    labelled sets; with naive Bayes the mean rank was measured worse there).
    The TF-IDF view is the same at every size (no stop-word list unless one was
    chosen): without sklearn's list it took 1.23 times the CPU and 0.19 GB more
    peak memory at 100,000 abstracts (docs/ranking-experiments.md, eighth round).
    """
    if "d2v" in config.ens_members and n_records > config.d2v_max_records:
        members = tuple(dict.fromkeys("nb" if m == "d2v" else m for m in config.ens_members))
        return replace(config, ens_members=members, ens_combine="max")
    return config

# What a Ranker reads: one TF-IDF matrix, or for the "ens" classifier one view per
# kind of member, each built the way that member ranks best (None where no member
# reads it): TF-IDF for logistic regression / SVM, naive Bayes' hashed 1-3-grams,
# dense Doc2Vec embeddings, and ASReview 3's TF-IDF for its SVM ("asvm").
Features = (
    sparse.csr_matrix
    | tuple[
        sparse.csr_matrix | None, sparse.csr_matrix | None, np.ndarray | None,
        sparse.csr_matrix | None,
    ]
)


def build_features(texts: Sequence[str], config: RankerConfig) -> Features:
    """TF-IDF features, one row per text (fitted on the whole record set).

    For ``classifier="ens"`` a pair: ``config``'s matrix for logistic regression
    and, for naive Bayes, word 1-3-grams with plain tf and no stop words (what
    ASReview's NB reads; it ranks clearly better on Kitchenham and Nagtegaal
    than NB on the logistic regression's sublinear, stop-word-free bigrams).
    """
    texts = segment_cjk(texts, config.cjk)  # Chinese runs into units; others unchanged
    if config.classifier == "ens":
        config = for_size(config, len(texts))  # the views the Ranker will read
        members = set(config.ens_members)
        return (
            _tfidf(texts, config) if members & {"lr", "svm"} else None,
            _nb_view(texts, config) if "nb" in members else None,
            doc2vec_view(texts, config) if "d2v" in members else None,
            asreview_view(texts, config) if "asvm" in members else None,
        )
    return _tfidf(texts, config)


def doc2vec_view(texts: Sequence[str], config: RankerConfig) -> np.ndarray:
    """Doc2Vec (PV-DBOW) embeddings learnt from the record set itself, l2-normed rows.

    Trained once per record set like the TF-IDF build, from the texts alone (no
    pretrained model to download), with a fixed seed and one worker so that the
    same records give the same vectors. A small or title-only record set gets
    more passes (at least ``d2v_min_token_passes`` tokens in all, about a
    second): 20 passes over a few thousand tokens leave the vectors near their
    random start, and a max-rank ensemble would put that noise at the top.
    Word vectors trained alongside (``d2v_dbow_words``) stay off: they cost
    about five times the training and were not better on every set
    (docs/ranking-experiments.md, ninth round).
    """
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument  # heavy import, only here
    from sklearn.feature_extraction.text import CountVectorizer

    tokenize = CountVectorizer(strip_accents=config.strip_accents).build_analyzer()
    # interned tokens: one string object per distinct word, not one per occurrence
    # (100,000 abstracts hold ~20 million tokens)
    docs = [TaggedDocument([sys.intern(w) for w in tokenize(t)], [i]) for i, t in enumerate(texts)]
    n_tokens = max(1, sum(len(d.words) for d in docs))
    epochs = max(config.d2v_epochs, -(-config.d2v_min_token_passes // n_tokens))
    model = Doc2Vec(
        docs, vector_size=config.d2v_dim, epochs=min(epochs, 1000), dm=0,
        dbow_words=int(config.d2v_dbow_words),
        min_count=2, window=5, workers=1, seed=config.seed,
    )
    vectors = np.vstack([model.dv[i] for i in range(len(texts))]).astype(np.float32)
    return normalize(vectors)


def asreview_view(texts: Sequence[str], config: RankerConfig) -> sparse.csr_matrix:
    """ASReview LAB 3's default features (``elas_u4``): TF-IDF 1-2-grams, sublinear tf,
    every term in at most 95% of the records, no stop words, no minimum count."""
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_df=0.95,
        strip_accents=config.strip_accents, dtype=np.float32,
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # every text empty, or every term in over 95% of them
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _nb_view(texts: Sequence[str], config: RankerConfig) -> sparse.csr_matrix:
    """Word 1-3-grams, plain tf-idf, no stop words, hashed into 2**21 columns.

    Hashing keeps memory bounded by the text itself: a vocabulary of every
    3-gram of 100,000 abstracts (tens of millions of strings) would not fit
    a background process, and naive Bayes needs no column names.
    """
    x = HashingVectorizer(
        ngram_range=(1, 3), n_features=2**21, alternate_sign=False, norm=None,
        strip_accents=config.strip_accents, dtype=np.float32,
    ).transform(texts).tocsr()
    # TfidfTransformer's defaults (smooth idf, l2 rows), in place: no float64 copy
    df = np.bincount(x.indices, minlength=x.shape[1])
    idf = (np.log((1 + x.shape[0]) / (1 + df)) + 1).astype(np.float32)
    x.data *= idf[x.indices]
    return normalize(x, copy=False)


def _tfidf(texts: Sequence[str], config: RankerConfig) -> sparse.csr_matrix:
    min_df = config.min_df if len(texts) >= 50 else 1
    vectorizer = TfidfVectorizer(
        sublinear_tf=config.sublinear_tf,
        ngram_range=(1, config.ngram_max),
        min_df=min_df,
        max_features=config.max_features,
        stop_words=config.stop_words,
        strip_accents=config.strip_accents,
        dtype=np.float32,
    )
    try:
        words = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # every text empty or stop words only
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    if not config.char_ngrams:
        return words
    chars = TfidfVectorizer(
        sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5), min_df=min_df,
        max_features=config.max_features, dtype=np.float32,
    ).fit_transform(texts)
    return sparse.hstack([words, chars]).tocsr() / np.float32(np.sqrt(2))


def _classifier(config: RankerConfig):  # noqa: ANN202 - sklearn estimators share no base type
    weighted = config.balanced and config.balance == "weights"
    if config.classifier == "lr":
        return LogisticRegression(
            C=config.c, class_weight="balanced" if weighted else None,
            solver="liblinear", dual=True,
            max_iter=5000,
        )
    if config.classifier == "sgd":
        return SGDClassifier(
            loss="log_loss", alpha=config.sgd_alpha,
            class_weight="balanced" if weighted else None,
            max_iter=30, tol=None, random_state=config.seed,
        )
    if config.classifier == "nb":
        return MultinomialNB(alpha=config.nb_alpha)
    if config.classifier == "cnb":
        return ComplementNB(alpha=config.nb_alpha)
    if config.classifier == "svm":
        return LinearSVC(C=config.c / 10, class_weight="balanced" if weighted else None)
    raise ValueError(f"unknown classifier {config.classifier!r}; choose from {CLASSIFIERS}")


def double_balance(
    idx: np.ndarray, y: np.ndarray, rng: np.random.Generator,
    a: float = 2.155, alpha: float = 0.94, b: float = 0.789, beta: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """ASReview's "double" resampling: same training size, relevant rows oversampled.

    The share of relevant rows grows as they get rarer (weight ``a*(n1/n0)^-alpha``)
    and irrelevant rows weigh less early on (``1-(1-b)*(1+ln n)^-beta``); rows are
    copied whole as often as fits, the remainder drawn without replacement. Same
    formula and defaults as ASReview 0.x ``DoubleBalance``, reimplemented.
    """
    ones, zeros = idx[y == 1], idx[y == 0]
    if ones.size == 0 or zeros.size == 0:
        return idx, y
    n = idx.size
    w1 = a * (ones.size / zeros.size) ** (-alpha)
    w0 = 1 - (1 - b) * (1 + np.log(n)) ** (-beta)
    share = w1 * ones.size * n / (w1 * ones.size + w0 * zeros.size)
    n1 = int(np.floor(share)) + int(rng.random() < share - np.floor(share))
    n1 = max(1, min(n - 2, n1))
    picked = np.concatenate([_fill(ones, n1, rng), _fill(zeros, n - n1, rng)])
    labels = np.concatenate([np.ones(n1, dtype=int), np.zeros(n - n1, dtype=int)])
    return picked, labels


def _fill(src: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    copies = n // src.size
    extra = rng.choice(src, size=n - copies * src.size, replace=False)
    return np.concatenate([np.tile(src, copies), extra])


def nb_log_odds_multinomial(
    x: sparse.csr_matrix, idx: np.ndarray, y: np.ndarray, weights: np.ndarray,
    alpha: float, row_sums: np.ndarray, n_features: int | None = None,
) -> np.ndarray:
    """Multinomial naive Bayes log-odds (relevant vs not) of every row of ``x``.

    The same model as sklearn's ``MultinomialNB(alpha).fit(x[idx], y, weights)``
    (up to the constant class prior, which does not change a ranking), computed
    without the dense per-class arrays over every column that sklearn builds at
    each fit: a column no training row uses has the same log-ratio ``-k``, so
    log-odds = ``x @ d - k * row_sums`` with ``d`` non-zero only on used columns.
    ``n_features`` is the vocabulary size in the smoothing (``alpha * n_features``
    in each class total): by default ``x``'s width; for a hashed matrix, pass the
    number of columns the record set uses, so that the model is the one an exact
    vocabulary would give rather than one smoothed over millions of empty buckets.
    """
    rows = x[idx].tocoo()
    w = weights[rows.row] * rows.data
    n_cols = x.shape[1]
    vocab = n_cols if n_features is None else n_features
    pos = y[rows.row] == 1
    fc1 = np.bincount(rows.col[pos], weights=w[pos], minlength=n_cols)
    fc0 = np.bincount(rows.col[~pos], weights=w[~pos], minlength=n_cols)
    k = np.log(fc1.sum() + alpha * vocab) - np.log(fc0.sum() + alpha * vocab)
    used = np.flatnonzero(fc1 + fc0)
    d = np.zeros(n_cols, dtype=np.float32)
    d[used] = np.log(fc1[used] + alpha) - np.log(fc0[used] + alpha)
    return np.asarray(x @ d).ravel() - k * row_sums


def _standardised(scores: np.ndarray) -> np.ndarray:
    """``scores`` as z-scores over every record of the set (all zero when they are all equal).

    The members' decision values live on different scales (a regression on
    sparse TF-IDF against one on dense 40-dimensional embeddings); centring and
    scaling each over the whole record set puts them on one before they are
    summed (z-score normalisation for score fusion: Montague & Aslam 2001).
    """
    sd = float(scores.std())
    return (scores - scores.mean()) / sd if sd > 0 else np.zeros_like(scores, dtype=float)


def _simplex(m: int, steps: int) -> np.ndarray:
    """Every weighting of ``m`` members in steps of ``1 / steps`` (rows summing to 1)."""
    from itertools import product

    rows = [c for c in product(range(steps + 1), repeat=m) if sum(c) == steps]
    return np.asarray(rows, dtype=float) / steps


def _placements(scores: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's placement values: for each relevant record the share of irrelevant ones
    scored below it, for each irrelevant one the share of relevant ones above it (ties
    half). The AUC is the mean of the first."""
    from scipy.stats import rankdata

    pos, neg = y == 1, y == 0
    n_pos, n_neg = int(pos.sum()), int(neg.sum())
    both, own_pos, own_neg = rankdata(scores), rankdata(scores[pos]), rankdata(scores[neg])
    return (both[pos] - own_pos) / n_neg, 1 - (both[neg] - own_neg) / n_pos


def _paired_se(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Standard error of the difference of two AUCs on the same records (DeLong et al. 1988)."""
    d10, d01 = a[0] - b[0], a[1] - b[1]
    if d10.size < 2 or d01.size < 2:
        return 0.0
    return float(np.sqrt(d10.var(ddof=1) / d10.size + d01.var(ddof=1) / d01.size))


def _auc_se(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUC (Hanley & McNeil 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc)
           + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    return float(np.sqrt(max(var, 0.0)))


def _balanced_weights(y: np.ndarray) -> np.ndarray:
    n_pos = max(int(y.sum()), 1)
    n_neg = max(int(y.size - y.sum()), 1)
    return np.where(y == 1, y.size / (2 * n_pos), y.size / (2 * n_neg))


class Ranker:
    """Ranks records of one record set by predicted relevance.

    ``Ranker(texts)`` computes the features once; ``fit(labels)`` (a mapping of
    record index -> 0/1) refits only the classifier and returns ``self``;
    ``order(unlabelled)`` returns those indices, most likely relevant first.
    A fit replaces the model in one attribute assignment, so a background
    thread may call ``fit`` while the UI thread keeps calling ``order`` on the
    previous model; use one fitting thread per ranker.
    """

    def __init__(
        self,
        texts: Sequence[str],
        config: RankerConfig | None = None,
        features: Features | None = None,
    ) -> None:
        self.config = for_size(config or RankerConfig(), len(texts))
        if self.config.classifier not in CLASSIFIERS:
            raise ValueError(
                f"unknown classifier {self.config.classifier!r}; choose from {CLASSIFIERS}"
            )
        unknown = set(self.config.ens_members) - set(ENS_MEMBERS)
        if unknown or not self.config.ens_members:
            raise ValueError(f"ens_members must be some of {ENS_MEMBERS}")
        if self.config.ens_combine not in ENS_COMBINE:
            raise ValueError(f"unknown ens_combine {self.config.ens_combine!r}")
        if self.config.ens_weights not in ENS_WEIGHTS:
            raise ValueError(f"unknown ens_weights {self.config.ens_weights!r}")
        if self.config.ens_cv_rule not in ENS_CV_RULES:
            raise ValueError(f"unknown ens_cv_rule {self.config.ens_cv_rule!r}")
        for balance in (self.config.balance, self.config.ens_nb_balance):
            if balance not in BALANCES:
                raise ValueError(f"unknown balance {balance!r}; choose from {BALANCES}")
        built = features if features is not None else build_features(texts, self.config)
        # the ensemble's naive Bayes reads its own matrix; every other model has one
        views = built if isinstance(built, tuple) else (built, built, None, None)
        self.features, self.nb_features, self.d2v_features, self.asvm_features = views
        self.n_records = next((v.shape[0] for v in views if v is not None), len(texts))
        self._scores: np.ndarray | None = None
        self._nb_row_sums: np.ndarray | None = None
        self._nb_vocab = 1
        self._rng = np.random.default_rng(self.config.seed)
        self._labelled_idx = np.zeros(0, dtype=int)
        self._weights: np.ndarray | None = None  # "cv" weights, and the labels they came from
        self._weights_n = 0

    @property
    def is_fitted(self) -> bool:
        """True once a fit had at least one relevant record to learn from."""
        return self._scores is not None

    def fit(self, labels: Mapping[int, int]) -> Ranker:
        """Refit the classifier on ``labels`` (record index -> 1 relevant / 0 not)."""
        idx = np.fromiter(labels.keys(), dtype=int, count=len(labels))
        y = np.fromiter((1 if labels[i] else 0 for i in idx), dtype=int, count=len(idx))
        if y.sum() == 0:
            self._scores = None
            return self
        self._labelled_idx = idx
        if y.sum() == y.size or self.config.always_pseudo_negatives:
            idx, y = self._add_pseudo_negatives(idx, y)
        if self.config.classifier == "ens":
            self._scores = self._ensemble(idx, y)
            return self
        if self.config.balance == "double":
            idx, y = double_balance(idx, y, self._rng, *self.config.double_params)
        x = self.features[idx]
        model = _classifier(self.config)
        if self.config.classifier in ("nb", "cnb") and self.config.balance == "weights":
            model.fit(x, y, sample_weight=_balanced_weights(y))
        else:
            model.fit(x, y)
        self._scores = self._score_all(model)
        return self

    def _ensemble(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Combined score of the ``ens_members``' scores (higher = more likely).

        Members fail differently: logistic regression on TF-IDF (class
        weights, ``config``'s features) is the better ranker on the Cohen drug
        reviews; Doc2Vec embeddings and naive Bayes (alpha ``ens_nb_alpha`` on
        its own 1-3-gram features, ``ens_nb_balance``: ASReview's "double"
        resampling by default) on Kitchenham and Nagtegaal. ``"zsum"`` adds
        the members' decision values as z-scores, so a member that is sure
        counts for more than one that barely prefers a record, on one scale;
        ``"max"`` ranks a record by its best member's rank (0..1) and
        ``"mean"`` by the mean of the ranks: ranks, not probabilities, keep
        naive Bayes' near-0/1 probabilities from drowning the others.
        ``"rrf"`` (reciprocal rank fusion) lies between "max" and "mean"; it
        was not better (docs/ranking-experiments.md, eighth round).
        """
        members = [self._member_scores(m, idx, y) for m in self.config.ens_members]
        if self.config.ens_combine == "zsum":
            return np.sum([_standardised(s) for s in members], axis=0)
        ranks = [np.argsort(np.argsort(s, kind="stable")) / max(len(s) - 1, 1) for s in members]
        if self.config.ens_combine == "mean":
            if self.config.ens_weights == "cv" and len(ranks) > 1:
                return np.average(ranks, axis=0, weights=self._cv_weights(idx, y))
            return np.mean(ranks, axis=0)
        if self.config.ens_combine == "rrf":
            return self._reciprocal_rank_fusion(members)
        # "max": a record ranks by its better member (ties by the mean), which
        # interleaves the two members' top records instead of needing both to agree
        return np.max(ranks, axis=0) + np.mean(ranks, axis=0) * 1e-6

    def _cv_weights(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The members' weights in the mean rank, chosen by cross-validation on the labels.

        The members fail on different sets (Doc2Vec is weak on Cohen ADHD, the TF-IDF
        regression on Kitchenham: docs/ranking-experiments.md, eighth round), and
        which one a set favours shows in how well each ranks the records already
        labelled. Stratified k-fold over the labelled records: each member is fitted
        without a fold and ranks every record; the held-out records keep their
        ranks. Among the weightings in steps of a tenth, the one kept is nearest to
        equal weights whose AUC of the held-out weighted mean rank is within one
        standard error of the best (the one-standard-error rule: a difference the
        labels cannot tell apart does not move the weights); ``ens_cv_rule`` says
        which error (the paired difference's, DeLong et al. 1988, or the best AUC's
        own, Hanley & McNeil 1982) or none ("best").
        Recomputed when the labels grew by a tenth; equal weights until each fold
        can hold a relevant and an irrelevant record.
        """
        m = len(self.config.ens_members)
        equal = np.full(m, 1.0 / m)
        n_pos, n_neg = int(y.sum()), int(y.size - y.sum())
        k = min(self.config.ens_cv_folds, n_pos, n_neg)
        if k < 2 or idx.size > self._labelled_idx.size:  # pseudo-negatives: no real labels
            return equal
        if self._weights is not None and y.size < self._weights_n * 1.1:
            return self._weights
        rng = np.random.default_rng(self.config.seed + y.size)
        fold = np.empty(y.size, dtype=int)
        for cls in (0, 1):  # stratified: each class dealt round the folds in random order
            members_of = rng.permutation(np.flatnonzero(y == cls))
            fold[members_of] = np.arange(members_of.size) % k
        held = np.zeros((m, y.size))
        for f in range(k):
            train, test = fold != f, fold == f
            for j, member in enumerate(self.config.ens_members):
                s = self._member_scores(member, idx[train], y[train])
                ranks = np.argsort(np.argsort(s, kind="stable")) / max(len(s) - 1, 1)
                held[j, test] = ranks[idx[test]]
        grid = _simplex(m, CV_WEIGHT_STEPS)
        placed = [_placements(w @ held, y) for w in grid]
        aucs = np.array([float(p1.mean()) for p1, _ in placed])
        best = int(np.argmax(aucs))
        if self.config.ens_cv_rule == "paired":
            slack = np.array([_paired_se(placed[best], p) for p in placed])
        elif self.config.ens_cv_rule == "unpaired":
            slack = np.full(aucs.size, _auc_se(aucs[best], n_pos, n_neg))
        else:
            slack = np.zeros(aucs.size)
        near = np.flatnonzero(aucs >= aucs[best] - slack)
        chosen = near[np.argmin(np.linalg.norm(grid[near] - equal, axis=1))]
        self._weights, self._weights_n = grid[chosen], y.size
        return self._weights

    def _reciprocal_rank_fusion(self, members: list[np.ndarray]) -> np.ndarray:
        """Sum over the members of 1 / (60 + the record's place in that member's order).

        Reciprocal rank fusion (Cormack, Clarke & Buettcher 2009, with their
        constant 60): a record near the top of one member's order gains more
        than the mean of ranks gives it, yet one both members put high still
        comes first. Places are counted among the records not yet labelled (the
        ones the order is for); a labelled record's place is its place among all.
        """
        n = self.n_records
        open_ = np.ones(n, dtype=bool)
        open_[self._labelled_idx] = False
        unlabelled = np.flatnonzero(open_)
        fused = np.zeros(n)
        for s in members:
            place = np.empty(n)
            place[np.argsort(-s, kind="stable")] = np.arange(1, n + 1)
            place[unlabelled[np.argsort(-s[unlabelled], kind="stable")]] = np.arange(
                1, unlabelled.size + 1)
            fused += 1.0 / (RRF_K + place)
        return fused

    def _member_scores(self, member: str, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        """One ensemble member's score of every record (higher = more likely)."""
        if member in ("lr", "svm") and self.features is None:
            raise ValueError(f"the {member} member needs build_features' TF-IDF view")
        if member == "nb" and self.nb_features is None:
            raise ValueError("the nb member needs build_features' naive Bayes view")
        if member == "lr":
            lr = _classifier(replace(self.config, classifier="lr", balance="weights"))
            return lr.fit(self.features[idx], y).decision_function(self.features)
        if member == "svm":
            svm = LinearSVC(C=self.config.ens_svm_c, class_weight="balanced")
            return svm.fit(self.features[idx], y).decision_function(self.features)
        if member == "asvm":
            return self._asvm_scores(idx, y)
        if member == "d2v":
            if self.d2v_features is None:
                raise ValueError("the d2v member needs build_features' embeddings")
            d2v = LogisticRegression(C=self.config.d2v_c, class_weight="balanced", max_iter=1000)
            return d2v.fit(self.d2v_features[idx], y).decision_function(self.d2v_features)
        nb_idx, nb_y, weights = idx, y, np.ones(y.size)
        if self.config.ens_nb_balance == "double":
            nb_idx, nb_y = double_balance(idx, y, self._rng, *self.config.double_params)
            weights = np.ones(nb_y.size)
        elif self.config.ens_nb_balance == "weights":
            weights = _balanced_weights(y)
        if self._nb_row_sums is None:  # once per record set
            self._nb_row_sums = np.asarray(self.nb_features.sum(axis=1)).ravel()
            used = np.bincount(self.nb_features.indices, minlength=self.nb_features.shape[1])
            self._nb_vocab = max(1, int(np.count_nonzero(used)))
        return nb_log_odds_multinomial(
            self.nb_features, nb_idx, nb_y, weights, self.config.ens_nb_alpha, self._nb_row_sums,
            self._nb_vocab,
        )

    def _asvm_scores(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        """ASReview LAB 3's default classifier on its own features (``elas_u4``).

        A linear SVM (squared hinge, C=0.11) with its "balanced" sample weights:
        each irrelevant record weighs ``relevant / (ratio * irrelevant)`` against 1
        for a relevant one (ratio 9.8), rescaled to sum to the number of rows
        (asreview/models/balancers.py ``Balanced``, 3.0.8).
        """
        if self.asvm_features is None:
            raise ValueError("the asvm member needs build_features' ASReview view")
        n1, n0 = int(y.sum()), int(y.size - y.sum())
        w = np.where(y == 1, 1.0, n1 / (self.config.asvm_ratio * max(n0, 1)))
        w *= y.size / w.sum()
        svm = LinearSVC(C=self.config.asvm_c, loss="squared_hinge")
        x = self.asvm_features
        return svm.fit(x[idx], y, sample_weight=w).decision_function(x)

    def _add_pseudo_negatives(
        self, idx: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        pool = np.setdiff1d(np.arange(self.n_records), idx)
        take = min(self.config.pseudo_negatives, pool.size)
        if take == 0:
            return idx, y
        extra = self._rng.choice(pool, size=take, replace=False)
        return np.concatenate([idx, extra]), np.concatenate([y, np.zeros(take, dtype=int)])

    def _score_all(self, model) -> np.ndarray:  # noqa: ANN001
        if hasattr(model, "predict_proba"):
            return model.predict_proba(self.features)[:, 1]
        return model.decision_function(self.features)

    def scores(self) -> np.ndarray | None:
        """Relevance score of every record (higher = more likely), or None unfitted."""
        return None if self._scores is None else self._scores.copy()

    def order(self, unlabelled: Sequence[int] | None = None) -> list[int]:
        """``unlabelled`` (default: all records) sorted most-likely-relevant first.

        Unfitted, the given order is kept (file order). Ties keep input order.
        """
        items = np.arange(self.n_records) if unlabelled is None else np.asarray(unlabelled, int)
        scores = self._scores
        if scores is None or items.size == 0:
            return items.tolist()
        return items[np.argsort(-scores[items], kind="stable")].tolist()

    def next_batch(
        self,
        unlabelled: Sequence[int],
        size: int = 1,
        explore: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> list[int]:
        """The next ``size`` records to screen; ``explore`` is the share picked at random."""
        ranked = self.order(unlabelled)
        rng = rng or self._rng
        picked: list[int] = []
        pool = list(ranked)
        for _ in range(min(size, len(pool))):
            pos = int(rng.integers(len(pool))) if rng.random() < explore else 0
            picked.append(pool.pop(pos))
        return picked
