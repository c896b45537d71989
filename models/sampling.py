"""Negative pairs for training and ranking metrics for validation (filtered MRR, Hits@K, AUC)."""

import torch
from sklearn.metrics import roc_auc_score
from torch import Tensor

from models.data import TrainingGraph


class NegativeSampler:
    """Random providers, half of them drawn from a category the needer actually needs (harder negatives)."""

    def __init__(self, graph: TrainingGraph) -> None:
        d = graph.data
        has_need = d["customer", "has_need", "need"].edge_index
        can = d["customer", "can_provide", "capability"].edge_index
        need_cat = d["need", "in_category", "category"].edge_index[1]
        cap_cat = d["capability", "in_category", "category"].edge_index[1]
        n = graph.num_customers
        self.providers = torch.unique(can[0]) if can.numel() else torch.arange(n)
        order = torch.argsort(has_need[0], stable=True)
        self.need_of = has_need[1][order]                      # needs grouped by customer
        self.need_ptr = torch.zeros(n + 1, dtype=torch.long)
        self.need_ptr[1:] = torch.cumsum(torch.bincount(has_need[0], minlength=n), 0)
        self.need_cat = need_cat
        num_cat = d["category"].num_nodes
        corder = torch.argsort(cap_cat, stable=True)
        self.cap_owner = can[0][corder] if can.numel() else can[0]  # providers grouped by category
        self.cat_ptr = torch.zeros(num_cat + 1, dtype=torch.long)
        self.cat_ptr[1:] = torch.cumsum(torch.bincount(cap_cat, minlength=num_cat), 0)

    def sample(self, needers: Tensor, ratio: int, gen: torch.Generator) -> Tensor:
        src = needers.repeat(ratio)
        dst = self.providers[torch.randint(len(self.providers), (src.numel(),), generator=gen)]
        half = torch.rand(src.numel(), generator=gen) < 0.5
        deg = self.need_ptr[src + 1] - self.need_ptr[src]
        ok = half & (deg > 0)
        if ok.any():
            s = src[ok]
            pick = self.need_ptr[s] + (torch.rand(s.numel(), generator=gen) * deg[ok]).long()
            cat = self.need_cat[self.need_of[pick]]
            size = self.cat_ptr[cat + 1] - self.cat_ptr[cat]
            has = size > 0
            choice = self.cat_ptr[cat] + (torch.rand(s.numel(), generator=gen) * size.clamp(min=1)).long()
            matched = dst[ok].clone()
            matched[has] = self.cap_owner[choice[has]]
            dst[ok] = matched
        keep = src != dst
        return torch.stack([src[keep], dst[keep]])


def ranking_metrics(scores: Tensor, pos_pairs: Tensor, candidates: Tensor, *, ks: tuple[int, ...] = (10,)
                    ) -> dict[str, float]:
    """Filtered MRR / Hits@K of each positive (needer, provider) against every candidate provider.

    `scores` is [len(unique needers), len(candidates)] for `torch.unique(pos_pairs[0])`; ties count half.
    """
    if pos_pairs.size(1) == 0:
        return {"mrr": float("nan"), **{f"hits@{k}": float("nan") for k in ks}}
    _, row = torch.unique(pos_pairs[0], return_inverse=True)
    size = int(max(int(candidates.max()) if candidates.numel() else 0, int(pos_pairs[1].max()))) + 1
    col_of = torch.full((size,), -1, dtype=torch.long)
    col_of[candidates] = torch.arange(candidates.numel())
    col = col_of[pos_pairs[1]]
    valid = col >= 0  # a provider outside the candidates cannot be ranked: it counts as a miss
    rank = torch.full((pos_pairs.size(1),), float("inf"))
    row_v, col_v = row[valid], col[valid]
    masked = scores.clone()
    masked[row_v, col_v] = float("-inf")  # filtered: other true providers of the same needer do not count
    target = scores[row_v, col_v]
    greater = (masked[row_v] > target[:, None]).sum(1).float()
    ties = (masked[row_v] == target[:, None]).sum(1).float()
    rank[valid] = 1.0 + greater + 0.5 * ties
    out = {"mrr": float((1.0 / rank).mean())}
    for k in ks:
        out[f"hits@{k}"] = float((rank <= k).float().mean())
    return out


def auc(pos: Tensor, neg: Tensor) -> float:
    if pos.numel() == 0 or neg.numel() == 0:
        return float("nan")
    y = torch.cat([torch.ones(pos.numel()), torch.zeros(neg.numel())])
    return float(roc_auc_score(y.numpy(), torch.cat([pos, neg]).detach().numpy()))
