"""Why a pair is proposed: the needer's open needs that the provider's capabilities serve (same category).

Also the rule-based ranking (category match weighted by quality) used for cold start when no model is loaded.
"""

from collections import defaultdict

from neo4j import Driver, RoutingControl
from pydantic import BaseModel

from graph.cypher import query
from graph.eligibility import eligible_candidates

SNIPPET = 160  # characters of need / capability text shown with a reason


def snippet(text: str, limit: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Reason(BaseModel):
    need_id: str
    need_category: str
    need_description: str
    capability_id: str
    capability_category: str
    capability_description: str
    quality: float

    def stored(self) -> dict:
        """The reason as stored on `SUGGESTED_INTRO.reasons` (the data model's key names)."""
        return {"need_id": self.need_id, "need_category": self.need_category, "need_text": self.need_description,
                "capability_id": self.capability_id, "capability_category": self.capability_category,
                "capability_text": self.capability_description, "quality": self.quality}

    @classmethod
    def from_stored(cls, data: dict) -> "Reason":
        return cls(need_id=data["need_id"], need_category=data["need_category"],
                   need_description=data.get("need_text", ""), capability_id=data["capability_id"],
                   capability_category=data["capability_category"],
                   capability_description=data.get("capability_text", ""), quality=float(data["quality"]))

    def sentence(self) -> str:
        need = f" ({self.need_description})" if self.need_description else ""
        return (f"open need '{self.need_category}'{need} meets a '{self.capability_category}' capability "
                f"of quality {self.quality:.1f}/5")


def pair_reasons(driver: Driver, *, pairs: list[tuple[str, str]], batch_size: int = 2000
                 ) -> dict[tuple[str, str], list[Reason]]:
    """Reasons for every pair (needer, provider), best quality first; a pair without a reason maps to []."""
    out: dict[tuple[str, str], list[Reason]] = defaultdict(list)
    unique = list(dict.fromkeys(pairs))
    for start in range(0, len(unique), batch_size):
        batch = [{"needer_id": a, "provider_id": b} for a, b in unique[start:start + batch_size]]
        records, _, _ = driver.execute_query(query("pair_reasons"), pairs=batch, routing_=RoutingControl.READ)
        for r in records:
            out[(r["needer_id"], r["provider_id"])].append(Reason(
                need_id=r["need_id"], need_category=str(r["need_category"]),
                need_description=snippet(r["need_description"]), capability_id=r["capability_id"],
                capability_category=str(r["capability_category"]),
                capability_description=snippet(r["capability_description"]), quality=float(r["quality"])))
    return {p: out.get(p, []) for p in unique}


def reason_text(reasons: list[Reason]) -> str:
    """One plain sentence for Browser."""
    if not reasons:
        return ""
    more = f" (and {len(reasons) - 1} more match{'es' if len(reasons) > 2 else ''})" if len(reasons) > 1 else ""
    first = reasons[0].sentence()
    return first[0].upper() + first[1:] + more + "."


def category_match_candidates(driver: Driver, *, customer_id: str, k: int) -> list[tuple[str, float]]:
    """Eligible providers ranked by how many of the customer's open-need categories they serve, then quality."""
    if k <= 0:
        return []
    records, _, _ = driver.execute_query(query("category_match_candidates"), customer_id=customer_id,
                                         limit=3 * k + 20, routing_=RoutingControl.READ)
    ranked = [(r["customer_id"], float(r["score"])) for r in records]
    allowed = set(eligible_candidates(driver, customer_id=customer_id, candidate_ids=[c for c, _ in ranked]))
    return [(c, s) for c, s in ranked if c in allowed][:k]
