"""Stored suggestions: `(:Customer)-[:SUGGESTED_INTRO]->(:Customer)` per run, with reasons, replaced atomically.

A run writes its edges in batches, then commits a `SuggestionRun` marker; readers only ever see the latest
completed run, so they see the old suggestions or the new ones, never a mix. Superseded runs are then deleted.
"""

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from neo4j import Driver, RoutingControl

from graph.cypher import query
from graph.reasons import Reason, reason_text


@dataclass(frozen=True)
class SuggestionRow:
    needer_id: str
    provider_id: str
    score: float
    rank: int
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class StoredSuggestion:
    provider_id: str
    score: float
    rank: int
    model_version: str
    reasons: list[Reason]
    reason_text: str
    created_at: datetime | None


def _row(r: SuggestionRow) -> dict:
    return {"needer_id": r.needer_id, "provider_id": r.provider_id, "score": float(r.score), "rank": int(r.rank),
            "reasons": json.dumps([x.stored() for x in r.reasons], ensure_ascii=False),
            "reason_text": reason_text(r.reasons)}


def replace_suggestions(driver: Driver, *, version: str, rows: list[SuggestionRow], batch_size: int = 5000,
                        delete_batch: int = 20_000) -> str:
    """Write a new run of suggestions, make it the visible one, delete every other; returns the run id."""
    run_id = f"{version}:{secrets.token_hex(4)}"
    created = datetime.now(UTC).isoformat()
    for start in range(0, len(rows), batch_size):
        batch = [_row(r) for r in rows[start:start + batch_size]]
        driver.execute_query(query("suggestion_run_batch"), rows=batch, run_id=run_id, version=version,
                             created_at=created)
    driver.execute_query(query("suggestion_run_complete"), run_id=run_id, version=version,
                         completed_at=datetime.now(UTC).isoformat(), rows=len(rows))
    while True:
        records, _, _ = driver.execute_query(query("suggestion_run_prune_edges"), run_id=run_id,
                                             limit=delete_batch)
        if not records or records[0]["deleted"] == 0:
            break
    driver.execute_query(query("suggestion_run_prune_markers"), run_id=run_id)
    return run_id


def suggestions_for(driver: Driver, *, customer_id: str, k: int) -> list[StoredSuggestion]:
    """The customer's suggestions from the latest completed run, by rank (no eligibility filter: callers apply it)."""
    records, _, _ = driver.execute_query(query("suggestions_for"), customer_id=customer_id, k=int(k),
                                         routing_=RoutingControl.READ)
    out = []
    for r in records:
        created = r["created_at"].to_native() if r["created_at"] is not None else None
        reasons = [Reason.from_stored(x) for x in json.loads(r["reasons"] or "[]")]
        out.append(StoredSuggestion(provider_id=r["provider_id"], score=float(r["score"]), rank=int(r["rank"]),
                                    model_version=r["model_version"], reasons=reasons,
                                    reason_text=r["reason_text"] or "", created_at=created))
    return out
