"""A deterministic CRM export in the `icrm load` CSV contract, for tests that must know every row exactly."""

import csv
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ["accounting", "legal", "logistics", "construction", "marketing", "it_services"]
REGIONS = ["north", "south", "east", "west"]


@dataclass(frozen=True)
class ExportCounts:
    customers: int
    needs: int
    capabilities: int
    referrals: int
    interactions: int

    @property
    def rows(self) -> int:
        return self.customers + self.needs + self.capabilities + self.referrals + self.interactions


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def write_export(out: Path, *, customers: int, prefix: str = "c") -> ExportCounts:
    """`customers` customers with 2 needs, 2 capabilities, 2 interactions each and a ring of 2 referrals each."""
    out.mkdir(parents=True, exist_ok=True)
    ids = [f"{prefix}{i:05d}" for i in range(customers)]
    _write(out / "customers.csv",
           ["customer_id", "name", "kind", "industry", "region", "segment", "vetted", "risk_rating", "consent",
            "consent_at", "relationship_manager", "joined_at"],
           [[cid, f"Customer {cid} Ltd", "business", "retail", REGIONS[i % 4], "sme", "true", "low", "opt_in",
             "2024-01-02T03:04:05Z", f"rm-{i % 7:03d}", "2023-05-06T07:08:09Z"] for i, cid in enumerate(ids)])
    _write(out / "needs.csv", ["need_id", "customer_id", "category", "description", "created_at", "status", "source"],
           [[f"n-{cid}-{j}", cid, CATEGORIES[(i + j) % 6], f"needs help with {CATEGORIES[(i + j) % 6]}",
             "2024-03-01T00:00:00Z", "open", "crm"] for i, cid in enumerate(ids) for j in range(2)])
    _write(out / "capabilities.csv", ["capability_id", "customer_id", "category", "description", "quality"],
           [[f"k-{cid}-{j}", cid, CATEGORIES[(i + j + 3) % 6], "offers a service", f"{(i + j) % 6 * 0.8:.1f}"]
            for i, cid in enumerate(ids) for j in range(2)])
    _write(out / "referrals.csv",
           ["referral_id", "from_customer_id", "to_customer_id", "created_at", "outcome", "value", "rating"],
           [[f"r-{cid}-{j}", cid, ids[(i + j + 1) % customers], "2024-06-01T00:00:00Z",
             ["deal", "no_deal", "declined", "pending"][(i + j) % 4], "1000" if (i + j) % 4 == 0 else "",
             "4" if (i + j) % 4 == 0 else ""] for i, cid in enumerate(ids) for j in range(2)])
    _write(out / "interactions.csv", ["interaction_id", "customer_id", "channel", "text", "created_at"],
           [[f"i-{cid}-{j}", cid, "service_note", f"met {cid} at the branch", "2024-02-01T00:00:00Z"]
            for cid in ids for j in range(2)])
    return ExportCounts(customers=customers, needs=2 * customers, capabilities=2 * customers,
                        referrals=2 * customers, interactions=2 * customers)
