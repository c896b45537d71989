"""Node features a bank can read and trust: categories, quality, region, industry, segment, referral history, text.

The vocabularies come from the graph at training time (category names are data) and are saved in the model's
config, so serving builds exactly the same columns; a value the model never saw falls into an "other" column.
"""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import Tensor

from graph.export import CapabilityRow, CategoryRow, CustomerRow, InteractionRow, NeedRow
from graph.settings import Settings
from models import text as text_model

HISTORY_DIM = 4  # deals as needer, deals as provider, other outcomes as needer, other outcomes as provider


@dataclass
class FeatureSpec:
    categories: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    text: bool = True

    @classmethod
    def from_rows(cls, *, customers: Sequence[CustomerRow], categories: Sequence[str], text: bool) -> "FeatureSpec":
        def vocab(values: object) -> list[str]:
            return sorted({str(v) for v in values if v})  # type: ignore[attr-defined]

        return cls(categories=vocab(categories), regions=vocab(c.region for c in customers),
                   industries=vocab(c.industry for c in customers), segments=vocab(c.segment for c in customers),
                   kinds=vocab(c.kind for c in customers), text=text)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def text_dim(self) -> int:
        return text_model.DIM if self.text else 0

    def dims(self) -> dict[str, int]:
        """Input width per node type (the customer's includes the referral-history columns)."""
        c = len(self.categories) + 1
        customer = sum(len(v) + 1 for v in (self.kinds, self.regions, self.industries, self.segments))
        return {"customer": customer + 2 + 2 * c + HISTORY_DIM + self.text_dim,
                "need": c + self.text_dim,
                "capability": c + 1 + self.text_dim,
                "category": c + self.text_dim}


def one_hot(values: Sequence[str | None], vocab: list[str]) -> np.ndarray:
    """One column per vocabulary entry plus a last "other / missing" column."""
    index = {v: i for i, v in enumerate(vocab)}
    out = np.zeros((len(values), len(vocab) + 1), dtype=np.float32)
    cols = [index.get(str(v), len(vocab)) if v else len(vocab) for v in values]
    out[np.arange(len(values)), cols] = 1.0
    return out


def _text(texts: list[str], spec: FeatureSpec, settings: Settings | None) -> np.ndarray:
    if not spec.text:
        return np.zeros((len(texts), 0), dtype=np.float32)
    return text_model.embed(texts, settings=settings)


def category_profile(owner: np.ndarray, categories: Sequence[str], *, n: int, spec: FeatureSpec,
                     weight: np.ndarray | None = None) -> np.ndarray:
    """Per customer, one column per category (+ other): log1p count, or the max weight (quality) when given."""
    out = np.zeros((n, len(spec.categories) + 1), dtype=np.float32)
    if len(owner) == 0:
        return out
    index = {c: i for i, c in enumerate(spec.categories)}
    cols = np.array([index.get(c, len(spec.categories)) for c in categories])
    if weight is None:
        np.add.at(out, (owner, cols), 1.0)
        return np.log1p(out)
    np.maximum.at(out, (owner, cols), weight.astype(np.float32))
    return out


def customer_static(customers: Sequence[CustomerRow], *, needs: tuple[np.ndarray, list[str]],
                    caps: tuple[np.ndarray, list[str], np.ndarray], interaction_text: np.ndarray,
                    spec: FeatureSpec) -> np.ndarray:
    """Customer columns without the referral history (that depends on which referrals a step may see).

    `needs` is (owner index, category) per need; `caps` is (owner index, category, quality) per capability. The
    need / capability category profiles sit on the customer itself, so a match is one bilinear product away.
    """
    n = len(customers)
    need_owner, need_cat = needs
    cap_owner, cap_cat, quality = caps
    counts = np.stack([np.bincount(need_owner, minlength=n), np.bincount(cap_owner, minlength=n)], axis=1)
    parts = [one_hot([c.kind for c in customers], spec.kinds),
             one_hot([c.region for c in customers], spec.regions),
             one_hot([c.industry for c in customers], spec.industries),
             one_hot([c.segment for c in customers], spec.segments),
             np.log1p(counts).astype(np.float32),
             category_profile(need_owner, need_cat, n=n, spec=spec),
             category_profile(cap_owner, cap_cat, n=n, spec=spec, weight=np.clip(quality, 0.0, 5.0) / 5.0),
             interaction_text]
    return np.concatenate(parts, axis=1)


def interaction_means(interactions: Sequence[InteractionRow], *, customer_index: dict[str, int], n: int,
                      spec: FeatureSpec, settings: Settings | None) -> np.ndarray:
    """The mean embedding of each customer's interaction notes (zeros when none, or when text is off)."""
    out = np.zeros((n, spec.text_dim), dtype=np.float32)
    if not spec.text or not interactions:
        return out
    rows = [(customer_index[i.customer_id], i.text) for i in interactions if i.customer_id in customer_index]
    if not rows:
        return out
    vecs = _text([t for _, t in rows], spec, settings)
    owner = np.array([o for o, _ in rows])
    np.add.at(out, owner, vecs)
    counts = np.bincount(owner, minlength=n).astype(np.float32)
    out /= np.maximum(counts, 1.0)[:, None]
    return out


def need_features(needs: Sequence[NeedRow], *, spec: FeatureSpec, settings: Settings | None) -> np.ndarray:
    # status is left out on purpose: "fulfilled" would tell the model that a referral happened (leakage)
    return np.concatenate([one_hot([n.category for n in needs], spec.categories),
                           _text([n.description for n in needs], spec, settings)], axis=1)


def capability_features(caps: Sequence[CapabilityRow], *, spec: FeatureSpec,
                        settings: Settings | None) -> np.ndarray:
    quality = np.array([[min(max(c.quality, 0.0), 5.0) / 5.0] for c in caps], dtype=np.float32).reshape(-1, 1)
    return np.concatenate([one_hot([c.category for c in caps], spec.categories), quality,
                           _text([c.description for c in caps], spec, settings)], axis=1)


def category_features(categories: Sequence[CategoryRow], *, spec: FeatureSpec,
                      settings: Settings | None) -> np.ndarray:
    texts = [f"{c.name.replace('_', ' ')}: {c.description}" if c.description else c.name.replace("_", " ")
             for c in categories]
    return np.concatenate([one_hot([c.name for c in categories], spec.categories),
                           _text(texts, spec, settings)], axis=1)


def history(num_customers: int, referrals: Tensor) -> Tensor:
    """log1p counts per customer from the referrals a step may see; `referrals` is [3, E] (needer, provider, label)."""
    out = torch.zeros(num_customers, HISTORY_DIM)
    if referrals.numel():
        src, dst, label = referrals[0], referrals[1], referrals[2]
        deal = (label == 1).float()
        other = 1.0 - deal
        out[:, 0].index_add_(0, src, deal)
        out[:, 1].index_add_(0, dst, deal)
        out[:, 2].index_add_(0, src, other)
        out[:, 3].index_add_(0, dst, other)
    return torch.log1p(out) / math.log(10.0)
