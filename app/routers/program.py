"""Program metrics: the introduction funnel, rates and deal value by segment and region."""

from fastapi import APIRouter

router = APIRouter(prefix="/program", tags=["program"])
