"""The smart sentencing ruler's pure rules: guideline tables, range arithmetic, text extraction."""
from domain.sentencing.guideline import (  # noqa: F401
    CIRCUMSTANCES, CIRCUMSTANCES_BY_KEY, CRIMES, CRIMES_BY_NAME, GUIDELINE_CHARGES, LABELS, LABELS_ZH,
    RULESET_VERSION, Circumstance, Crime, Tier, circumstances_for, ruleset_hash, weakest,
)
from domain.sentencing.rules import (  # noqa: F401
    Chosen, Effect, Notice, Pct, Result, Step, allowed_max, compute, confirmations_needed, legal_range,
)
