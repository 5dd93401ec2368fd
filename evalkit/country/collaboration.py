"""Membership, sector representation, partner engagement and outputs.

Answers "how did membership grow, which sectors are at the table, whose
perspectives are missing, are partners engaged, what resulted?" for working
groups and partnerships (seed 001: Moldova working group 15 → 30 members;
seed 003: multi-sector partnerships with meetings and stipends).

Public functions
----------------
membership_over_time(membership, *, expected_sectors=None, country=None)
partner_engagement(partners, *, unit=None)
partner_membership(partners, *, unit=None)
outputs_over_time(outputs, *, country=None)
has_membership(membership, country=None), has_partners(partners, unit=None),
has_outputs(outputs, country=None)
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.country._common import Result, filter_key, has_rows, require_columns, to_datetime, to_number, to_text
from evalkit.errors import DataError

__all__ = [
    "Membership",
    "PartnerEngagement",
    "Outputs",
    "membership_over_time",
    "partner_engagement",
    "partner_membership",
    "outputs_over_time",
    "has_membership",
    "has_partners",
    "has_outputs",
]

MEMBERSHIP_COLUMNS = ("country", "date", "sector", "members")
PARTNERS_COLUMNS = ("unit", "partner", "sector", "joined", "meetings_held", "meetings_attended", "stipend")
OUTPUTS_COLUMNS = ("country", "date", "output_type", "count")


# ------------------------------------------------------------------ membership
@dataclasses.dataclass(frozen=True)
class Membership(Result):
    """Members over time, growth and sector representation.

    Attributes
    ----------
    totals : DataFrame
        One row per country × date: ``country, date, members, n_sectors,
        change_from_first, pct_change_from_first``.
    growth : DataFrame
        One row per country: ``country, first_date, first_members, last_date,
        last_members, change, pct_change`` (15 → 30 is +100 %).
    by_sector : DataFrame
        One row per country × date × sector (every sector seen for that country
        at every date it reported; a sector absent at a date counts 0):
        ``country, date, sector, members, expected`` (bool: in the expected list).
    representation : DataFrame
        One row per country × date: ``country, date, n_expected,
        n_expected_present, pct_expected_present, missing_sectors`` (names
        joined with "; "), ``other_sectors`` (present but not expected).
    missing : DataFrame
        Tidy list of the missing perspectives: ``country, date, sector``.
    settings : dict
    """

    totals: pd.DataFrame
    growth: pd.DataFrame
    by_sector: pd.DataFrame
    representation: pd.DataFrame
    missing: pd.DataFrame
    settings: dict


def _representation(by_sector: pd.DataFrame, key: str, count: str, expected: Sequence[str] | None):
    """Missing expected sectors per key × date from a complete key × date × sector grid."""
    present = by_sector.loc[by_sector[count] > 0]
    dates = by_sector[[key, "date"]].drop_duplicates().sort_values([key, "date"]).reset_index(drop=True)
    exp = list(dict.fromkeys(expected or []))
    if exp:
        grid = dates.merge(pd.DataFrame({"sector": exp}), how="cross")
        flag = grid.merge(present[[key, "date", "sector"]].assign(_p=True), on=[key, "date", "sector"], how="left")
        flag["_p"] = flag["_p"].fillna(False).astype(bool)
        missing = flag.loc[~flag["_p"], [key, "date", "sector"]].reset_index(drop=True)
        n_present = flag.groupby([key, "date"], sort=True)["_p"].sum().rename("n_expected_present").reset_index()
    else:
        missing = pd.DataFrame({key: pd.Series(dtype="object"), "date": pd.Series(dtype="datetime64[ns]"),
                                "sector": pd.Series(dtype="object")})
        n_present = dates.assign(n_expected_present=0)
    rep = dates.merge(n_present, on=[key, "date"], how="left")
    rep["n_expected"] = len(exp)
    rep["n_expected_present"] = rep["n_expected_present"].fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        rep["pct_expected_present"] = (100.0 * rep["n_expected_present"] / len(exp)) if exp else np.nan
    names = missing.groupby([key, "date"], sort=True)["sector"].agg(lambda s: "; ".join(s)).rename("missing_sectors")
    other = present.loc[~present["sector"].isin(exp)]
    others = other.groupby([key, "date"], sort=True)["sector"].agg(lambda s: "; ".join(sorted(s))).rename(
        "other_sectors")
    rep = rep.merge(names.reset_index(), on=[key, "date"], how="left").merge(others.reset_index(),
                                                                            on=[key, "date"], how="left")
    rep["missing_sectors"] = rep["missing_sectors"].fillna("")
    rep["other_sectors"] = rep["other_sectors"].fillna("")
    rep = rep[[key, "date", "n_expected", "n_expected_present", "pct_expected_present", "missing_sectors",
               "other_sectors"]]
    return rep, missing


def membership_over_time(
    membership: pd.DataFrame,
    *,
    expected_sectors: Sequence[str] | None = None,
    country: str | None = None,
) -> Membership:
    """Members over time, growth since the first count, and missing sectors.

    Parameters
    ----------
    membership : DataFrame
        The ``membership`` table: country, date, sector, members (people).
    expected_sectors : sequence of str, optional
        The sectors that should be at the table (``expected_sectors`` in
        ``params/countries/<id>.yaml``). Expected sectors with no members at a
        date are named as missing perspectives at that date.
    country : str, optional
        Keep only this jurisdiction's rows.

    Returns
    -------
    Membership
        ``totals``, ``growth``, ``by_sector``, ``representation`` and
        ``missing`` tables (columns listed on the class).

    Raises
    ------
    DataError
        Missing columns, unreadable dates or numbers, negative counts.

    Notes
    -----
    members(date) = Σ over sectors; pct_change = 100 × (last − first) / first
    (NaN when the first count is 0). A sector is *present* at a date when it has
    at least one member; a sector listed at some dates but not at another is
    counted as 0 there (the table lists who is at the table). Dates are the
    dates the table reports, not a regular calendar.

    Example
    -------
    >>> m = pd.DataFrame({"country": ["md"] * 2, "date": pd.to_datetime(["2022-03-01", "2022-09-01"]),
    ...     "sector": ["government"] * 2, "members": [15.0, 30.0]})
    >>> float(membership_over_time(m).growth.loc[0, "pct_change"])
    100.0
    """
    require_columns(membership, MEMBERSHIP_COLUMNS, "membership")
    df = filter_key(membership, "country", country).copy()
    df["date"] = to_datetime(df, "date", "membership")
    df["members"] = to_number(df, "members", "membership")
    if (df["members"] < 0).any():
        pos = int(np.flatnonzero((df["members"] < 0).to_numpy())[0])
        raise DataError(f"membership row {pos + 2}, column members: negative count {df['members'].iloc[pos]!r}")
    df["country"] = to_text(df["country"])
    df["sector"] = to_text(df["sector"])
    df = df.groupby(["country", "date", "sector"], sort=True, as_index=False)["members"].sum(min_count=1)

    # complete grid: every sector of the country at every date it reported
    dates = df[["country", "date"]].drop_duplicates()
    sectors = df[["country", "sector"]].drop_duplicates()
    if expected_sectors:
        extra = pd.DataFrame({"country": dates["country"].unique()}).merge(
            pd.DataFrame({"sector": list(expected_sectors)}), how="cross")
        sectors = pd.concat([sectors, extra]).drop_duplicates()
    grid = dates.merge(sectors, on="country")
    by_sector = grid.merge(df, on=["country", "date", "sector"], how="left")
    by_sector["members"] = by_sector["members"].fillna(0.0)
    by_sector["expected"] = by_sector["sector"].isin(list(expected_sectors or []))
    by_sector = by_sector.sort_values(["country", "date", "sector"]).reset_index(drop=True)

    totals = by_sector.groupby(["country", "date"], sort=True).agg(
        members=("members", "sum"), n_sectors=("members", lambda s: int((s > 0).sum()))).reset_index()
    first = totals.groupby("country")["members"].transform("first")
    totals["change_from_first"] = totals["members"] - first
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["pct_change_from_first"] = np.where(first > 0, 100.0 * totals["change_from_first"] / first, np.nan)
    g = totals.groupby("country", sort=True)
    growth = pd.DataFrame({
        "first_date": g["date"].first(), "first_members": g["members"].first(),
        "last_date": g["date"].last(), "last_members": g["members"].last(),
    }).reset_index()
    growth["change"] = growth["last_members"] - growth["first_members"]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth["pct_change"] = np.where(growth["first_members"] > 0,
                                        100.0 * growth["change"] / growth["first_members"], np.nan)
    rep, missing = _representation(by_sector, "country", "members", expected_sectors)
    return Membership(totals=totals, growth=growth, by_sector=by_sector, representation=rep, missing=missing,
                      settings={"country": country, "expected_sectors": list(expected_sectors or [])})


# ---------------------------------------------------------------------- partners
@dataclasses.dataclass(frozen=True)
class PartnerEngagement(Result):
    """Partner engagement: meetings attended / held and stipends.

    Attributes
    ----------
    by_sector : DataFrame
        One row per unit × sector: ``unit, sector, n_partners, meetings_held,
        meetings_attended, attendance_pct, n_with_stipend, stipend_total``.
    partners : DataFrame
        One row per partner: ``unit, partner, sector, joined, meetings_held,
        meetings_attended, attendance_pct, stipend_received, stipend_amount``.
    overall : DataFrame
        One row per unit with the same totals as ``by_sector``.
    settings : dict
    """

    by_sector: pd.DataFrame
    partners: pd.DataFrame
    overall: pd.DataFrame
    settings: dict


def _stipend(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(received bool, amount float) from a stipend column holding yes/no words and/or amounts."""
    s = df["stipend"]
    if pd.api.types.is_bool_dtype(s):
        return s.fillna(False).astype(bool), pd.Series(np.nan, index=df.index)
    if pd.api.types.is_numeric_dtype(s):
        amount = to_number(df, "stipend", "partners")
        return (amount > 0), amount
    low = s.astype("object").map(lambda v: v.strip().lower() if isinstance(v, str) else v)
    words = {"true": True, "yes": True, "false": False, "no": False}
    is_word = low.isin(list(words))
    amount = to_number(pd.DataFrame({"stipend": s.where(~is_word, np.nan)}, index=df.index), "stipend", "partners")
    received = (amount > 0) | low.map(words).eq(True)
    return received.astype(bool), amount


def partner_engagement(partners: pd.DataFrame, *, unit: str | None = None) -> PartnerEngagement:
    """Meetings attended as a share of meetings held, and stipends, per sector.

    Parameters
    ----------
    partners : DataFrame
        The ``partners`` table: unit, partner, sector, joined, meetings_held,
        meetings_attended, stipend (true/false, or an amount paid).
    unit : str, optional
        Keep only this jurisdiction's rows.

    Returns
    -------
    PartnerEngagement
        ``by_sector``, ``partners`` and ``overall`` tables.

    Raises
    ------
    DataError
        Missing columns, unreadable numbers, attended > held.

    Notes
    -----
    attendance_pct = 100 × Σ meetings_attended / Σ meetings_held over the
    partners of the sector (a pooled ratio, so partners who were invited to
    more meetings weigh more); NaN when no meeting was held. A stipend is
    *received* when the column is true or an amount above 0; stipend_total sums
    amounts (NaN when the column is yes/no).

    Example
    -------
    >>> p = pd.DataFrame({"unit": ["ev"] * 2, "partner": ["a", "b"], "sector": ["head-start"] * 2,
    ...     "joined": pd.to_datetime(["2023-01-01"] * 2), "meetings_held": [10.0, 10.0],
    ...     "meetings_attended": [8.0, 4.0], "stipend": [True, False]})
    >>> float(partner_engagement(p).by_sector.loc[0, "attendance_pct"])
    60.0
    """
    require_columns(partners, PARTNERS_COLUMNS, "partners")
    df = filter_key(partners, "unit", unit).copy()
    df["joined"] = to_datetime(df, "joined", "partners")
    df["meetings_held"] = to_number(df, "meetings_held", "partners")
    df["meetings_attended"] = to_number(df, "meetings_attended", "partners")
    over = df["meetings_attended"] > df["meetings_held"]
    if over.any():
        pos = int(np.flatnonzero(over.to_numpy())[0])
        raise DataError(f"partners row {pos + 2}, column meetings_attended: more meetings attended "
                        f"({df['meetings_attended'].iloc[pos]:g}) than held ({df['meetings_held'].iloc[pos]:g})")
    for c in ("unit", "partner", "sector"):
        df[c] = to_text(df[c])
    df["stipend_received"], df["stipend_amount"] = _stipend(df)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["attendance_pct"] = np.where(df["meetings_held"] > 0,
                                        100.0 * df["meetings_attended"] / df["meetings_held"], np.nan)
    table = df[["unit", "partner", "sector", "joined", "meetings_held", "meetings_attended", "attendance_pct",
                "stipend_received", "stipend_amount"]].sort_values(["unit", "sector", "partner"]).reset_index(
        drop=True)

    def _agg(keys):
        g = table.groupby(keys, sort=True, dropna=False)
        out = g.agg(n_partners=("partner", "nunique"), meetings_held=("meetings_held", "sum"),
                    meetings_attended=("meetings_attended", "sum"),
                    n_with_stipend=("stipend_received", "sum"),
                    stipend_total=("stipend_amount", lambda s: s.sum(min_count=1))).reset_index()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["attendance_pct"] = np.where(out["meetings_held"] > 0,
                                             100.0 * out["meetings_attended"] / out["meetings_held"], np.nan)
        out["n_with_stipend"] = out["n_with_stipend"].astype(int)
        return out[keys + ["n_partners", "meetings_held", "meetings_attended", "attendance_pct",
                           "n_with_stipend", "stipend_total"]]

    return PartnerEngagement(by_sector=_agg(["unit", "sector"]), partners=table, overall=_agg(["unit"]),
                             settings={"unit": unit})


def partner_membership(partners: pd.DataFrame, *, unit: str | None = None) -> pd.DataFrame:
    """Turn the partners table into a membership-shaped table (cumulative by join date).

    Parameters
    ----------
    partners : DataFrame
        The ``partners`` table (unit, partner, sector, joined, ...).
    unit : str, optional
        Keep only this jurisdiction's rows.

    Returns
    -------
    DataFrame
        ``country, date, sector, members``: at each distinct join date, the
        number of partners per sector who had joined by then (partners with a
        blank join date are left out). Feed it to :func:`membership_over_time`
        to see sectors represented over time and the missing perspectives.

    Notes
    -----
    The partners table has no leaving date, so partners are assumed to stay.
    """
    require_columns(partners, ("unit", "partner", "sector", "joined"), "partners")
    df = filter_key(partners, "unit", unit).copy()
    df["joined"] = to_datetime(df, "joined", "partners")
    df = df.loc[df["joined"].notna()]
    df["unit"], df["sector"] = to_text(df["unit"]), to_text(df["sector"])
    new = df.groupby(["unit", "joined", "sector"], sort=True).size().rename("new").reset_index()
    dates = new[["unit", "joined"]].drop_duplicates()
    grid = dates.merge(new[["unit", "sector"]].drop_duplicates(), on="unit")
    grid = grid.merge(new, on=["unit", "joined", "sector"], how="left").fillna({"new": 0})
    grid = grid.sort_values(["unit", "sector", "joined"])
    grid["members"] = grid.groupby(["unit", "sector"])["new"].cumsum().astype("float64")
    out = grid.rename(columns={"unit": "country", "joined": "date"})[["country", "date", "sector", "members"]]
    return out.sort_values(["country", "date", "sector"]).reset_index(drop=True)


# ----------------------------------------------------------------------- outputs
@dataclasses.dataclass(frozen=True)
class Outputs(Result):
    """Outputs (e.g. training programmes developed) over time.

    Attributes
    ----------
    over_time : DataFrame
        One row per country × date × output_type: ``country, date, output_type,
        count, cumulative``.
    totals : DataFrame
        One row per country × output_type: ``country, output_type, total,
        first_date, last_date``.
    settings : dict
    """

    over_time: pd.DataFrame
    totals: pd.DataFrame
    settings: dict


def outputs_over_time(outputs: pd.DataFrame, *, country: str | None = None) -> Outputs:
    """Cumulative outputs by type.

    Parameters
    ----------
    outputs : DataFrame
        The ``outputs`` table: country, date, output_type, count (outputs
        produced on that date, not a running total).
    country : str, optional
        Keep only this jurisdiction's rows.

    Returns
    -------
    Outputs
        ``over_time`` and ``totals`` tables.

    Notes
    -----
    cumulative = running sum of count by country × output_type in date order;
    a blank count stays NaN in ``count`` and adds nothing to ``cumulative``.

    Example
    -------
    >>> o = pd.DataFrame({"country": ["md"] * 2, "date": pd.to_datetime(["2023-01-01", "2023-06-01"]),
    ...     "output_type": ["training-programme"] * 2, "count": [40.0, 26.0]})
    >>> outputs_over_time(o).over_time["cumulative"].tolist()
    [40.0, 66.0]
    """
    require_columns(outputs, OUTPUTS_COLUMNS, "outputs")
    df = filter_key(outputs, "country", country).copy()
    df["date"] = to_datetime(df, "date", "outputs")
    df["count"] = to_number(df, "count", "outputs")
    df["country"], df["output_type"] = to_text(df["country"]), to_text(df["output_type"])
    df = df.groupby(["country", "date", "output_type"], sort=True, as_index=False)["count"].sum(min_count=1)
    df = df.sort_values(["country", "output_type", "date"])
    df["cumulative"] = df.groupby(["country", "output_type"])["count"].transform(lambda s: s.fillna(0).cumsum())
    over = df.sort_values(["country", "date", "output_type"]).reset_index(drop=True)
    g = df.groupby(["country", "output_type"], sort=True)
    totals = pd.DataFrame({"total": g["count"].sum(min_count=1), "first_date": g["date"].min(),
                           "last_date": g["date"].max()}).reset_index()
    return Outputs(over_time=over, totals=totals, settings={"country": country})


# -------------------------------------------------------------------- has_data
def has_membership(membership: pd.DataFrame | None, country: str | None = None) -> bool:
    """True when a membership table exists with rows for ``country``."""
    return has_rows(membership, "country", country)


def has_partners(partners: pd.DataFrame | None, unit: str | None = None) -> bool:
    """True when a partners table exists with rows for ``unit``."""
    return has_rows(partners, "unit", unit)


def has_outputs(outputs: pd.DataFrame | None, country: str | None = None) -> bool:
    """True when an outputs table exists with rows for ``country``."""
    return has_rows(outputs, "country", country)
