"""Did burnout, intent to leave or turnover change between before and after? (one team)

Glue between the workforce/survey metrics and the before/after statistics of
:mod:`evalkit.effects.prepost`, with sentences from :mod:`evalkit.effects.narrative`:

* :func:`survey_change` — a survey scale in two waves of one team: Welch's t
  with Hedges' g on the scale scores, and the share at or above the
  instrument's cut-off with Newcombe's interval for the difference.
* :func:`turnover_change` — separations before vs after the team's start as a
  Poisson rate ratio, exposure = staff-months (total and voluntary).

Both return a frozen :class:`PrePostSummary`: an aggregate table (never a
respondent or staff row), one sentence per table row, and the settings used.
``PrePostSummary.report_table()`` is the version for reports, with small
counts hidden by :func:`evalkit.privacy.suppress_counts`.

Privacy choices (brief: counts of people under 10 shown as "hidden", survey
groups under 5 respondents suppressed):

* Survey: a wave with fewer than ``min_respondents`` scored respondents gets no
  estimate at all (NaN in the table, a "not shown" sentence). A share at or
  above the cut-off whose count — or the count below it — is 1 …
  ``min_respondents`` − 1 in a wave is not shown, nor is its difference, exactly as
  :func:`evalkit.workforce.survey.suppressed_summary` hides it in the survey section.
* Turnover: when a period has fewer than ``min_count`` separations, the report
  table shows both periods' separations as "hidden" and everything computed from
  them — the two rates, the rate ratio, its interval, p-value and width — as
  "suppressed", and the sentence says the comparison is not shown. With the
  staff-months shown, any one of those figures gives the counts back: a rate
  times the staff-months is the count, and leaver counts 1/2, 2/4 and 3/6 give
  the same ratio but different intervals. The staff-months stay (alone they
  reveal no one).
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.errors import DataError, InputError
from evalkit.privacy import HIDDEN_COUNT
from evalkit.effects.narrative import (
    _month_text,
    suppressed_change_sentence,
    survey_change_sentence,
    turnover_change_sentence,
)
from evalkit.effects.prepost import difference_in_proportions, rate_ratio, welch_t

__all__ = ["PrePostSummary", "survey_change", "turnover_change"]

SURVEY_COLUMNS = [
    "scale", "wave_before", "wave_after", "n_before", "n_after", "mean_before", "mean_after", "difference",
    "ci_low", "ci_high", "p_value", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high", "pct_before", "pct_after",
    "pct_difference", "pct_ci_low", "pct_ci_high", "pct_p_value", "suppressed", "pct_suppressed",
]
TURNOVER_COLUMNS = [
    "kind", "months_before", "months_after", "staff_months_before", "staff_months_after", "separations_before",
    "separations_after", "rate_before", "rate_after", "rate_ratio", "ci_low", "ci_high", "p_value",
    "ci_width_ratio", "small_counts",
]

#: Turnover figures computed from the separation counts: suppressed with them.
_FROM_SEPARATIONS = ("rate_before", "rate_after", "rate_ratio", "ci_low", "ci_high", "p_value", "ci_width_ratio")


@dataclass(frozen=True)
class PrePostSummary:
    """Before/after change for one team, ready for a report.

    Attributes
    ----------
    kind : {"survey", "turnover"}
    table : DataFrame
        Aggregate results (columns documented by :func:`survey_change` and
        :func:`turnover_change`); exact numbers, no respondent or staff rows.
    sentences : tuple of str
        One over-claim-safe sentence per row of ``table``, in the same order.
    design : str
        "Before/after within one team (…)".
    definition : str
        What was compared and how; print it beside the table.
    settings : dict
        The arguments used (team, waves or months, thresholds, method).
    warnings : tuple of str
    """

    kind: str
    table: pd.DataFrame
    sentences: tuple[str, ...]
    design: str
    definition: str
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def report_table(self) -> pd.DataFrame:
        """The table for a report: small counts "hidden", figures derived from them "suppressed".

        Returns
        -------
        DataFrame
            Display copy (object columns). Survey: ``n_before``/``n_after``
            under ``min_respondents`` read "hidden" (zero stays 0); percentages of
            a wave whose count at or above the cut-off was hidden read
            "suppressed", with the difference and its CI. The flag columns
            (``suppressed``, ``pct_suppressed``, ``small_counts``) are dropped.
            Turnover: separations under ``min_count`` read "hidden" in both
            periods of the row, and every figure computed from them (the two
            rates, ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value``,
            ``ci_width_ratio``) "suppressed".
        """
        from evalkit.privacy import suppress_counts

        t = self.table
        if self.kind == "survey":
            threshold = int(self.settings["min_respondents"])
            shown = suppress_counts(t, ["n_before", "n_after"], threshold=threshold)
            pct = ["pct_before", "pct_after", "pct_difference", "pct_ci_low", "pct_ci_high", "pct_p_value"]
            hide = t["pct_suppressed"].to_numpy(bool) & ~t["suppressed"].to_numpy(bool)
            for col in pct:
                shown[col] = shown[col].astype(object).where(~hide, "suppressed")
            return shown.drop(columns=["suppressed", "pct_suppressed"])
        threshold = int(self.settings["min_count"])
        shown = t.drop(columns=["small_counts"]).astype({c: object for c in t.columns if c != "small_counts"})
        small = t["small_counts"].to_numpy(bool)
        for col in ("separations_before", "separations_after"):
            shown[col] = shown[col].where(~small, HIDDEN_COUNT)
        for col in _FROM_SEPARATIONS:
            shown[col] = shown[col].where(~small, "suppressed")
        return shown

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return (f"<div><strong>{html.escape(self.design)}</strong>"
                f"<p style='max-width:60em'>{html.escape(self.definition)}</p><ul>{items}</ul>"
                + (f"<p>Warnings:</p><ul>{warn}</ul>" if warn else "")
                + self.report_table().to_html(index=False, na_rep="–") + "</div>")


# --------------------------------------------------------------------------- survey
def _instrument_field(instrument, name: str, default=None):
    if isinstance(instrument, dict):
        return instrument.get(name, default)
    return getattr(instrument, name, default)


def survey_change(
    survey: pd.DataFrame,
    instrument,
    *,
    team_id: str,
    before_wave: int | None = None,
    after_wave: int | None = None,
    min_respondents: int = 5,
    name: str | None = None,
    conf_level: float = 0.95,
    decimals: int = 1,
) -> PrePostSummary:
    """Change in a survey scale between two waves of one team (before/after).

    Parameters
    ----------
    survey : DataFrame
        Survey table (team_id, wave, response_id, item columns).
    instrument : mapping or object
        Instrument definition, e.g. ``load_collaborative(params).instruments["cbi_work"]``
        (label, items, reverse, response range, min_items, cutoff, higher_is, subscales).
    team_id : str
    before_wave, after_wave : int, optional
        Waves to compare. Default: the team's first and last wave with any response.
    min_respondents : int, default 5
        Fewest scored respondents in a wave for an estimate (params
        ``suppression.min_respondents``); also the smallest count at or above
        the cut-off that is shown.
    name : str, optional
        Name of the whole scale in ``scale`` (default the instrument's label).
    conf_level : float, default 0.95
    decimals : int, default 1
        Rounding in the sentences only.

    Returns
    -------
    PrePostSummary
        ``kind="survey"``; ``table`` has one row per scale (the instrument, then
        its subscales) with ``scale``, ``wave_before``, ``wave_after``,
        ``n_before``, ``n_after`` (respondents with a score), ``mean_before``,
        ``mean_after``, ``difference`` (after − before, scale points), ``ci_low``,
        ``ci_high`` (Welch t interval), ``p_value``, ``hedges_g``,
        ``hedges_g_ci_low``, ``hedges_g_ci_high``, ``pct_before``, ``pct_after``
        (% at or above the cut-off), ``pct_difference`` (percentage points),
        ``pct_ci_low``, ``pct_ci_high`` (Newcombe), ``pct_p_value``, ``suppressed``
        (a wave under ``min_respondents``: every estimate NaN) and
        ``pct_suppressed`` (no cut-off, or a count at or above it, or below
        it, of 1 … ``min_respondents`` − 1 in a wave: the share is not
        reported in the sentence or the report table). ``sentences`` has one sentence per row.

    Raises
    ------
    DataError
        No survey rows for ``team_id``, or the survey lacks team_id/wave or an item column.
    InputError
        A requested wave has no responses for the team, ``after_wave`` is not
        after ``before_wave``, the team has a single wave and no waves were
        given, or ``min_respondents`` < 2.

    Notes
    -----
    Scores from :func:`evalkit.workforce.survey.score_survey` (reverse keys, minimum items).
    Means: Welch (1947) t interval and Hedges' g (:func:`evalkit.effects.prepost.welch_t`).
    Shares: difference in proportions with Newcombe (1998) hybrid score interval
    (:func:`evalkit.effects.prepost.difference_in_proportions`). The two waves are
    treated as independent samples (responses are anonymous, so the same person
    cannot be linked across waves); if most staff answer both waves this is
    conservative. The instrument's ``higher_is`` decides whether a fall is
    called an improvement.

    Example
    -------
    >>> from evalkit.workforce.survey import INTENT_TO_LEAVE
    >>> s = pd.DataFrame({"team_id": "t", "wave": [1] * 5 + [2] * 5,
    ...                   "itl_1": [4, 5, 4, 3, 4, 2, 3, 2, 2, 3], "itl_2": [4, 4, 5, 3, 4, 2, 2, 3, 2, 2],
    ...                   "itl_3": [5, 4, 4, 4, 3, 3, 2, 2, 1, 2]})
    >>> round(float(survey_change(s, INTENT_TO_LEAVE, team_id="t").table["difference"].iloc[0]), 6)
    -1.8
    """
    from evalkit.workforce.survey import score_survey

    if int(min_respondents) != min_respondents or min_respondents < 2:
        raise InputError(f"min_respondents = {min_respondents!r} must be a whole number of at least 2")
    for col in ("team_id", "wave"):
        if col not in survey.columns:
            raise DataError(f"survey table: column {col} missing; add it (see the data model)")
    team = survey[survey["team_id"].astype(str) == str(team_id)]
    if team.empty:
        raise DataError(f"survey table has no rows for team {team_id}; check the team_id")
    waves = sorted(int(w) for w in pd.to_numeric(team["wave"], errors="coerce").dropna().unique())
    if before_wave is None and after_wave is None and len(waves) < 2:
        raise InputError(f"team {team_id} has only survey wave {waves[0]}, so there is nothing to compare with")
    before = waves[0] if before_wave is None else int(before_wave)
    after = waves[-1] if after_wave is None else int(after_wave)
    for w in (before, after):
        if w not in waves:
            raise InputError(f"team {team_id} has no survey responses in wave {w}; its waves are "
                             f"{', '.join(map(str, waves))}")
    if after <= before:
        raise InputError(f"after_wave ({after}) must be later than before_wave ({before})")
    label = str(_instrument_field(instrument, "label", "") or "scale")
    cutoff = _instrument_field(instrument, "cutoff", None)
    higher_is = str(_instrument_field(instrument, "higher_is", "worse"))
    wb, wa = f"W{before}", f"W{after}"
    design = f"Before/after within one team (survey waves {wb} and {wa})"

    scored = score_survey(team, instrument, name=name)
    scored = scored[scored["score"].notna()].assign(wave=pd.to_numeric(scored["wave"], errors="coerce"))
    scales = [name or label, *(_instrument_field(instrument, "subscales", None) or {})]
    rows, sentences = [], []
    for scale in scales:  # a few scales, not people
        sc = scored[scored["scale"] == scale]
        a, b = sc[sc["wave"] == after], sc[sc["wave"] == before]
        row = dict.fromkeys(SURVEY_COLUMNS, np.nan)
        row.update(scale=scale, wave_before=before, wave_after=after, n_before=len(b), n_after=len(a),
                   suppressed=False, pct_suppressed=False)
        scale_label = label if scale == (name or label) else f"{label}: {scale}"
        small = [w for w, n in ((wb, len(b)), (wa, len(a))) if n < min_respondents]
        if small:
            row["suppressed"] = True
            rows.append(row)
            sentences.append(suppressed_change_sentence(design=design, label=scale_label,
                                                        threshold=int(min_respondents), waves=tuple(small)))
            continue
        means = welch_t(a["score"].to_numpy(float), b["score"].to_numpy(float), conf_level=conf_level)
        d, g = means.term("difference_in_means"), means.term("hedges_g")
        row.update(mean_before=float(b["score"].mean()), mean_after=float(a["score"].mean()),
                   difference=float(d["estimate"]), ci_low=float(d["ci_low"]), ci_high=float(d["ci_high"]),
                   p_value=float(d["p_value"]), hedges_g=float(g["estimate"]), hedges_g_ci_low=float(g["ci_low"]),
                   hedges_g_ci_high=float(g["ci_high"]))
        shares, note = None, None
        if cutoff is not None:
            xa, xb = int(a["at_or_above_cutoff"].sum()), int(b["at_or_above_cutoff"].sum())
            shares = difference_in_proportions(xa, len(a), xb, len(b), conf_level=conf_level)
            p = shares.term("difference_in_proportions")
            row.update(pct_before=100 * xb / len(b), pct_after=100 * xa / len(a),
                       pct_difference=100 * float(p["estimate"]), pct_ci_low=100 * float(p["ci_low"]),
                       pct_ci_high=100 * float(p["ci_high"]), pct_p_value=float(p["p_value"]))
            # the count below the cut-off (n − x) follows from the shown n and share: small is hidden too
            hidden = [w for w, x, n in ((wb, xb, len(b)), (wa, xa, len(a)))
                      if 0 < x < min_respondents or 0 < n - x < min_respondents]
            row["pct_suppressed"] = bool(hidden)
            if hidden:
                shares = None
                note = (f"The share scoring {float(cutoff):g} or more is not shown because fewer than "
                        f"{int(min_respondents)} respondents scored that high, or below it, in wave"
                        f"{'s' if len(hidden) > 1 else ''} {' and '.join(hidden)}.")
        rows.append(row)
        sentences.append(survey_change_sentence(means, shares, label=scale_label, cutoff=cutoff,
                                                higher_is=higher_is, design=design, share_note=note,
                                                decimals=decimals))
    table = pd.DataFrame(rows, columns=SURVEY_COLUMNS)
    table = table.astype({"n_before": "int64", "n_after": "int64", "suppressed": bool, "pct_suppressed": bool})
    cut = "" if cutoff is None else f" Share at or above the cut-off ({float(cutoff):g}) with Newcombe's interval."
    definition = (f"{label}, team {team_id}: scores of respondents in wave {before} (before) and wave {after} "
                  f"(after), compared as independent samples (Welch's t interval for the difference in means, "
                  f"Hedges' g).{cut} Higher is {higher_is}. Waves with fewer than {int(min_respondents)} scored "
                  "respondents are not reported.")
    settings = {"team_id": team_id, "before_wave": before, "after_wave": after,
                "min_respondents": int(min_respondents), "conf_level": conf_level, "higher_is": higher_is,
                "cutoff": cutoff, "instrument": label}
    return PrePostSummary("survey", table, tuple(sentences), design, definition, settings)


# --------------------------------------------------------------------------- turnover
def _month(value, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what} must be a month like 2023-06, got {value!r}") from exc
    if pd.isna(ts):
        raise InputError(f"{what} must be a month like 2023-06, got {value!r}")
    return ts.to_period("M").to_timestamp()


def _count_or_none(value, what: str) -> int | None:
    if value is None:
        return None
    if int(value) != value or value < 1:
        raise InputError(f"{what} = {value!r} must be a whole number of months, at least 1")
    return int(value)


def turnover_change(
    roster_or_monthly,
    *,
    team_id: str,
    start,
    before_months: int | None = None,
    after_months: int | None = None,
    first_month=None,
    last_month=None,
    method: str = "exact",
    min_count: int = 10,
    count_transfers_as_separations: bool = False,
    conf_level: float = 0.95,
    decimals: int = 1,
) -> PrePostSummary:
    """Separations before vs after a team's start, as a rate ratio per staff-month.

    Parameters
    ----------
    roster_or_monthly : DataFrame or MetricTable
        Either the roster table (team_id, hire_date, separation_date,
        separation_type), or the result of :func:`evalkit.workforce.staffing.monthly_workforce`
        (or its ``table``: team_id, period, average_headcount, separations,
        separations_voluntary).
    team_id : str
    start : str or date
        The team's start month (``intervention_start`` from its params, else
        teams.start_month). Months before it are "before"; it and later months
        are "after".
    before_months, after_months : int, optional
        How many months on each side (immediately before the start; from the
        start on). Default: every month available on that side.
    first_month, last_month : str or date, optional
        The months the data cover (e.g. "2022-01", "2024-12"). With a roster,
        give these or both ``before_months`` and ``after_months`` (a roster
        lists hire dates going back decades, but leavers are only listed from
        the start of data collection).
    method : {"exact", "wald"}, default "exact"
        Interval of the rate ratio (:func:`evalkit.effects.prepost.rate_ratio`).
    min_count : int, default 10
        Smallest number of separations shown (params ``suppression.min_count``).
    count_transfers_as_separations : bool, default False
        Roster input only: passed to :func:`~evalkit.workforce.staffing.monthly_workforce`.
    conf_level : float, default 0.95
    decimals : int, default 1
        Rounding of the rates in the sentences.

    Returns
    -------
    PrePostSummary
        ``kind="turnover"``; ``table`` has rows ``kind`` = "total" and
        "voluntary" with ``months_before``, ``months_after``,
        ``staff_months_before``, ``staff_months_after`` (Σ average headcount),
        ``separations_before``, ``separations_after``, ``rate_before``,
        ``rate_after`` (separations per 100 staff-months = % per month),
        ``rate_ratio`` (after ÷ before), ``ci_low``, ``ci_high``, ``p_value``,
        ``ci_width_ratio`` (ci_high ÷ ci_low) and ``small_counts`` (a period
        has 1 to ``min_count`` − 1 separations; a zero is shown, as everywhere:
        :meth:`PrePostSummary.report_table` then hides the counts and every
        figure from them, and the sentence says the comparison is not shown). ``settings`` holds the first and
        last month of each period.

    Raises
    ------
    DataError
        Missing columns, or no rows for the team.
    InputError
        A bad month, a roster without a window (see ``first_month``), no months
        or no staff-months on one side of the start.

    Notes
    -----
    Exposure = staff-months = Σ over the months of the average headcount
    ((employed on the 1st + employed on the 1st of the next month) ÷ 2), so the
    rate is the monthly turnover rate of :mod:`evalkit.workforce.staffing` pooled over
    the period: Σ separations ÷ Σ average headcount × 100. The ratio treats
    separations as Poisson with that exposure (Rothman & Greenland 1998, ch.
    14); months are pooled, so seasonality and trends that are not related to
    the start are not removed — use the interrupted time series for those.

    Example
    -------
    >>> m = pd.DataFrame({"team_id": "t", "period": pd.date_range("2023-01", periods=4, freq="MS"),
    ...                   "average_headcount": 40.0, "separations": [2, 2, 1, 1],
    ...                   "separations_voluntary": [1, 1, 1, 0]})
    >>> r = turnover_change(m, team_id="t", start="2023-03")
    >>> float(r.table["rate_ratio"].iloc[0])
    0.5
    """
    from evalkit.workforce._common import MetricTable

    before_months = _count_or_none(before_months, "before_months")
    after_months = _count_or_none(after_months, "after_months")
    if int(min_count) != min_count or min_count < 1:
        raise InputError(f"min_count = {min_count!r} must be a whole number of at least 1")
    start = _month(start, "start")
    lo = start - pd.DateOffset(months=before_months) if before_months else None
    hi = start + pd.DateOffset(months=after_months - 1) if after_months else None
    if first_month is not None:
        fm = _month(first_month, "first_month")
        lo = fm if lo is None else max(lo, fm)
    if last_month is not None:
        lm = _month(last_month, "last_month")
        hi = lm if hi is None else min(hi, lm)
    if lo is not None and hi is not None and hi < lo:
        raise InputError(f"the months run from {lo:%Y-%m} to {hi:%Y-%m}; last_month must not be before first_month")

    data = roster_or_monthly.table if isinstance(roster_or_monthly, MetricTable) else roster_or_monthly
    if not isinstance(data, pd.DataFrame):
        raise InputError("roster_or_monthly must be the roster table or a monthly_workforce result")
    if "team_id" not in data.columns:
        raise DataError("the table has no team_id column; use the roster or monthly_workforce(by='team_id')")
    data = data[data["team_id"].astype(str) == str(team_id)]
    if data.empty:
        raise DataError(f"no rows for team {team_id}; check the team_id")
    if "hire_date" in data.columns:
        from evalkit.workforce import monthly_workforce

        if lo is None or hi is None:
            raise InputError("with a roster, give first_month and last_month (the months it covers, e.g. '2022-01' "
                             "and '2024-12') or both before_months and after_months")
        monthly = monthly_workforce(data, start=lo, end=hi, by="team_id",
                                    count_transfers_as_separations=count_transfers_as_separations).table
    else:
        need = ["period", "average_headcount", "separations", "separations_voluntary"]
        missing = [c for c in need if c not in data.columns]
        if missing:
            raise DataError(f"monthly table: column(s) {', '.join(missing)} missing; use monthly_workforce()")
        monthly = data
    period = pd.to_datetime(monthly["period"]).dt.to_period("M").dt.to_timestamp()
    keep = period.notna() & pd.to_numeric(monthly["average_headcount"], errors="coerce").notna()
    if lo is not None:
        keep &= period >= lo
    if hi is not None:
        keep &= period <= hi
    monthly, period = monthly[keep], period[keep]
    after_mask = (period >= start).to_numpy()
    sides = {}
    for side, mask in (("before", ~after_mask), ("after", after_mask)):
        m = monthly[mask]
        if m.empty:
            raise InputError(f"team {team_id} has no months {side} the start {start:%Y-%m}; check start and the months")
        exposure = float(pd.to_numeric(m["average_headcount"]).sum())
        if exposure <= 0:
            raise InputError(f"team {team_id} has no staff in the months {side} the start, so no rate can be computed")
        p = period[mask]
        sides[side] = {"months": int(p.nunique()), "first": p.min(), "last": p.max(), "exposure": exposure,
                       "total": float(pd.to_numeric(m["separations"]).sum()),
                       "voluntary": float(pd.to_numeric(m["separations_voluntary"]).sum())}
    b, a = sides["before"], sides["after"]
    warnings = []
    for side, asked in (("before", before_months), ("after", after_months)):
        if asked and sides[side]["months"] < asked:
            warnings.append(f"only {sides[side]['months']} months {side} the start are available "
                            f"(asked for {asked})")
    design = (f"Before/after within one team (separations per staff-month, {b['months']} month"
              f"{'s' if b['months'] != 1 else ''} before and {a['months']} month{'s' if a['months'] != 1 else ''} "
              f"after the start in {_month_text(start)})")
    rows, sentences = [], []
    for kind, label in (("total", "separations"), ("voluntary", "voluntary separations")):
        rr = rate_ratio(a[kind], a["exposure"], b[kind], b["exposure"], method=method, conf_level=conf_level)
        t = rr.term("rate_ratio")
        est, ci_lo, ci_hi = float(t["estimate"]), float(t["ci_low"]), float(t["ci_high"])
        small = any(0 < c < min_count for c in (a[kind], b[kind]))  # a zero is shown, as everywhere
        rate_b, rate_a = 100 * b[kind] / b["exposure"], 100 * a[kind] / a["exposure"]
        rows.append({"kind": kind, "months_before": b["months"], "months_after": a["months"],
                     "staff_months_before": b["exposure"], "staff_months_after": a["exposure"],
                     "separations_before": int(b[kind]), "separations_after": int(a[kind]),
                     "rate_before": rate_b, "rate_after": rate_a, "rate_ratio": est, "ci_low": ci_lo,
                     "ci_high": ci_hi, "p_value": float(t["p_value"]),
                     "ci_width_ratio": ci_hi / ci_lo if ci_lo > 0 else math.inf, "small_counts": bool(small)})
        sentences.append(turnover_change_sentence(rr, label=label, design=design, rate_before=rate_b,
                                                  rate_after=rate_a, small_counts=small, threshold=int(min_count),
                                                  decimals=decimals))
    table = pd.DataFrame(rows, columns=TURNOVER_COLUMNS)
    transfers = "counted" if count_transfers_as_separations else "not counted"
    definition = (f"Team {team_id}: separations (voluntary, involuntary and other; transfers {transfers}) per "
                  f"staff-month before the start ({b['first']:%Y-%m} to {b['last']:%Y-%m}) and from the start on "
                  f"({a['first']:%Y-%m} to {a['last']:%Y-%m}). Staff-months = sum over the months of the average "
                  "headcount ((employed on the 1st + employed on the 1st of the next month) ÷ 2); rate = "
                  "separations ÷ staff-months × 100 (% per month). Rate ratio = rate after ÷ rate before, "
                  f"{'exact conditional (Clopper–Pearson)' if method == 'exact' else 'Wald'} interval. Counts under "
                  f"{int(min_count)} are shown as \"<{int(min_count)}\", and the rates and the ratio computed from them "
                  "are not shown.")
    settings = {"team_id": team_id, "start": start, "before_months": before_months, "after_months": after_months,
                "first_month_before": b["first"], "last_month_before": b["last"], "first_month_after": a["first"],
                "last_month_after": a["last"], "method": method, "min_count": int(min_count),
                "count_transfers_as_separations": count_transfers_as_separations, "conf_level": conf_level}
    return PrePostSummary("turnover", table, tuple(sentences), design, definition, settings, tuple(warnings))
