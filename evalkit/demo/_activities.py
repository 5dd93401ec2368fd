"""Team activity tables of the demo data: survey, PDSA logs, events, IHI assessments.

Helper of :mod:`evalkit.demo.generate` (SYNTHETIC data; invented change ideas and predictions).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.demo._workforce import _month_index, _num, _Unit, _Workforce
from evalkit.demo._design import ESSENTIALS, LEARNING_SESSIONS, SURVEY_FIELDED, TABLE_COLUMNS

# ---------------------------------------------------------------------------------------
# Survey, PDSA, events, assessments (collaborative teams)
# ---------------------------------------------------------------------------------------
def _quantise_cbi(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x / 25.0) * 25.0, 0, 100)


def survey_frame(rng, units: list[_Unit], wf: _Workforce, day0) -> pd.DataFrame:
    frames = []
    rid = 0
    for wave, fielded in enumerate(SURVEY_FIELDED, start=1):
        d = int((np.datetime64(fielded) - day0).astype(int))
        for i, u in enumerate(units):
            if u.country != "us":
                continue
            employed = (wf.unit == i) & (wf.hire <= d) & ((wf.sep < 0) | (wf.sep >= d))
            n = int(rng.binomial(employed.sum(), u.response_rate))
            if n == 0:
                continue
            eff = 0.0
            if u.effect_month is not None and fielded[:7] >= u.effect_month:
                # effects build up: about half at the first survey after the effect month, full a year on
                months_on = _month_index(fielded[:7]) - _month_index(u.effect_month)
                eff = u.burnout_points * min(1.0, 0.5 + months_on / 24)
            latent = rng.normal(u.burnout + eff, 14.0, n)
            items = _quantise_cbi(latent[:, None] + rng.normal(0, 14.0, (n, 7)) + np.array([4, 2, 0, -3, 6, -5, 0]))
            items[:, 6] = 100 - items[:, 6]  # item 7 is reverse-keyed: the raw answer is stored
            itl = np.clip(np.round(2.6 + (latent[:, None] - 50) / 18 + rng.normal(0, 0.8, (n, 3))), 1, 5)
            answers = np.hstack([items, itl])
            answers[rng.random(answers.shape) < 0.015] = np.nan  # a few skipped items
            df = pd.DataFrame(answers, columns=TABLE_COLUMNS["survey"][4:])
            df.insert(0, "response_id", [f"r{wave}-{rid + j:05d}" for j in range(1, n + 1)])
            rid += n
            df.insert(0, "fielded", fielded)
            df.insert(0, "wave", wave)
            df.insert(0, "team_id", u.team_id)
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for col in TABLE_COLUMNS["survey"][4:]:
        out[col] = _num(out[col])
    return out


_CHANGE_IDEAS = {
    "protection-from-harm": ("Physical and psychological safety",
                             ["Peer debrief within 48 hours of a critical incident",
                              "Safety check-in call before evening home visits",
                              "Secondary traumatic stress screening in supervision"]),
    "connection-and-community": ("Social support and belonging",
                                 ["Monthly team talking circle", "Buddy pairs for new caseworkers",
                                  "Shared cultural lunch with elders"]),
    "work-life-harmony": ("Flexibility and autonomy",
                          ["Protected no-meeting Friday afternoons", "Flexible start times for field staff",
                           "Caseload cap for workers in their first 6 months"]),
    "mattering-at-work": ("Recognition and dignity",
                          ["Reflective supervision for every caseworker every month",
                           "Weekly recognition shout-outs at unit meeting", "Director listening sessions"]),
    "opportunity-for-growth": ("Learning and career pathways",
                               ["Stay interviews at 6 months of tenure", "Individual development plans",
                                "Mentoring for aspiring supervisors"]),
}
_ESSENTIAL_MEASURE = {"protection-from-harm": "turnover_rate", "connection-and-community": "wellbeing_pulse",
                      "work-life-harmony": "wellbeing_pulse", "mattering-at-work": "supervision",
                      "opportunity-for-growth": "vacancy_rate"}


def pdsa_frame(rng, units: list[_Unit], day0, end_day: int) -> pd.DataFrame:
    rows = []
    pid = rid = 0
    for u in units:
        if u.role != "participant":
            continue
        improved = u.effect_month is not None and u.hazard_ratio < 1
        n_ramps = 4 if improved else (1 if u.slots < 10 or u.hazard_ratio > 1 else int(rng.integers(2, 4)))
        essentials = rng.permutation(ESSENTIALS)[:n_ramps]
        if improved:  # the improving teams all worked on reflective supervision
            essentials[0] = "mattering-at-work"
        start = int((np.datetime64(u.start_month, "M").astype("datetime64[D]") - day0).astype(int))
        for r, ess in enumerate(essentials):
            rid += 1
            driver, ideas = _CHANGE_IDEAS[ess]
            idea = ideas[0] if (improved and r == 0) else ideas[int(rng.integers(0, len(ideas)))]
            measure = _ESSENTIAL_MEASURE[ess] if rng.random() < 0.85 else ""
            d = start + int(rng.integers(5, 40)) + r * int(rng.integers(45, 120))
            n_cycles = int(rng.integers(3, 6)) if improved else int(rng.integers(2, 5))
            for c in range(n_cycles):
                if d > end_day - 10:
                    break
                pid += 1
                length = int(rng.integers(14, 43))
                end = d + length
                last = c == n_cycles - 1
                if end > end_day:
                    decision, end_txt = "ongoing", ""
                else:
                    if last:
                        decision = "adopt" if (improved or rng.random() < 0.5) else "abandon"
                    else:
                        decision = "adapt" if rng.random() < 0.75 else "adopt"
                    end_txt = str(day0 + np.timedelta64(end, "D"))
                scale = ["one worker", "one unit", "two units", "the whole team", "the whole team"][min(c, 4)]
                prediction = "" if rng.random() < 0.2 else f"{idea} with {scale} will move {measure or 'staff morale'} in the intended direction"
                rows.append({"team_id": u.team_id, "pdsa_id": f"pdsa-{pid:03d}", "ramp_id": f"ramp-{rid:02d}",
                             "change_idea": f"{idea} ({scale})", "essential": ess, "driver": driver,
                             "start_date": str(day0 + np.timedelta64(d, "D")), "end_date": end_txt,
                             "prediction": prediction, "decision": decision, "measure_id": measure})
                d = end + int(rng.integers(3, 22))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS["pdsa"])


def events_frame(units: list[_Unit]) -> pd.DataFrame:
    rows = [{"team_id": "", "date": d, "label": f"Learning Session {i}", "kind": "learning_session"}
            for i, d in enumerate(LEARNING_SESSIONS, start=1)]
    for u in units:
        if u.role == "participant" and u.effect_month and u.hazard_ratio < 1:
            rows.append({"team_id": u.team_id, "date": f"{u.effect_month}-01",
                         "label": "Reflective supervision for all caseworkers began", "kind": "change"})
            rows.append({"team_id": u.team_id, "date": f"{u.effect_month[:4]}-{int(u.effect_month[5:]) + 2:02d}-15",
                         "label": "Hiring panel with fast-track offers adopted", "kind": "change"})
        if u.hazard_ratio > 1:
            rows.append({"team_id": u.team_id, "date": f"{u.effect_month}-01",
                         "label": "Hiring freeze & caseload increase after budget cut", "kind": "other"})
        if u.missing_months:
            rows.append({"team_id": u.team_id, "date": "2023-07-05",
                         "label": "Records system migration: monthly reports paused", "kind": "other"})
    rows += [{"team_id": "prairie-harbor", "date": "2023-06-12", "label": "Monthly team talking circle started",
              "kind": "change"},
             {"team_id": "mesa-southeast", "date": "2024-02-01", "label": "New regional director", "kind": "other"},
             {"team_id": "red-willow-nation", "date": "2023-09-18", "label": "Elders' lunch became monthly",
              "kind": "change"}]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS["events"]).sort_values(["date", "team_id"], kind="stable")


def assessments_frame(rng, units: list[_Unit], labels: np.ndarray) -> pd.DataFrame:
    rows = []
    bimonthly = {"red-willow-nation", "mesa-southeast", "north-lake-band-east"}
    for u in units:
        if u.role != "participant":
            continue
        k0 = _month_index(u.start_month)
        ks = np.arange(k0, labels.size, 2 if u.team_id in bimonthly else 1)
        improved = u.effect_month is not None and u.hazard_ratio < 1
        final = 4.0 if improved else (1.5 if u.hazard_ratio > 1 else float(rng.choice([2.0, 2.5])))
        frac = (ks - k0) / max(labels.size - 1 - k0, 1)
        if u.hazard_ratio > 1:  # the deteriorating team stalls after a first step
            frac = np.minimum(frac * 3, 1.0)
        faculty = np.maximum.accumulate(np.round((1.0 + (final - 1.0) * frac + rng.normal(0, 0.2, ks.size)) * 2) / 2)
        faculty = np.clip(faculty, 0.5, 5.0)
        faculty[-1] = max(faculty[-1], final) if improved else faculty[-1]
        self_ = np.clip(faculty + np.where(rng.random(ks.size) < 0.6, 0.5, 0.0), 0.5, 5.0)
        for rater, score in (("faculty", faculty), ("self", self_)):
            rows += [{"team_id": u.team_id, "period": labels[k], "rater": rater, "score": s}
                     for k, s in zip(ks, score)]
    out = pd.DataFrame(rows, columns=TABLE_COLUMNS["assessments"])
    out["score"] = _num(out["score"])
    return out
