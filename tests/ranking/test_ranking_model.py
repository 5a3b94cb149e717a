"""Ranker and replay on a small synthetic corpus (fast, no corpus needed)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from reviewflow.ranking.model import Ranker, RankerConfig
from reviewflow.ranking.simulation import simulate

RELEVANT = [
    "mesenchymal stem cell therapy in rheumatoid arthritis randomised trial",
    "stem cell infusion for lupus nephritis controlled trial",
    "umbilical cord mesenchymal cells in systemic sclerosis trial",
    "mesenchymal stromal cells for crohn disease randomised",
]
IRRELEVANT = [
    "stock market volatility and interest rates",
    "deep learning for image segmentation of roads",
    "soil erosion in alpine meadows",
    "football match outcomes and betting odds",
    "history of medieval trade routes",
    "urban traffic congestion pricing",
]


def corpus(n_copies: int = 6) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for i in range(n_copies):
        for t in RELEVANT:
            texts.append(f"{t} cohort {i}")
            labels.append(1)
        for t in IRRELEVANT * 4:
            texts.append(f"{t} volume {rng.integers(100)}")
            labels.append(0)
    return texts, labels


@pytest.mark.parametrize("classifier", ["lr", "ens", "sgd", "nb", "svm"])
def test_fitted_ranker_puts_relevant_first(classifier: str) -> None:
    texts, labels = corpus()
    ranker = Ranker(texts, RankerConfig(classifier=classifier))
    first_pos = labels.index(1)
    first_neg = labels.index(0)
    ranker.fit({first_pos: 1, first_neg: 0})
    top = ranker.order()[: sum(labels)]
    assert sum(labels[i] for i in top) >= 0.8 * sum(labels)


def test_unfitted_ranker_keeps_given_order() -> None:
    texts, labels = corpus(1)
    ranker = Ranker(texts)
    assert not ranker.is_fitted
    assert ranker.order([5, 2, 9]) == [5, 2, 9]
    ranker.fit({labels.index(0): 0})  # no relevant decision yet: nothing to learn
    assert ranker.order([5, 2, 9]) == [5, 2, 9]


def test_known_relevant_only_seeds_the_ranking() -> None:
    texts, labels = corpus()
    ranker = Ranker(texts).fit({labels.index(1): 1})
    assert ranker.is_fitted
    unlabelled = [i for i in range(len(texts)) if i != labels.index(1)]
    top = ranker.order(unlabelled)[:10]
    assert sum(labels[i] for i in top) >= 8


def test_order_only_returns_requested_indices() -> None:
    texts, labels = corpus()
    ranker = Ranker(texts).fit({0: 1, 5: 0})
    assert sorted(ranker.order([3, 7, 11])) == [3, 7, 11]


def test_next_batch_with_full_exploration_is_still_a_subset() -> None:
    texts, _ = corpus()
    ranker = Ranker(texts).fit({0: 1, 5: 0})
    batch = ranker.next_batch(range(20), size=5, explore=1.0, rng=np.random.default_rng(3))
    assert len(set(batch)) == 5 and set(batch) <= set(range(20))


def test_unknown_classifier_rejected() -> None:
    with pytest.raises(ValueError):
        Ranker(["a b"], RankerConfig(classifier="magic"))


def test_simulation_beats_random_on_synthetic_corpus() -> None:
    texts, labels = corpus()
    result = simulate(texts, labels, seeds=[0, 1])
    assert result.n_records == len(texts) and result.n_included == sum(labels)
    assert result.mean("wss95") > 0.5
    for order in result.orders:
        assert sorted(order.tolist()) == list(range(len(texts)))
    curve = result.mean_recall_curve()
    assert curve[0] == 0 and curve[-1] == 1


def test_double_balance_keeps_size_and_oversamples_relevant() -> None:
    from reviewflow.ranking.model import double_balance

    idx = np.arange(200)
    y = (idx < 4).astype(int)  # 4 relevant, 196 irrelevant
    picked, labels = double_balance(idx, y, np.random.default_rng(0))
    assert picked.size == idx.size and labels.size == idx.size
    assert set(picked[labels == 1]) == {0, 1, 2, 3}
    assert set(picked[labels == 0]) <= set(range(4, 200))
    assert labels.sum() > 4 * 5  # relevant rows copied many times over
    assert labels.sum() <= idx.size - 2


def test_double_balance_ranker_puts_relevant_first() -> None:
    texts, labels = corpus()
    ranker = Ranker(texts, RankerConfig(balance="double"))
    ranker.fit({labels.index(1): 1, labels.index(0): 0})
    top = ranker.order()[: sum(labels)]
    assert sum(labels[i] for i in top) >= 0.8 * sum(labels)


def test_unknown_balance_rejected() -> None:
    with pytest.raises(ValueError):
        Ranker(["a b"], RankerConfig(balance="magic"))


def test_pooled_asreview_wss_of_one_seed_is_that_seed_s_value() -> None:
    texts, labels = corpus()
    result = simulate(texts, labels, seeds=[3])
    assert result.n_prior == 2  # one relevant + one irrelevant prior
    assert result.wss_asreview_pooled() == pytest.approx(result.per_seed[0]["wss95_asreview"])
    two = simulate(texts, labels, seeds=[3, 4])
    assert -1.0 <= two.as_dict()["wss95_asreview_pooled"] <= 1.0


def test_ensemble_builds_only_the_views_its_members_read() -> None:
    from reviewflow.ranking.model import build_features

    texts, _ = corpus()
    lr_view, nb_view, d2v_view, asvm_view = build_features(
        texts, RankerConfig(ens_members=("lr", "nb")))
    assert asvm_view is None
    assert d2v_view is None
    assert lr_view is not None and nb_view is not None
    assert lr_view.shape[0] == nb_view.shape[0] == len(texts)
    assert build_features(texts, RankerConfig(ens_members=("nb",)))[0] is None
    # naive Bayes' view keeps stop words and 3-grams: more columns than the LR view
    assert nb_view.shape[1] > lr_view.shape[1]


def test_doc2vec_gives_way_to_naive_bayes_above_its_size_cap() -> None:
    """Embeddings cost minutes at 100,000 records: above the cap NB takes their place."""
    from reviewflow.ranking.model import build_features, for_size

    texts, labels = corpus()
    small_cap = RankerConfig(ens_members=("lr", "d2v"), d2v_max_records=len(texts) - 1)
    assert for_size(small_cap, len(texts)).ens_members == ("lr", "nb")
    large = for_size(small_cap, len(texts))
    assert (large.ens_combine, large.stop_words) == ("max", None)  # one TF-IDF view at any size
    assert for_size(small_cap, len(texts) - 1) == small_cap
    assert for_size(RankerConfig(ens_members=("d2v", "nb"), d2v_max_records=1), 5
                    ).ens_members == ("nb",)
    lr_view, nb_view, d2v_view, _ = build_features(texts, small_cap)
    assert d2v_view is None and nb_view is not None and lr_view is not None
    # the TF-IDF view is the one below the cap: the same columns, stop words kept
    below = build_features(texts, replace(small_cap, d2v_max_records=len(texts)))[0]
    assert lr_view.shape == below.shape and (lr_view != below).nnz == 0
    ranker = Ranker(texts, small_cap)
    assert ranker.config.ens_members == ("lr", "nb")
    ranker.fit({i: y for i, y in enumerate(labels[:8])})
    assert ranker.order(list(range(len(texts))))  # ranks with the stand-in member


def test_max_rank_ensemble_lets_either_member_bring_a_record_up(monkeypatch) -> None:
    """Record 0 is first for one member and last for the other.

    "max" ranks a record by its better member, so record 0 reaches the top two (beside
    the other member's first, which wins the tie on the mean); "mean" by the members'
    average rank, where record 0's last place drags it to the middle.
    """
    texts, _labels = corpus()
    n = len(texts)
    member_a = np.arange(n, dtype=float)[::-1].copy()  # the members agree on the others
    member_b = member_a.copy()
    member_a[0], member_b[0] = n + 1.0, -1.0  # record 0: first for one, last for the other
    fixed = {"lr": member_a, "nb": member_b}
    order = {}
    for combine in ("max", "mean"):
        ranker = Ranker(texts, RankerConfig(classifier="ens", ens_combine=combine,
                                            ens_members=("lr", "nb")))
        monkeypatch.setattr(ranker, "_member_scores", lambda m, idx, y: fixed[m])
        combined = ranker._ensemble(np.array([0, 1]), np.array([1, 0]))
        order[combine] = list(np.argsort(-combined, kind="stable"))
    assert order["max"][:2] == [1, 0]  # record 1: the other member's first
    assert order["mean"][0] == 1 and order["mean"].index(0) > n // 4


def test_zsum_ensemble_prefers_what_both_members_rank_high(monkeypatch) -> None:
    """Record 1 is second for both members; records 0 and 2 are first for one and middling
    for the other. The z-score sum puts record 1 first; the max rank puts a member's first.
    The members' scales differ by a factor of 1000 and an offset: z-scores absorb both."""
    texts, _labels = corpus()
    n = len(texts)
    base = np.linspace(0.0, 1.0, n)[::-1].copy()  # record 3 best, 4 next, ... for both
    member_a, member_b = base.copy(), base.copy()
    member_a[[0, 1, 2]] = [2.0, 1.5, 0.5]  # a: record 0 first, 1 second, 2 middling
    member_b[[0, 1, 2]] = [0.5, 1.5, 2.0]  # b: record 2 first, 1 second, 0 middling
    fixed = {"lr": member_a, "d2v": 1000 * member_b + 5}
    top = {}
    for combine in ("zsum", "max"):
        ranker = Ranker(texts, RankerConfig(ens_combine=combine, ens_members=("lr", "d2v")),
                        features=(None, None, None, None))
        monkeypatch.setattr(ranker, "_member_scores", lambda m, idx, y: fixed[m])
        combined = ranker._ensemble(np.array([0, 1]), np.array([1, 0]))
        top[combine] = int(np.argmax(combined))
    assert top["zsum"] == 1
    assert top["max"] in (0, 2)


def test_rrf_ensemble_counts_places_among_unlabelled_records(monkeypatch) -> None:
    """Record 0 is first for member a and 40th for b; record 1 is 19th for both.

    The mean of ranks puts record 1 before record 0 (19 against 20.5), reciprocal rank
    fusion record 0 before record 1 (1/61 + 1/98 against 2/77, places among the
    unlabelled). Twenty labelled records on top of member a's order must not push record
    0 down there (counted, they would put record 1 ahead): places count only
    unlabelled records, so record 0 stays ahead.
    """
    texts, _labels = corpus()
    n = len(texts)
    assert n > 80
    base = np.arange(n, dtype=float)[::-1].copy()  # records 2, 3, ... in order for both
    def placed(at: dict[int, int]) -> np.ndarray:  # record -> place (1 = first)
        order = [i for i in range(n) if i not in at]
        for record, place in sorted(at.items(), key=lambda kv: kv[1]):
            order.insert(place - 1, record)
        scores = np.empty(n)
        scores[order] = base
        return scores
    fixed = {"lr": placed({0: 1, 1: 19}), "d2v": placed({0: 40, 1: 19})}
    labelled = np.arange(50, 70)
    fixed_labelled = {  # a also puts the twenty labelled records first: its places shift
        "lr": placed({0: 21, 1: 39, **{int(i): k + 1 for k, i in enumerate(labelled)}}),
        "d2v": fixed["d2v"]}
    ahead = {}
    for name, scores, seen in (("mean", fixed, [2, 3]), ("rrf", fixed, [2, 3]),
                               ("rrf-labelled", fixed_labelled, [2, 3, *labelled])):
        combine = name.split("-")[0]
        ranker = Ranker(texts, RankerConfig(ens_combine=combine, ens_members=("lr", "d2v")),
                        features=(None, None, None, None))
        monkeypatch.setattr(ranker, "_member_scores", lambda m, idx, y, s=scores: s[m])
        ranker.fit({int(i): int(i == 2) for i in seen})
        order = ranker.order([i for i in range(n) if i not in seen])
        ahead[name] = 0 if order.index(0) < order.index(1) else 1
    assert ahead == {"mean": 1, "rrf": 0, "rrf-labelled": 0}


def _cv_weighted(monkeypatch, scores: dict[str, np.ndarray], rule: str = "paired") -> np.ndarray:
    """The weights ``ens_weights="cv"`` learns when the members score every record as given."""
    texts, labels = corpus()
    ranker = Ranker(texts, RankerConfig(ens_members=("lr", "d2v"), ens_weights="cv",
                                        ens_cv_rule=rule), features=(None, None, None, None))
    monkeypatch.setattr(ranker, "_member_scores", lambda m, idx, y: scores[m])
    known = {i: labels[i] for i in range(0, len(texts), 2)}  # half the records, both classes
    ranker.fit(known)
    assert ranker._weights is not None
    return ranker._weights


@pytest.mark.parametrize("rule", ["paired", "unpaired", "best"])
def test_cv_weights_favour_the_member_that_ranks_the_labelled_records_well(
        monkeypatch, rule: str) -> None:
    """One member's scores follow the labels, the other's are noise: cross-validation on the
    labelled records gives the first the larger weight, whichever member it is."""
    _texts, labels = corpus()
    rng = np.random.default_rng(1)
    good = np.asarray(labels, dtype=float) + rng.normal(0, 0.3, len(labels))
    noise = rng.normal(0, 1, len(labels))
    lr_good = _cv_weighted(monkeypatch, {"lr": good, "d2v": noise}, rule)
    d2v_good = _cv_weighted(monkeypatch, {"lr": noise, "d2v": good}, rule)
    assert lr_good[0] > 0.5 > lr_good[1]
    assert d2v_good[1] > 0.5 > d2v_good[0]
    assert np.isclose(lr_good.sum(), 1) and np.isclose(d2v_good.sum(), 1)


def test_cv_weights_stay_equal_when_the_labels_cannot_tell_the_members_apart(
        monkeypatch) -> None:
    """Two members that rank alike (one slightly noisier): within one standard error of the
    paired AUC difference the weights stay equal; only the "best" rule follows the noise."""
    _texts, labels = corpus()
    rng = np.random.default_rng(2)
    base = np.asarray(labels, dtype=float) + rng.normal(0, 0.8, len(labels))
    a, b = base + rng.normal(0, 0.05, len(labels)), base + rng.normal(0, 0.05, len(labels))
    assert np.allclose(_cv_weighted(monkeypatch, {"lr": a, "d2v": b}), [0.5, 0.5])
    weights = {tuple(_cv_weighted(monkeypatch, {"lr": a, "d2v": b}, "best"))}
    assert weights != {(0.5, 0.5)}


def test_auc_placements_and_paired_error() -> None:
    from sklearn.metrics import roc_auc_score

    from reviewflow.ranking.model import _paired_se, _placements

    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.2).astype(int)
    a, b = y + rng.normal(0, 1, 300), y + rng.normal(0, 1.5, 300)
    pa, pb = _placements(a, y), _placements(b, y)
    assert np.isclose(pa[0].mean(), roc_auc_score(y, a))
    assert np.isclose(pa[1].mean(), roc_auc_score(y, a))
    assert _paired_se(pa, pa) == 0
    assert 0.01 < _paired_se(pa, pb) < 0.1


def test_standardised_scores_of_equal_values_are_zero() -> None:
    from reviewflow.ranking.model import _standardised

    assert np.array_equal(_standardised(np.full(4, 3.0)), np.zeros(4))
    z = _standardised(np.array([1.0, 2.0, 3.0]))
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12


def test_nb_log_odds_match_sklearn_multinomial_nb() -> None:
    from scipy import sparse
    from sklearn.naive_bayes import MultinomialNB

    from reviewflow.ranking.model import nb_log_odds_multinomial

    x = sparse.random(50, 40, density=0.2, random_state=1, format="csr", dtype=np.float32)
    idx = np.array([0, 3, 3, 7, 9, 11, 20])  # a repeated row, as resampling makes
    y = np.array([1, 0, 0, 1, 0, 0, 0])
    w = np.linspace(0.5, 1.5, idx.size)
    model = MultinomialNB(alpha=0.7).fit(x[idx], y, sample_weight=w)
    joint = x @ model.feature_log_prob_.T
    expected = np.asarray(joint[:, 1] - joint[:, 0]).ravel()  # class prior left out
    got = nb_log_odds_multinomial(x, idx, y, w, 0.7, np.asarray(x.sum(axis=1)).ravel())
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_nb_view_is_tfidf_of_hashed_1_to_3_grams() -> None:
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    from reviewflow.ranking.model import _nb_view

    texts = ["the cat sat on the mat", "a dog and a cat", "stem cells trial", "cells cells"]
    hashed = HashingVectorizer(
        ngram_range=(1, 3), n_features=2**21, alternate_sign=False, norm=None
    ).transform(texts)
    expected = TfidfTransformer().fit_transform(hashed)
    got = _nb_view(texts, RankerConfig())
    assert got.dtype == np.float32
    assert abs(expected - got).max() < 1e-6


@pytest.mark.parametrize("members", [("lr", "nb", "svm"), ("svm",), ("nb", "lr")])
def test_ensemble_members_rank_relevant_records_first(members: tuple[str, ...]) -> None:
    texts, labels = corpus()
    known = {labels.index(1): 1, labels.index(0): 0}
    ranker = Ranker(texts, RankerConfig(ens_members=members)).fit(known)
    order = ranker.order([i for i in range(len(texts)) if i not in known])
    top = order[: sum(labels) - 1]
    assert sum(labels[i] for i in top) >= 0.8 * len(top)


def test_a_single_member_ensemble_ranks_as_that_member() -> None:
    texts, labels = corpus()
    known = {labels.index(1): 1, labels.index(0): 0, 5: labels[5], 11: labels[11]}
    alone = Ranker(texts, RankerConfig(ens_members=("lr",))).fit(known).scores()
    lr = Ranker(texts, RankerConfig(classifier="lr")).fit(known).scores()
    assert alone is not None and lr is not None
    # the ensemble scores ranks, so only the order must agree
    assert np.array_equal(np.argsort(alone, kind="stable"), np.argsort(lr, kind="stable"))


def test_max_rank_of_one_member_equals_its_rank_among_more() -> None:
    texts, labels = corpus()
    known = {labels.index(1): 1, labels.index(0): 0}
    pair = Ranker(texts, RankerConfig(ens_members=("lr", "nb"), ens_combine="max"))
    trio = Ranker(texts, RankerConfig(ens_members=("lr", "nb", "svm"), ens_combine="max"))
    pair, trio = pair.fit(known).scores(), trio.fit(known).scores()
    assert pair is not None and trio is not None
    # adding a member can only raise a record's max rank (up to the tie-break term)
    assert np.all(trio >= pair - 1e-5)


def test_unknown_or_empty_ensemble_members_are_rejected() -> None:
    with pytest.raises(ValueError):
        Ranker(["a b"], RankerConfig(ens_members=("lr", "magic")))
    with pytest.raises(ValueError):
        Ranker(["a b"], RankerConfig(ens_members=()))


def test_d2v_member_needs_its_embeddings() -> None:
    texts, labels = corpus()
    pair = RankerConfig(ens_members=("lr", "nb"))
    views = Ranker(texts, pair).features, Ranker(texts, pair).nb_features, None, None
    ranker = Ranker(texts, RankerConfig(ens_members=("lr", "d2v")), features=views)
    with pytest.raises(ValueError, match="d2v"):
        ranker.fit({labels.index(1): 1, labels.index(0): 0})
    no_nb = Ranker(texts, RankerConfig(ens_members=("nb",)), features=(views[0], None, None, None))
    with pytest.raises(ValueError, match="nb"):
        no_nb.fit({labels.index(1): 1, labels.index(0): 0})


def test_doc2vec_view_is_deterministic_and_ranks_relevant_first() -> None:
    from reviewflow.ranking.model import build_features, doc2vec_view

    texts, labels = corpus()
    config = RankerConfig(ens_members=("lr", "nb", "d2v"), d2v_dim=16)
    first = doc2vec_view(texts, config)
    assert first.shape == (len(texts), 16)
    assert np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-4)
    assert np.array_equal(first, doc2vec_view(texts, config))  # same records, same vectors
    views = build_features(texts, config)
    assert views[2] is not None and views[2].shape == first.shape
    known = {labels.index(1): 1, labels.index(0): 0}
    # ~2,400 tokens: 20 passes learn nothing; d2v_min_token_passes raises the passes
    alone = Ranker(texts, RankerConfig(ens_members=("d2v",), d2v_dim=16)).fit(known)
    order = alone.order([i for i in range(len(texts)) if i not in known])
    top = order[: sum(labels) - 1]
    assert sum(labels[i] for i in top) >= 0.6 * len(top)


def test_doc2vec_passes_grow_on_a_small_record_set() -> None:
    from reviewflow.ranking.model import doc2vec_view

    texts, _ = corpus()
    few = RankerConfig(d2v_dim=16, d2v_min_token_passes=0)
    # same seed: only the number of passes can differ, so equal vectors would mean
    # the floor was ignored (that it makes the vectors useful: the ranking test above)
    assert not np.allclose(doc2vec_view(texts, few), doc2vec_view(texts, RankerConfig(d2v_dim=16)))


def test_doc2vec_word_training_is_a_switch() -> None:
    from reviewflow.ranking.model import doc2vec_view

    texts, _ = corpus()
    plain = RankerConfig(d2v_dim=16)
    words = replace(plain, d2v_dbow_words=True)
    # same seed and passes: only the interleaved word training can make them differ
    with_words = doc2vec_view(texts, words)
    assert with_words.shape == (len(texts), 16)
    assert np.array_equal(with_words, doc2vec_view(texts, words))
    assert not np.allclose(with_words, doc2vec_view(texts, plain))


def test_one_blas_thread_limits_the_native_pools_and_restores_them() -> None:
    import numpy as np  # noqa: F401 - loads OpenBLAS, the pool being limited
    from threadpoolctl import threadpool_info

    from reviewflow.ranking.threads import one_blas_thread

    before = {p["filepath"]: p["num_threads"] for p in threadpool_info()}
    assert before, "numpy's BLAS should be visible to threadpoolctl"
    with one_blas_thread():
        assert all(p["num_threads"] == 1 for p in threadpool_info())
    assert {p["filepath"]: p["num_threads"] for p in threadpool_info()} == before


@pytest.mark.parametrize(("fraction", "expected_fits"), [(0.0, None), (0.25, "fewer")])
def test_replay_refits_after_every_record_by_default(fraction: float, expected_fits) -> None:
    from reviewflow.ranking.simulation import SimulationConfig, replay

    texts, labels = corpus()

    class CountingRanker(Ranker):
        fits = 0

        def fit(self, labels):  # noqa: ANN001, ANN202 - counts, then Ranker.fit
            CountingRanker.fits += 1
            return super().fit(labels)

    ranker = CountingRanker(texts, RankerConfig(classifier="lr"))
    config = SimulationConfig() if fraction == 0.0 else SimulationConfig(refit_fraction=fraction)
    order = replay(ranker, labels, seed=0, config=config)
    truth = np.asarray(labels)[order]
    last_relevant = int(np.flatnonzero(truth)[-1]) + 1  # records screened to find them all
    n_prior = 2
    if expected_fits is None:  # one fit before each record screened after the priors
        assert CountingRanker.fits == last_relevant - n_prior
    else:
        assert CountingRanker.fits < (last_relevant - n_prior) / 2


def test_asvm_member_is_asreview3s_model() -> None:
    """ASReview LAB 3's elas_u4 (its TF-IDF, SVM C=0.11, balanced ratio 9.8) as a member."""
    from sklearn.svm import LinearSVC

    from reviewflow.ranking.model import asreview_view, build_features

    texts, labels = corpus()
    config = RankerConfig(ens_members=("asvm",), ens_combine="max")  # its rank, 0..1
    views = build_features(texts, config)
    assert views[0] is None and views[3] is not None
    known = {i: labels[i] for i in (0, 4, 5, 6, 1)}  # 2 relevant, 3 not
    ranker = Ranker(texts, config, features=views).fit(known)
    # the same fit done by hand: weights 1 for relevant, n1/(9.8*n0) for irrelevant, rescaled
    x = asreview_view(texts, config)
    idx = list(known)
    y = np.array([known[i] for i in idx])
    w = np.where(y == 1, 1.0, 2 / (9.8 * 3))
    w *= y.size / w.sum()
    expected = LinearSVC(C=0.11).fit(x[idx], y, sample_weight=w).decision_function(x)
    rank = np.argsort(np.argsort(expected, kind="stable")) / (len(texts) - 1)
    assert np.allclose(ranker.scores() - rank, 0, atol=1e-5)
    with pytest.raises(ValueError, match="asvm"):
        Ranker(texts, config, features=(views[0], None, None, None)).fit(known)


def test_top_down_cold_start_screens_in_file_order_until_something_is_learnt() -> None:
    """No priors (ASReview 3's simulate default): file order up to the first relevant record."""
    from reviewflow.ranking.simulation import SimulationConfig

    texts, labels = corpus()
    # the corpus opens with relevant records: move them back so file order must be read first
    order = list(range(4, 20)) + list(range(4)) + list(range(20, len(texts)))
    texts, labels = [texts[i] for i in order], [labels[i] for i in order]
    first = labels.index(1)
    result = simulate(texts, labels, seeds=[0], ranker_config=RankerConfig(classifier="lr"),
                      config=SimulationConfig(n_prior_relevant=0, n_prior_irrelevant=0))
    assert result.n_prior == 0
    assert result.orders[0][: first + 1].tolist() == list(range(first + 1))
    assert result.orders[0][first + 1] != first + 1  # then the ranking takes over
