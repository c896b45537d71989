"""The bank's encoder: GraphSAGE layers over every edge type, summed per node type, as `to_hetero` builds them,
computed only where the customer embeddings need them.

Same parameters (names included, so saved models load) and same function as `to_hetero(Encoder, aggr="sum")`;
what changes is the work: the last layer is computed for the output types only, each layer only for the node
types the next one reads, the root weights of a node type's edge types are summed into one product, and each
neighbour projection runs on whichever side of the mean has fewer rows (mean(x) W = mean(x W)).
"""

from typing import cast

import torch
import torch.nn.functional as Fn
from torch import Tensor, nn
from torch_geometric.nn import SAGEConv
from torch_geometric.utils import scatter

from models import ModelError

EdgeType = tuple[str, str, str]


def _key(et: EdgeType) -> str:
    return "__".join(et)


class HeteroSAGE(nn.Module):
    """`num_layers` SAGE layers (mean over each edge type, summed per destination type); LayerNorm, ReLU and
    dropout between layers; the last layer is linear. Returns embeddings of the `outputs` node types only."""

    def __init__(self, *, metadata: tuple[list[str], list[EdgeType]], hidden: int, out: int, num_layers: int,
                 dropout: float, outputs: tuple[str, ...] = ("customer",)) -> None:
        super().__init__()
        if num_layers < 1:
            raise ModelError("num_layers must be at least 1")
        node_types, edge_types = metadata
        sizes = [hidden] * num_layers + [out]
        self.convs = nn.ModuleList(nn.ModuleDict({_key(et): SAGEConv(sizes[layer], sizes[layer + 1])
                                                  for et in edge_types}) for layer in range(num_layers))
        self.norms = nn.ModuleList(nn.ModuleDict({t: nn.LayerNorm(hidden) for t in node_types})
                                   for _ in range(num_layers - 1))
        self.drop = nn.Dropout(dropout)
        # walk back from the outputs: layer l computes only the node types that layer l + 1 reads from
        needed = [set(outputs)]
        for _ in range(num_layers - 1):
            needed.insert(0, {et[0] for et in edge_types if et[2] in needed[0]} | needed[0])
        self.needed = [sorted(n) for n in needed]
        self.into = {t: [et for et in edge_types if et[2] == t] for t in node_types}

    def _layer(self, convs: nn.ModuleDict, needed: list[str], x: dict[str, Tensor], edges: dict[EdgeType, Tensor]
               ) -> dict[str, Tensor]:
        out = {}
        for dst in needed:
            parts = [cast(SAGEConv, convs[_key(et)]) for et in self.into[dst]]
            # sum over edge types of lin_r(x_dst) + bias_l: one product with the summed root weights
            root = torch.stack([c.lin_r.weight for c in parts]).sum(0)
            h = Fn.linear(x[dst], root, torch.stack([c.lin_l.bias for c in parts]).sum(0))
            n_dst = x[dst].size(0)
            for et, conv in zip(self.into[dst], parts, strict=True):
                ei, src = edges[et], x[et[0]]
                if src.size(0) < n_dst:  # fewer sources than destinations: project them, then take the mean
                    h = h + scatter(Fn.linear(src, conv.lin_l.weight)[ei[0]], ei[1], dim=0, dim_size=n_dst,
                                    reduce="mean")
                else:
                    h = h + Fn.linear(scatter(src[ei[0]], ei[1], dim=0, dim_size=n_dst, reduce="mean"),
                                      conv.lin_l.weight)
            out[dst] = h
        return out

    def forward(self, x: dict[str, Tensor], edges: dict[EdgeType, Tensor]) -> dict[str, Tensor]:
        last = len(self.convs) - 1
        for layer, (convs, needed) in enumerate(zip(self.convs, self.needed, strict=True)):
            x = self._layer(cast(nn.ModuleDict, convs), needed, x, edges)
            if layer < last:
                norms = cast(nn.ModuleDict, self.norms[layer])
                x = {t: self.drop(torch.relu(norms[t](h))) for t, h in x.items()}
        return x
