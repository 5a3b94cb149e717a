"""Turn what a trial reports into what a meta-analysis needs, saying how.

Trials report medians with quartiles or ranges, standard errors, confidence
intervals, changes from baseline, several arms. Every function here returns a
frozen :class:`Derived` that carries the number *and* the method that made it
(``"luo2018"``, ``"wan2014"``, ``"ci_t"`` ...), so an analysis can show which
values were reported and which were converted, and run without the converted
ones. Bad input raises :class:`ConversionError` naming the field; callers add
the study and arm (:meth:`ConversionError.at`).

References (each function's docstring names the one it implements):

- Cochrane Handbook for Systematic Reviews of Interventions v6.4 (2023),
  sections 6.5.2.2-6.5.2.10 (SE, CI, P, t, change from baseline, combining
  groups), 23.1 (cluster trials), 23.2 (cross-over trials), 23.3.4 (multi-arm).
- Luo D, Wan X, Liu J, Tong T. Optimally estimating the sample mean from the
  sample size, median, mid-range, and/or mid-quartile range. Stat Methods Med
  Res 2018;27:1785-805.
- Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard
  deviation from the sample size, median, range and/or interquartile range.
  BMC Med Res Methodol 2014;14:135.
- Shi J, Luo D, Weng H, et al. Optimally estimating the sample standard
  deviation from the five-number summary. Res Synth Methods 2020;11:641-54.
- Hozo SP, Djulbegovic B, Hozo I. Estimating the mean and variance from the
  median, range, and the size of a sample. BMC Med Res Methodol 2005;5:13.
- Bland M. Estimating mean and standard deviation from the sample size, three
  quartiles, minimum, and maximum. Int J Stat Med Res 2015;4:57-64.
- Shi J, Luo D, Wan X, et al. Detecting the skewness of data from the
  five-number summary and its application in meta-analysis. Stat Methods Med
  Res 2023;32:1338-60.
- Altman DG, Bland JM. Detecting skewness from summary information. BMJ
  1996;313:1200.

The defaults for medians are those of metafor 4's ``conv.fivenum``: Luo 2018
for the mean; Wan 2014 for the SD from quartiles or from the range; Shi 2020
for the SD when all five numbers are given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from statistics import NormalDist

from reviewflow.errors import ReviewflowError
from reviewflow.wording import plural

T_BELOW = 60  # Handbook 6.5.2.3: "say less than 60 in each group" -> t distribution

_NORMAL = NormalDist()


def ndtri(p: float) -> float:
    """The standard normal quantile, -inf/inf at 0/1 as scipy's ``ndtri``.

    The standard library's (Wichura's AS241) agrees with scipy's to a few units in the
    last place, and spares a spreadsheet check of medians and quartiles loading scipy
    and numpy (a quarter of a second).
    """
    if p <= 0 or p >= 1:
        return -math.inf if p <= 0 else math.inf
    return _NORMAL.inv_cdf(p)


def stdtrit(df: float, p: float) -> float:
    """Student's t quantile with ``df`` degrees of freedom (scipy's, loaded on first use)."""
    from scipy.special import stdtrit as t_quantile

    return float(t_quantile(df, p))


class ConversionError(ReviewflowError):
    """A reported statistic that cannot be converted; names the field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"field {field}: {problem}")

    def at(self, study: str, arm: str | None = None) -> LocatedError:
        """The same problem, located: 'study X, arm Y, field q1: ...'."""
        return LocatedError(study, arm, self.field, self.problem)


class LocatedError(ReviewflowError):
    """A conversion problem with its study and arm (callers may re-word the place)."""

    def __init__(self, study: str, arm: str | None, field: str, problem: str) -> None:
        self.study, self.arm, self.field, self.problem = study, arm, field, problem
        where = f"study {study!r}" + (f", arm {arm!r}" if arm else "")
        super().__init__(f"{where}, field {field}: {problem}")


class Origin(StrEnum):
    """Where a value used in an analysis came from."""

    REPORTED = "reported"
    CONVERTED = "converted"
    IMPUTED = "imputed"


@dataclass(frozen=True)
class Derived:
    """One number with its provenance.

    ``method`` names the rule (e.g. ``"luo2018"``; ``"reported"`` for a value
    taken as given); ``inputs`` names the reported fields it was made from;
    ``note`` says anything a reader should know (which distribution, a warning).
    """

    value: float
    method: str
    inputs: tuple[str, ...] = ()
    origin: Origin = Origin.CONVERTED
    note: str = ""
    warnings: tuple[str, ...] = ()  # doubts a reader must see (e.g. skewed data)

    def warned(self, warning: str) -> Derived:
        """The same value with one more warning."""
        return replace(self, warnings=(*self.warnings, warning))

    @classmethod
    def reported(cls, value: float, name: str) -> Derived:
        return cls(float(value), "reported", (name,), Origin.REPORTED)


@dataclass(frozen=True)
class SkewCheck:
    """Shi et al. 2023's test of the normality a median conversion assumes."""

    statistic: float
    critical: float
    method: str = "shi2023"

    @property
    def skewed(self) -> bool:
        return self.statistic >= self.critical

    def warning(self) -> str:
        return (f"data look skewed (Shi et al. 2023 test: {self.statistic:.3f} >= critical "
                f"{self.critical:.3f}); the normal approximation behind the conversion is "
                "doubtful") if self.skewed else ""


@dataclass(frozen=True)
class MeanSD:
    """A mean and SD derived from a five-number summary, with the skewness check."""

    mean: Derived
    sd: Derived
    skew: SkewCheck | None = None


# -- SE, CI, P and t -------------------------------------------------------------------


def _positive_n(n: float, field: str = "n", minimum: int = 1) -> None:
    if not (math.isfinite(n) and n >= minimum):
        raise ConversionError(field, f"needs at least {plural(minimum, 'participant')} (got {n:g})")


def sd_from_se(se: float, n: float) -> Derived:
    """SD = SE x sqrt(n) (Handbook 6.5.2.2), for the SE of one group's mean."""
    _positive_n(n)
    if not se > 0:
        raise ConversionError("se", f"standard error must be > 0 (got {se:g})")
    return Derived(se * math.sqrt(n), "se_sqrt_n", ("se", "n"))


def ci_divisor(n: float, level: float = 0.95) -> tuple[float, str]:
    """The CI width in SEs: 2 x t(n-1) below 60 participants, 2 x z otherwise.

    Handbook 6.5.2.3: small groups' intervals use the t distribution (3.92 is
    replaced by e.g. 2 x 2.0639 = 4.128 for n = 25); from 60 either may have been
    used and the normal 3.92 is taken. Returns the divisor and ``"ci_t"``/``"ci_z"``.
    """
    tail = 1 - (1 - level) / 2
    if n < T_BELOW:
        return 2 * float(stdtrit(n - 1, tail)), "ci_t"
    return 2 * float(ndtri(tail)), "ci_z"


def sd_from_ci(low: float, high: float, n: float, *, mean: float | None = None,
               level: float = 0.95) -> Derived:
    """SD = sqrt(n) x (high - low) / divisor, for a CI of one group's mean
    (Handbook 6.5.2.3; the divisor from :func:`ci_divisor`)."""
    _positive_n(n, "n", 2)
    if not high > low:
        raise ConversionError("ci_high", f"upper limit {high:g} is not above the lower "
                              f"limit {low:g}")
    if mean is not None and not low <= mean <= high:
        raise ConversionError("mean", f"{mean:g} is outside its confidence interval "
                              f"{low:g} to {high:g}")
    divisor, method = ci_divisor(n, level)
    dist = (f"t distribution, {int(n) - 1} df" if method == "ci_t" else "normal distribution")
    return Derived(math.sqrt(n) * (high - low) / divisor, method, ("ci_low", "ci_high", "n"),
                   note=f"{round(level * 100)}% CI, {dist} (divisor {divisor:.4f})")


def se_from_ci(low: float, high: float, *, level: float = 0.95, df: float | None = None,
               ratio: bool = False) -> Derived:
    """SE of an effect from its CI: width / (2 x z), or 2 x t with ``df`` (Handbook
    6.5.2.3); for a ratio (RR, OR, HR) on the log scale (Handbook 6.3.2)."""
    if ratio:
        if not (low > 0 and high > 0):
            raise ConversionError("ci_low", "a ratio's confidence limits must be > 0")
        low, high = math.log(low), math.log(high)
    if not high > low:
        raise ConversionError("ci_high", "upper limit is not above the lower limit")
    tail = 1 - (1 - level) / 2
    crit = float(stdtrit(df, tail)) if df is not None else float(ndtri(tail))
    method = "ci_t" if df is not None else "ci_z"
    return Derived((high - low) / (2 * crit), method, ("ci_low", "ci_high"),
                   note="log scale" if ratio else "")


def se_from_t(estimate: float, t: float) -> Derived:
    """SE = |estimate| / |t| (Handbook 6.5.2.3/6.3.2)."""
    if t == 0 or not math.isfinite(t):
        raise ConversionError("t", "a t (or z) of 0 gives no standard error")
    if estimate == 0:
        raise ConversionError("estimate", "an estimate of 0 gives no standard error from t or P")
    return Derived(abs(estimate) / abs(t), "se_from_t", ("estimate", "t"))


def se_from_p(estimate: float, p: float, *, df: float | None = None) -> Derived:
    """SE = |estimate| / t, t the two-sided P's quantile: of t with ``df`` degrees of
    freedom (n1 + n2 - 2 for a two-sample t test), else of the normal (Handbook
    6.5.2.3, 6.3.2). A P reported as 'P < 0.05' should be entered as 0.05
    (conservative, as the Handbook says)."""
    if not 0 < p < 1:
        raise ConversionError("p", f"a P value must be between 0 and 1 (got {p:g})")
    tail = 1 - p / 2
    stat = float(stdtrit(df, tail)) if df is not None else float(ndtri(tail))
    d = se_from_t(estimate, stat)
    return Derived(d.value, "se_from_p_t" if df is not None else "se_from_p_z",
                   ("estimate", "p"), note=f"{'t' if df is not None else 'z'} = {stat:.4f}")


# -- medians, quartiles, ranges ---------------------------------------------------------

MEAN_METHODS = ("luo2018", "wan2014", "hozo2005", "bland2015")
SD_METHODS = ("wan2014", "shi2020", "hozo2005", "bland2015")


def _xi(n: float) -> float:
    return 2 * float(ndtri((n - 0.375) / (n + 0.25)))


def _eta(n: float) -> float:
    return 2 * float(ndtri((0.75 * n - 0.125) / (n + 0.25)))


def _case(q1, q3, minimum, maximum) -> str:
    quart = q1 is not None and q3 is not None
    rng = minimum is not None and maximum is not None
    if quart and rng:
        return "S3"
    if quart:
        return "S2"
    if rng:
        return "S1"
    raise ConversionError("q1", "a median needs Q1 and Q3, or the minimum and maximum, or both")


def check_order(values: dict[str, float | None]) -> None:
    """min <= Q1 <= median <= Q3 <= max, naming the first pair out of order."""
    names = {"min": "minimum", "q1": "Q1", "median": "median", "q3": "Q3", "max": "maximum"}
    given = [(k, v) for k, v in values.items() if v is not None]
    for (k1, v1), (k2, v2) in zip(given, given[1:], strict=False):
        if v1 > v2:
            raise ConversionError(k1, f"{names[k1]} ({v1:g}) is above the {names[k2]} ({v2:g})")
    if len(given) >= 2 and given[0][1] == given[-1][1]:
        raise ConversionError(given[-1][0], "the summary has no spread (all values equal)")


def skewness_test(n: float, median: float, q1: float | None = None, q3: float | None = None,
                  minimum: float | None = None, maximum: float | None = None) -> SkewCheck:
    """Shi et al. 2023's skewness tests for the three reporting scenarios.

    S1 (min, median, max): |a + b - 2m| / (b - a) against 1/ln(n + 9) + 2.5/(n + 1);
    S2 (quartiles): |q1 + q3 - 2m| / (q3 - q1) against 2.65/sqrt(n) - 6/n^2;
    S3 (all five): max(2.65 ln(0.6 n)/sqrt(n) x S1 statistic, S2 statistic) against
    3/sqrt(n) - 40/n^3. These are the critical values metafor 4's conv.fivenum uses.
    """
    case = _case(q1, q3, minimum, maximum)
    if case == "S1":
        t1 = abs(minimum + maximum - 2 * median) / (maximum - minimum)  # type: ignore[operator]
        return SkewCheck(t1, 1 / math.log(n + 9) + 2.5 / (n + 1))
    t2 = abs(q1 + q3 - 2 * median) / (q3 - q1)  # type: ignore[operator]
    if case == "S2":
        return SkewCheck(t2, 2.65 / math.sqrt(n) - 6 / n ** 2)
    t1 = abs(minimum + maximum - 2 * median) / (maximum - minimum)  # type: ignore[operator]
    stat = max(2.65 * math.log(0.6 * n) / math.sqrt(n) * t1, t2)
    return SkewCheck(stat, 3 / math.sqrt(n) - 40 / n ** 3)


def mean_from_median(n: float, median: float, q1: float | None = None, q3: float | None = None,
                     minimum: float | None = None, maximum: float | None = None,
                     method: str = "luo2018") -> Derived:
    """The sample mean from a median and quartiles and/or range.

    ``luo2018`` (Luo et al. 2018, eqs 7, 11, 15): weighted mid-range / mid-quartile
    range / median with weights 4/(4 + n^0.75); 0.7 + 0.39/n; 2.2/(2.2 + n^0.75)
    and 0.7 - 0.72/n^0.55. ``wan2014``: (a + 2m + b)/4, (q1 + m + q3)/3,
    (a + 2q1 + 2m + 2q3 + b)/8. ``hozo2005`` (range only): (a + 2m + b)/4 up to
    25 participants, the median above. ``bland2015`` (all five): as wan2014's S3.
    """
    case = _case(q1, q3, minimum, maximum)
    inputs = _inputs(case)
    a, b = minimum, maximum
    if method == "luo2018":
        if case == "S1":
            w = 4 / (4 + n ** 0.75)
            value = w * (a + b) / 2 + (1 - w) * median  # type: ignore[operator]
        elif case == "S2":
            w = 0.7 + 0.39 / n
            value = w * (q1 + q3) / 2 + (1 - w) * median  # type: ignore[operator]
        else:
            w1, w2 = 2.2 / (2.2 + n ** 0.75), 0.7 - 0.72 / n ** 0.55
            value = (w1 * (a + b) / 2 + w2 * (q1 + q3) / 2  # type: ignore[operator]
                     + (1 - w1 - w2) * median)
    elif method == "wan2014" or (method == "bland2015" and case == "S3"):
        value = {"S1": lambda: (a + 2 * median + b) / 4,  # type: ignore[operator]
                 "S2": lambda: (q1 + median + q3) / 3,  # type: ignore[operator]
                 "S3": lambda: (a + 2 * q1 + 2 * median + 2 * q3 + b) / 8,  # type: ignore
                 }[case]()
    elif method == "hozo2005" and case == "S1":
        value = (a + 2 * median + b) / 4 if n <= 25 else median  # type: ignore[operator]
    else:
        raise _not_for(method, case, MEAN_METHODS, "mean")
    return Derived(float(value), method, inputs)


def sd_from_median(n: float, median: float, q1: float | None = None, q3: float | None = None,
                   minimum: float | None = None, maximum: float | None = None,
                   method: str | None = None) -> Derived:
    """The sample SD from quartiles and/or range (``method`` None = the default for
    the case: wan2014 for S1 and S2, shi2020 for S3).

    ``wan2014`` (Wan et al. 2014, eqs 9, 16, and their S3 average):
    (b - a)/xi(n), (q3 - q1)/eta(n), and half the sum of both, with
    xi = 2 Phi^-1((n - 0.375)/(n + 0.25)) and eta = 2 Phi^-1((0.75n - 0.125)/(n + 0.25)).
    ``shi2020`` (Shi et al. 2020, eq 10): w (b - a)/xi + (1 - w)(q3 - q1)/eta with
    w = 1/(1 + 0.07 n^0.6). ``hozo2005`` (range; Hozo's rules): the formula
    sqrt(((a - 2m + b)^2/4 + (b - a)^2)/12) to 15 participants, range/4 to 70,
    range/6 above. ``bland2015`` (all five): Bland's variance formula.
    """
    case = _case(q1, q3, minimum, maximum)
    method = method or ("shi2020" if case == "S3" else "wan2014")
    a, b = minimum, maximum
    if method == "wan2014":
        value = {"S1": lambda: (b - a) / _xi(n),  # type: ignore[operator]
                 "S2": lambda: (q3 - q1) / _eta(n),  # type: ignore[operator]
                 "S3": lambda: ((b - a) / _xi(n) + (q3 - q1) / _eta(n)) / 2,  # type: ignore
                 }[case]()
    elif method == "shi2020" and case == "S3":
        w = 1 / (1 + 0.07 * n ** 0.6)
        value = w * (b - a) / _xi(n) + (1 - w) * (q3 - q1) / _eta(n)  # type: ignore[operator]
    elif method == "hozo2005" and case == "S1":
        if n <= 15:
            value = math.sqrt(((a - 2 * median + b) ** 2 / 4 + (b - a) ** 2) / 12)  # type: ignore
        else:
            value = (b - a) / (4 if n <= 70 else 6)  # type: ignore[operator]
    elif method == "bland2015" and case == "S3":
        s = (a, q1, median, q3, b)
        var = ((s[0] ** 2 + 2 * s[1] ** 2 + 2 * s[2] ** 2 + 2 * s[3] ** 2 + s[4] ** 2) / 16
               + (s[0] * s[1] + s[1] * s[2] + s[2] * s[3] + s[3] * s[4]) / 8
               - (s[0] + 2 * s[1] + 2 * s[2] + 2 * s[3] + s[4]) ** 2 / 64)  # type: ignore
        value = math.sqrt(max(var, 0.0))
    else:
        raise _not_for(method, case, SD_METHODS, "SD")
    return Derived(float(value), method, _inputs(case))


def from_median(n: float, median: float, q1: float | None = None, q3: float | None = None,
                minimum: float | None = None, maximum: float | None = None, *,
                mean_method: str = "luo2018", sd_method: str | None = None) -> MeanSD:
    """Mean and SD from a five-number summary (any of S1, S2, S3), checked for order
    and for skewness (the warning travels in each Derived's ``warnings``)."""
    _positive_n(n, "n", 2)
    check_order({"min": minimum, "q1": q1, "median": median, "q3": q3, "max": maximum})
    skew = skewness_test(n, median, q1, q3, minimum, maximum)
    mean = mean_from_median(n, median, q1, q3, minimum, maximum, mean_method)
    sd = sd_from_median(n, median, q1, q3, minimum, maximum, sd_method)
    if skew.skewed:
        mean, sd = mean.warned(skew.warning()), sd.warned(skew.warning())
    return MeanSD(mean, sd, skew)


def _inputs(case: str) -> tuple[str, ...]:
    return {"S1": ("min", "median", "max", "n"), "S2": ("q1", "median", "q3", "n"),
            "S3": ("min", "q1", "median", "q3", "max", "n")}[case]


_CASE_TEXT = {"S1": "minimum/median/maximum", "S2": "Q1/median/Q3", "S3": "all five numbers"}


def _not_for(method: str, case: str, known: tuple[str, ...], what: str) -> ConversionError:
    if method not in known:
        return ConversionError("median", f"unknown {what} method {method!r} (use one of "
                               f"{', '.join(known)})")
    return ConversionError("median", f"{method} does not estimate the {what} from "
                           f"{_CASE_TEXT[case]}")


def looks_skewed(mean: float, sd: float, minimum: float = 0.0) -> bool:
    """Altman & Bland 1996 (Handbook 10.5.3): for a measure that cannot fall below
    ``minimum``, a mean less than twice the SD above it suggests skewed data."""
    return mean - minimum < 2 * sd


# -- change from baseline ---------------------------------------------------------------


def sd_change(sd_baseline: float, sd_final: float, corr: float, *,
              imputed_from: str = "") -> Derived:
    """SD of the change = sqrt(SDb^2 + SDf^2 - 2 r SDb SDf) (Handbook 6.5.2.8).

    The correlation is an assumption (``imputed_from`` says whose: another study
    reporting all three SDs, or the value the analysis names), so the result is
    *imputed*, not converted.
    """
    if not -1 <= corr <= 1:
        raise ConversionError("correlation", f"must be between -1 and 1 (got {corr:g})")
    for name, sd in (("sd_baseline", sd_baseline), ("sd_final", sd_final)):
        if not sd > 0:
            raise ConversionError(name, f"SD must be > 0 (got {sd:g})")
    var = sd_baseline ** 2 + sd_final ** 2 - 2 * corr * sd_baseline * sd_final
    note = f"correlation {corr:.3g}" + (f" from {imputed_from}" if imputed_from else "")
    return Derived(math.sqrt(max(var, 0.0)), "change_sd_corr", ("sd_baseline", "sd_final"),
                   Origin.IMPUTED, note)


def correlation_from_change(sd_baseline: float, sd_final: float, sd_change: float) -> float:
    """r = (SDb^2 + SDf^2 - SDchange^2) / (2 SDb SDf), from a study reporting all three
    SDs (Handbook 6.5.2.8), to impute other studies' change SDs."""
    for name, sd in (("sd_baseline", sd_baseline), ("sd_final", sd_final),
                     ("sd_change", sd_change)):
        if not sd > 0:
            raise ConversionError(name, f"SD must be > 0 (got {sd:g})")
    r = (sd_baseline ** 2 + sd_final ** 2 - sd_change ** 2) / (2 * sd_baseline * sd_final)
    if not -1 <= r <= 1:
        raise ConversionError("sd_change", f"the three SDs imply a correlation of {r:.3f}, "
                              "outside -1 to 1; check them")
    return r


# -- combining and splitting groups -----------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One arm's continuous summary."""

    n: float
    mean: float
    sd: float


def combine_continuous(groups: list[Group]) -> Group:
    """Handbook 6.5.2.10 (Table 6.5.a): combine groups pairwise into one; the result is
    exactly the mean and SD of the pooled individual data."""
    if not groups:
        raise ConversionError("arm", "no groups to combine")
    out = groups[0]
    for g in groups[1:]:
        n = out.n + g.n
        mean = (out.n * out.mean + g.n * g.mean) / n
        ss = ((out.n - 1) * out.sd ** 2 + (g.n - 1) * g.sd ** 2
              + out.n * g.n / n * (out.mean - g.mean) ** 2)
        out = Group(n, mean, math.sqrt(ss / (n - 1)))
    return out


def combine_dichotomous(counts: list[tuple[float, float]]) -> tuple[float, float]:
    """Handbook 6.5.2.10: events and totals are added."""
    return sum(e for e, _ in counts), sum(n for _, n in counts)


def split_evenly(total: int, parts: int, field: str = "n") -> list[int]:
    """``total`` divided into ``parts`` whole numbers as evenly as possible, the first
    parts taking the remainder (Handbook 23.3.4's split of a shared control)."""
    if parts < 1:
        raise ConversionError(field, "nothing to split into")
    base, extra = divmod(int(total), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def split_control(n: int, parts: int, events: int | None = None) -> list[tuple[int, int | None]]:
    """Share a control arm among ``parts`` comparisons (Handbook 23.3.4): n divided,
    events divided as evenly as integers allow (mean and SD are unchanged by the
    caller). Refuses a split that leaves a comparison without participants."""
    ns = split_evenly(n, parts)
    if min(ns) < 1:
        raise ConversionError("n", f"splitting {n} participants into {parts} comparisons leaves "
                              "a comparison with 0 participants")
    evs: list[int | None] = list(split_evenly(events, parts, "events")) if events is not None \
        else [None] * parts
    return list(zip(ns, evs, strict=True))


# -- cluster and cross-over trials ------------------------------------------------------


def design_effect(mean_cluster_size: float, icc: float) -> float:
    """1 + (M - 1) x ICC (Handbook 23.1.4)."""
    if not mean_cluster_size >= 1:
        raise ConversionError("cluster_size", f"mean cluster size must be >= 1 "
                              f"(got {mean_cluster_size:g})")
    if not 0 <= icc < 1:
        raise ConversionError("icc", f"must be between 0 and 1 (got {icc:g})")
    return 1 + (mean_cluster_size - 1) * icc


def cluster_se(se: float, mean_cluster_size: float, icc: float) -> Derived:
    """A cluster trial analysed as if individually randomised: its SE inflated by
    sqrt(design effect) (Handbook 23.1.4), for generic inverse variance. Converted
    (design-effect adjusted) from the ICC the data give."""
    de = design_effect(mean_cluster_size, icc)
    return Derived(se * math.sqrt(de), "cluster_design_effect", ("se", "cluster_size", "icc"),
                   note=f"design effect {de:.4g}")


@dataclass(frozen=True)
class CrossoverEffect:
    estimate: Derived
    se: Derived


def crossover_md(mean_e: float, mean_c: float, n: float, *, sd_diff: float | None = None,
                 sd_e: float | None = None, sd_c: float | None = None,
                 corr: float | None = None) -> CrossoverEffect:
    """Paired MD of a cross-over trial (Handbook 23.2.7): SE = SDdiff / sqrt(n), with
    SDdiff reported, or from the period SDs and a within-patient correlation
    (SDdiff = sqrt(SDE^2 + SDC^2 - 2 r SDE SDC)); ``n`` participants."""
    _positive_n(n, "n", 2)
    if sd_diff is None:
        if sd_e is None or sd_c is None or corr is None:
            raise ConversionError("sd_diff", "give the SD of the differences, or both "
                                  "periods' SDs and a within-patient correlation")
        sd_diff = sd_change(sd_e, sd_c, corr).value
        origin, note = Origin.IMPUTED, f"correlation {corr:.3g}"
    else:
        origin, note = Origin.CONVERTED, ""
    est = Derived(mean_e - mean_c, "crossover_paired", ("mean_e", "mean_c"))
    return CrossoverEffect(est, Derived(sd_diff / math.sqrt(n), "crossover_paired",
                                        ("sd_diff", "n"), origin, note))


def crossover_smd(mean_e: float, mean_c: float, sd_e: float, sd_c: float, n: float,
                  corr: float) -> CrossoverEffect:
    """Paired SMD of a cross-over trial (Handbook 23.2.7.2): SMD = MD / sqrt((SDE^2 +
    SDC^2)/2), SE = sqrt(1/n + SMD^2/(2n)) x sqrt(2(1 - r))."""
    _positive_n(n, "n", 2)
    if not -1 <= corr <= 1:
        raise ConversionError("correlation", f"must be between -1 and 1 (got {corr:g})")
    smd = (mean_e - mean_c) / math.sqrt((sd_e ** 2 + sd_c ** 2) / 2)
    se = math.sqrt(1 / n + smd ** 2 / (2 * n)) * math.sqrt(2 * (1 - corr))
    return CrossoverEffect(Derived(smd, "crossover_paired", ("mean_e", "mean_c", "sd_e", "sd_c")),
                           Derived(se, "crossover_paired", ("n",), Origin.IMPUTED,
                                   f"correlation {corr:.3g}"))
