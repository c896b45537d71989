"""The sample bank's words: names, need/capability/interaction text from templates, and the chunked CSV writer."""

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from graph.categories import CATEGORIES, CATEGORY_NAMES

if TYPE_CHECKING:
    from graph.seed import Bank

CHUNK = 100_000  # rows per write; part of the byte-for-byte determinism, do not vary it at run time
TOWNS = ("Ashford", "Brookmere", "Calder", "Dunmore", "Eastwick", "Fairhaven", "Glenrock", "Harlow", "Ivybridge",
         "Juniper Bay", "Kingsbury", "Larkfield", "Millbrook", "Northam", "Oakridge", "Pemberton", "Queensferry",
         "Ravensworth", "Stonebridge", "Thornbury", "Upton", "Valemount", "Westerby", "Yarrow", "Zennor")
SEGMENTS = ("micro", "sme", "mid_market", "corporate", "private", "mass_affluent")
RISK = ("low", "medium", "high")
CONSENT = ("opt_in", "opt_out", "unknown")
FIRST = ("Anna", "Ben", "Chloe", "David", "Elif", "Farah", "George", "Hana", "Ivan", "Julia", "Kofi", "Lena",
         "Marco", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sam", "Tomas", "Uma", "Victor", "Wei", "Zara")
LAST = ("Adler", "Barker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan",
        "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Quist", "Rossi", "Schmidt", "Tanaka", "Ueda", "Vargas",
        "Weber", "Young")
SUFFIX = ("Ltd", "& Co", "Group", "Partners", "Holdings", "Services", "Works", "Trading")
NEED_TEMPLATES = ("Looking for {f}.", "Needs {f} for the {town} site.", "Asked for an introduction to a provider "
                  "of {f}.", "Planning growth; will need {f} within the next quarter.", "Current supplier of {f} is "
                  "leaving; wants a reliable replacement.")
CAP_TEMPLATES = ("Offers {f} to businesses around {town}.", "Specialist in {f}.", "Provides {f}; references "
                 "available.", "Experienced team for {f}, serving {town} and nearby towns.")
MENTION_TEMPLATES = (
    ("branch_visit", "Met the owner at the {town} branch; they are planning an expansion and need {f}."),
    ("phone_call", "Call with the finance director: struggling to find {f} near {town}."),
    ("social_post", "Social post: 'Can anyone recommend {f} in {town}? Our last one let us down.'"),
    ("rm_meeting", "Annual review: mentioned they need {f} before the end of the year."),
    ("email", "Email: asked whether the bank knows a good provider of {f}."),
)
GENERIC_NOTES = (("rm_meeting", "Annual credit review, no changes."), ("phone_call", "Updated contact details."),
                 ("branch_visit", "Asked about card terminal fees."), ("email", "Discussed FX rates for supplier "
                 "payments."), ("rm_meeting", "Renewed the overdraft facility."))
# short phrases per category, taken from the category descriptions ("bookkeeping", "payroll and tax filing", ...)
FRAGMENTS = [[p.strip() for p in CATEGORIES[name].split(",") if p.strip()] for name in CATEGORY_NAMES]


def iso(seconds: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z")


def _pick(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return rng.integers(0, k, n)


def _write(path: Path, header: list[str], n: int, seed: int, stream: int,
           rows: Callable[[slice, np.random.Generator], Iterator[list]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for start in range(0, n, CHUNK):
            # one generator per chunk: the bytes do not depend on anything but the seed
            out.writerows(rows(slice(start, min(n, start + CHUNK)), np.random.default_rng([seed, stream, start])))
    return n


def _text(rng: np.random.Generator, templates: tuple[str, ...], cats: np.ndarray, towns: np.ndarray,
          empty_rate: float) -> list[str]:
    t = _pick(rng, len(cats), len(templates))
    f = rng.random(len(cats))
    blank = rng.random(len(cats)) < empty_rate
    return ["" if b else templates[ti].format(f=FRAGMENTS[ci][int(fi * len(FRAGMENTS[ci]))], town=TOWNS[tw])
            for ti, ci, fi, tw, b in zip(t.tolist(), cats.tolist(), f.tolist(), towns.tolist(), blank.tolist(),
                                         strict=True)]


def write_bank(bank: "Bank", *, out: Path, seed: int) -> dict[str, int]:
    from graph.seed import HISTORY_END, INDUSTRIES

    out.mkdir(parents=True, exist_ok=True)
    c, nd, cp, rf = bank.customers, bank.needs, bank.capabilities, bank.referrals
    n = len(c["region"])
    t1 = HISTORY_END.astype(np.int64)
    counts: dict[str, int] = {}

    def customer_rows(sl: slice, rng: np.random.Generator) -> Iterator[list]:
        idx = np.arange(sl.start, sl.stop)
        first, last, word = _pick(rng, len(idx), len(FIRST)), _pick(rng, len(idx), len(LAST)), rng.random(len(idx))
        suffix = _pick(rng, len(idx), len(SUFFIX))
        joined, consent_at = iso(c["joined"][sl]), iso(c["consent_at"][sl])
        for j, i in enumerate(idx.tolist()):
            ind = INDUSTRIES[c["industry"][i]]
            individual = bool(c["individual"][i])
            name = (f"{FIRST[first[j]]} {LAST[last[j]]}" if individual else
                    f"{LAST[last[j]]} {ind.replace('_', ' ').title() if word[j] < 0.5 else TOWNS[c['region'][i]]} "
                    f"{SUFFIX[suffix[j]]}")
            consent = CONSENT[c["consent"][i]]
            yield [f"C{i:07d}", name, "individual" if individual else "business", ind, TOWNS[c["region"][i]],
                   SEGMENTS[c["segment"][i]], "true" if c["vetted"][i] else "false", RISK[c["risk"][i]], consent,
                   "" if consent == "unknown" else consent_at[j], "" if c["rm_missing"][i] else f"rm-{c['rm'][i]:03d}",
                   "" if c["joined_missing"][i] else joined[j]]

    counts["customers.csv"] = _write(out / "customers.csv", ["customer_id", "name", "kind", "industry", "region",
                                     "segment", "vetted", "risk_rating", "consent", "consent_at",
                                     "relationship_manager", "joined_at"], n, seed, 1, customer_rows)

    # need status follows from the referral history: a deal fulfils it, old unserved needs are sometimes withdrawn
    m = len(nd["customer"])
    srng = np.random.default_rng([seed, 2])
    fulfilled = np.zeros(m, dtype=bool)
    fulfilled[rf["need"][rf["deal"] & ~rf["pending"]]] = True
    withdrawn = ~fulfilled & (nd["created"] < t1 - 365 * 86_400) & (srng.random(m) < 0.3)
    mentioned = srng.random(m) < 0.45
    status = np.where(fulfilled, "fulfilled", np.where(withdrawn, "withdrawn", "open"))
    source = np.where(mentioned & (srng.random(m) < 0.5), "interaction", "crm")

    def need_rows(sl: slice, rng: np.random.Generator) -> Iterator[list]:
        who = nd["customer"][sl]
        text = _text(rng, NEED_TEMPLATES, nd["category"][sl], c["region"][who], 0.10)
        created = iso(nd["created"][sl])
        for j, i in enumerate(range(sl.start, sl.stop)):
            yield [f"N{i:08d}", f"C{who[j]:07d}", CATEGORY_NAMES[nd["category"][i]], text[j], created[j],
                   status[i], source[i]]

    counts["needs.csv"] = _write(out / "needs.csv", ["need_id", "customer_id", "category", "description",
                                 "created_at", "status", "source"], m, seed, 3, need_rows)

    def cap_rows(sl: slice, rng: np.random.Generator) -> Iterator[list]:
        who = cp["customer"][sl]
        text = _text(rng, CAP_TEMPLATES, cp["category"][sl], c["region"][who], 0.05)
        missing_quality = rng.random(len(who)) < 0.04
        for j, i in enumerate(range(sl.start, sl.stop)):
            yield [f"K{i:08d}", f"C{who[j]:07d}", CATEGORY_NAMES[cp["category"][i]], text[j],
                   "" if missing_quality[j] else f"{cp['quality'][i]:.1f}"]

    counts["capabilities.csv"] = _write(out / "capabilities.csv", ["capability_id", "customer_id", "category",
                                        "description", "quality"], len(cp["customer"]), seed, 4, cap_rows)

    base_value = np.array([3_000, 12_000, 40_000, 150_000, 2_000, 5_000], dtype=float)

    def referral_rows(sl: slice, rng: np.random.Generator) -> Iterator[list]:
        k = sl.stop - sl.start
        src, dst = rf["from"][sl], rf["to"][sl]
        value = base_value[c["segment"][src]] * rng.lognormal(0, 0.6, k)
        rel = c["reliability"][dst]
        good = np.clip(np.round(1 + 4 * rel + rng.normal(0, 0.8, k)), 1, 5).astype(int)
        poor = np.clip(np.round(1 + 2 * rel + rng.normal(0, 1.0, k)), 1, 5).astype(int)
        u_value, u_rating = rng.random(k), rng.random(k)
        created = iso(rf["created"][sl])
        for j, i in enumerate(range(sl.start, sl.stop)):
            if rf["pending"][i]:
                outcome, val, rating = "pending", "", ""
            elif rf["deal"][i]:
                outcome = "deal"
                val = "" if u_value[j] < 0.15 else f"{value[j]:.2f}"
                rating = "" if u_rating[j] < 0.3 else str(good[j])
            elif rf["declined"][i]:
                outcome, val, rating = "declined", "", ""
            else:
                outcome, val, rating = "no_deal", "", ("" if u_rating[j] < 0.5 else str(poor[j]))
            yield [f"R{i:08d}", f"C{src[j]:07d}", f"C{dst[j]:07d}", created[j], outcome, val, rating]

    counts["referrals.csv"] = _write(out / "referrals.csv", ["referral_id", "from_customer_id", "to_customer_id",
                                     "created_at", "outcome", "value", "rating"], len(rf["from"]), seed, 5,
                                     referral_rows)

    # interactions: notes that mention a need (shortly before it was recorded) and generic service notes
    irng = np.random.default_rng([seed, 6])
    about = np.flatnonzero(mentioned)
    generic_who = np.repeat(np.arange(n), irng.poisson(1.0, n))
    t0 = np.maximum(c["joined"][generic_who], t1 - 3 * 365 * 86_400)
    generic_at = t0 + (irng.random(len(generic_who)) * (t1 - t0)).astype(np.int64)
    mention_at = np.maximum(nd["created"][about] - irng.exponential(5 * 86_400, len(about)).astype(np.int64),
                            c["joined"][nd["customer"][about]])
    who_all = np.concatenate([nd["customer"][about], generic_who])
    at_all = np.concatenate([mention_at, generic_at])
    need_all = np.concatenate([about, np.full(len(generic_who), -1)])
    order = np.lexsort((need_all, who_all, at_all))
    who_all, at_all, need_all = who_all[order], at_all[order], need_all[order]

    def interaction_rows(sl: slice, rng: np.random.Generator) -> Iterator[list]:
        k = sl.stop - sl.start
        tmpl, frag, generic = _pick(rng, k, len(MENTION_TEMPLATES)), rng.random(k), _pick(rng, k, len(GENERIC_NOTES))
        created = iso(at_all[sl])
        for j, i in enumerate(range(sl.start, sl.stop)):
            need = need_all[i]
            if need < 0:
                channel, text = GENERIC_NOTES[generic[j]]
            else:
                cat = nd["category"][need]
                channel, template = MENTION_TEMPLATES[tmpl[j]]
                text = template.format(f=FRAGMENTS[cat][int(frag[j] * len(FRAGMENTS[cat]))],
                                       town=TOWNS[c["region"][who_all[i]]])
            yield [f"I{i:08d}", f"C{who_all[i]:07d}", channel, text, created[j]]

    counts["interactions.csv"] = _write(out / "interactions.csv", ["interaction_id", "customer_id", "channel", "text",
                                        "created_at"], len(who_all), seed, 7, interaction_rows)
    return counts
