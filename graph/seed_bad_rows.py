"""Plant a known set of bad rows in a seeded bank (`icrm seed --bad-rows`), listed in `planted_bad_rows.json`.

The loader must report exactly these rows (file and line) and load everything else; the tests and the demo check it.
"""

import csv
import json
from pathlib import Path

GOOD_A, GOOD_B = "C0000000", "C0000001"  # present in every seeded bank
_T = "2025-01-15T10:00:00Z"

# file -> rows to append: (values, why it is bad)
PLANTS: dict[str, list[tuple[list[str], str]]] = {
    "customers.csv": [
        (["CBAD0001", "Risky Ltd", "business", "retail", "Ashford", "sme", "true", "extreme", "opt_in", _T, "rm-001",
          _T], "unknown risk_rating"),
        (["CBAD0002", "", "business", "retail", "Ashford", "sme", "true", "low", "opt_in", _T, "rm-001", _T],
         "missing name"),
        (["CBAD0003", "Robo Ltd", "robot", "retail", "Ashford", "sme", "true", "low", "opt_in", _T, "", ""],
         "unknown kind"),
        (["CBAD0004", "Twice Ltd", "business", "retail", "Ashford", "sme", "true", "low", "opt_in", _T, "", ""],
         "duplicate customer_id (first copy)"),
        (["CBAD0004", "Twice Ltd", "business", "retail", "Ashford", "sme", "true", "low", "opt_in", _T, "", ""],
         "duplicate customer_id (second copy)"),
        (["bad id!", "Spaces Ltd", "business", "retail", "Ashford", "sme", "true", "low", "opt_in", _T, "", ""],
         "malformed customer_id"),
        (["CBAD0006", "Late Ltd", "business", "retail", "Ashford", "sme", "true", "low", "opt_in", _T, "",
          "not-a-date"], "malformed joined_at"),
    ],
    "needs.csv": [
        (["NBAD0001", "CNOBODY1", "logistics", "a truck", _T, "open", "crm"], "unknown customer"),
        (["NBAD0002", GOOD_A, "logistics", "a truck", _T, "maybe", "crm"], "unknown status"),
        (["NBAD0003", "CBAD0001", "logistics", "a truck", _T, "open", "crm"], "customer row was rejected"),
        (["N00000000", GOOD_A, "logistics", "copy of the first need's id", _T, "open", "crm"],
         "duplicate need_id (the original row at line 2 is rejected too)"),
    ],
    "capabilities.csv": [
        (["KBAD0001", GOOD_A, "logistics", "too good", "7.5"], "quality above 5"),
        (["KBAD0002", GOOD_A, "logistics", "wordy", "high"], "quality not a number"),
    ],
    "referrals.csv": [
        (["RBAD0001", GOOD_A, GOOD_A, _T, "deal", "100", "5"], "self-referral"),
        (["RBAD0002", GOOD_A, GOOD_B, _T, "won", "", ""], "unknown outcome"),
        (["RBAD0003", GOOD_A, GOOD_B, _T, "deal", "100", "9"], "rating above 5"),
        (["RBAD0004", GOOD_A, "CNOBODY2", _T, "deal", "", ""], "unknown customer"),
    ],
    "interactions.csv": [
        (["IBAD0001", GOOD_A, "email", "", _T], "missing text"),
        (["IBAD0002", GOOD_A, "email"], "too few fields"),
    ],
}


def _line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def plant_bad_rows(folder: Path) -> list[dict]:
    """Append the planted rows (the generator writes one row per line, so line numbers are exact)."""
    planted: list[dict] = []
    for name, rows in PLANTS.items():
        path = folder / name
        line = _line_count(path)
        with path.open("a", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            for values, why in rows:
                line += 1
                out.writerow(values)
                planted.append({"file": name, "line": line, "id": values[0], "why": why})
    planted.append({"file": "needs.csv", "line": 2, "id": "N00000000", "why": "duplicate need_id (original row)"})
    planted.sort(key=lambda p: (p["file"], p["line"]))
    (folder / "planted_bad_rows.json").write_text(json.dumps(planted, indent=1) + "\n", encoding="utf-8")
    return planted
