"""Program metrics: the introduction funnel, rates and deal value by segment and region (admin and analyst)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth import Role, allow
from app.deps import DriverDep
from graph.metrics import ProgramMetrics, program_metrics

router = APIRouter(prefix="/program", tags=["program"])
PROGRAM_READERS = allow(Role.admin, Role.analyst)
Label = Annotated[str | None, Query(max_length=200)]


@router.get("/metrics", response_model=ProgramMetrics, dependencies=[Depends(PROGRAM_READERS)])
def get_program_metrics(
    driver: DriverDep,
    window_from: Annotated[datetime | None, Query(alias="from", description="introductions proposed at or after",
                                                  examples=["2026-01-01T00:00:00Z"])] = None,
    window_to: Annotated[datetime | None, Query(alias="to", description="introductions proposed before",
                                                examples=["2027-01-01T00:00:00Z"])] = None,
    segment: Label = None,
    region: Label = None,
) -> ProgramMetrics:
    """The funnel (proposed, approved, accepted by both, met, deals), acceptance and conversion rates, and deal
    value, overall and by segment and region, for the introductions proposed in the window."""
    return program_metrics(driver, window_from=window_from, window_to=window_to,
                           segment=segment, region=region)
