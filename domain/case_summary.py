"""The one rule for a criminal case's summary columns, read from its suspects (issue 12).

Decisions are taken per suspect (``queries.schema.Suspect``); the case keeps a summary of them
(``arrest_decision``, ``prosecution_decision``, ``plea_leniency``, ``sentencing_rec_*``,
``rec_adopted``) for the case flow, the watch list and the portal. No indicator reads the summary.
The summary is the case's *furthest* decision, with suspects taken in ``seq`` order:

- arrest: the first arrested suspect's decision (批准逮捕 / 决定逮捕) if anyone was arrested, else the
  first reviewed suspect's (不批准逮捕 / 不予逮捕); its time is the earliest arrest decision of the case;
- prosecution: 起诉 if anyone was prosecuted, else the first decided suspect's 不起诉 and its kind;
  its time is the earliest prosecution decision of the case;
- plea: true if any suspect pleaded (认罪认罚);
- recommendation and its adoption: those of the first suspect who has a recommendation.

The sample builder applies the same rule vectorised (``sample_data.core``); the tests check that
both agree. Pure code: plain mappings in, a dict out.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from domain.procedure import ARRESTED, NOT_PROSECUTE, PROSECUTE

SUMMARY_COLUMNS: tuple[str, ...] = (
    "arrest_decided_at", "arrest_decision", "prosecution_decided_at", "prosecution_decision",
    "non_prosecution_type", "plea_leniency", "sentencing_rec_kind", "sentencing_rec_months", "rec_adopted",
)


def summarise(suspects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The case's summary columns from its suspects' rows (keys as in ``Suspect``), by the rule above."""
    rows = sorted(suspects, key=lambda s: s.get("seq") or 0)
    out: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS)
    out["plea_leniency"] = any(bool(s.get("plea")) for s in rows)
    reviewed = [s for s in rows if s.get("arrest_decision")]
    if reviewed:
        arrested = [s for s in reviewed if s["arrest_decision"] in ARRESTED]
        out["arrest_decision"] = (arrested or reviewed)[0]["arrest_decision"]
        times = [s["arrest_decided_at"] for s in reviewed if s.get("arrest_decided_at") is not None]
        out["arrest_decided_at"] = min(times) if times else None
    decided = [s for s in rows if s.get("prosecution_decision")]
    if decided:
        if any(s["prosecution_decision"] == PROSECUTE for s in decided):
            out["prosecution_decision"] = PROSECUTE
        else:
            out["prosecution_decision"] = NOT_PROSECUTE
            out["non_prosecution_type"] = decided[0].get("non_prosecution_type")
        times = [s["prosecution_decided_at"] for s in decided if s.get("prosecution_decided_at") is not None]
        out["prosecution_decided_at"] = min(times) if times else None
    rec = [s for s in rows if s.get("rec_kind")]
    if rec:
        out["sentencing_rec_kind"] = rec[0]["rec_kind"]
        out["sentencing_rec_months"] = rec[0].get("rec_months")
        out["rec_adopted"] = rec[0].get("rec_adopted")
    return out
