"""Ratings, breakdowns, reports and exports of an inspection, recomputed from the store.

Nothing here is stored except the lead inspector's decisions (`lead_ratings`); every rating,
percentage and breakdown is worked out from the answers each time it is asked for.
"""

from fieldwork.reports.breakdowns import NOT_RECORDED, Breakdown, BreakdownGroup, breakdowns
from fieldwork.reports.exports import FORMATS, export_ratings, ratings_json
from fieldwork.reports.inspection_ratings import CaseCounts, RatingsReport, inspection_ratings
from fieldwork.reports.lead_ratings import (
    JUDGEMENT,
    OVERRIDE,
    LeadDecisions,
    LeadRatingRecord,
    lead_decisions,
    lead_rating_history,
    set_lead_rating,
    withdraw_lead_rating,
)
from fieldwork.reports.research_export import ResearchExport, export_research

__all__ = [
    "FORMATS",
    "JUDGEMENT",
    "NOT_RECORDED",
    "OVERRIDE",
    "Breakdown",
    "BreakdownGroup",
    "CaseCounts",
    "LeadDecisions",
    "LeadRatingRecord",
    "RatingsReport",
    "ResearchExport",
    "breakdowns",
    "export_ratings",
    "export_research",
    "inspection_ratings",
    "lead_decisions",
    "lead_rating_history",
    "ratings_json",
    "set_lead_rating",
    "withdraw_lead_rating",
]
