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
    target = scores[row_v, col_v]
    greater, ties = _row_counts(scores, row_v, target)
    # filtered: the needer's true providers (this one included) are no competitors; subtract what they added
    cells = torch.unique(row_v * scores.size(1) + col_v)
    cell_row, cell_score = cells // scores.size(1), scores.view(-1)[cells]
    start = torch.searchsorted(cell_row, row_v)
    count = torch.searchsorted(cell_row, row_v, right=True) - start
    mine = torch.repeat_interleave(torch.arange(row_v.numel()), count)
    other = start[mine] + torch.arange(mine.numel()) - torch.repeat_interleave(torch.cumsum(count, 0) - count, count)
    greater -= torch.zeros_like(greater).index_add_(0, mine, (cell_score[other] > target[mine]).float())
    ties -= torch.zeros_like(ties).index_add_(0, mine, (cell_score[other] == target[mine]).float())
    rank[valid] = 1.0 + greater + 0.5 * ties
    out = {"mrr": float((1.0 / rank).mean())}
    for k in ks:
        out[f"hits@{k}"] = float((rank <= k).float().mean())
    return out


def _row_counts(scores: Tensor, rows: Tensor, target: Tensor, *, block: int = 1 << 22) -> tuple[Tensor, Tensor]:
    """How many entries of `scores[rows[i]]` are above / equal to `target[i]`, a bounded block of rows at a time
    (one [positives x candidates] copy at bank scale is gigabytes)."""
    greater, ties = torch.empty(rows.numel()), torch.empty(rows.numel())
    step = max(1, block // max(1, scores.size(1)))
    for i in range(0, rows.numel(), step):
        part, t = scores[rows[i:i + step]], target[i:i + step, None]
        greater[i:i + step] = (part > t).sum(1)
        ties[i:i + step] = (part == t).sum(1)
    return greater, ties


def auc(pos: Tensor, neg: Tensor) -> float:
    if pos.numel() == 0 or neg.numel() == 0:
        return float("nan")
    y = torch.cat([torch.ones(pos.numel()), torch.zeros(neg.numel())])
    return float(roc_auc_score(y.numpy(), torch.cat([pos, neg]).detach().numpy()))
