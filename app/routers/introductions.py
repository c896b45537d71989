"""Introductions: propose, vet, double opt-in, outcome and feedback, with the audit trail."""

from fastapi import APIRouter

router = APIRouter(prefix="/introductions", tags=["introductions"])
