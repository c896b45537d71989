"""The GNN: a GraphSAGE-style encoder (plain PyG layers; on the bank, per edge type as `to_hetero` builds them)
and a link decoder.

`build_encoder` runs on Cora (homogeneous, the paper check); the bank's `HeteroSAGE` is the same layers made
heterogeneous (`to_hetero(build_encoder(...), aggr="sum")`, tested equal) without the work nothing reads;
`LinkDecoder` scores (needing customer, providing customer) pairs and ranks by one matrix product.
"""

import torch
from torch import Tensor, nn
from torch_geometric.nn import GCNConv, SAGEConv

from models import ModelError
from models.hetero_sage import HeteroSAGE


class Encoder(nn.Module):
    """Message-passing layers with LayerNorm, ReLU and dropout between them; the last layer is linear."""

    def __init__(self, *, in_channels: int, hidden: int, out: int, num_layers: int, dropout: float,
                 conv: str = "sage", norm: bool = True) -> None:
        super().__init__()
        if num_layers < 1:
            raise ModelError("num_layers must be at least 1")
        if conv not in ("sage", "gcn"):
            raise ModelError(f"unknown conv {conv!r} (sage or gcn)")
        sizes = [in_channels] + [hidden] * (num_layers - 1) + [out]
        make = (lambda i, o: SAGEConv(i, o)) if conv == "sage" else (lambda i, o: GCNConv(i, o))
        self.convs = nn.ModuleList(make(i, o) for i, o in zip(sizes[:-1], sizes[1:], strict=True))
        self.norms = nn.ModuleList((nn.LayerNorm(hidden) if norm else nn.Identity()) for _ in range(num_layers - 1))
        self.act = nn.ReLU()
        # a module, not F.dropout(training=self.training): to_hetero traces the graph once
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        for conv, norm in zip(self.convs[:-1], self.norms, strict=True):
            x = self.drop(self.act(norm(conv(x, edge_index))))
        return self.convs[-1](x, edge_index)


def build_encoder(*, in_channels: int, hidden: int, out: int, num_layers: int = 2, dropout: float = 0.0,
                  conv: str = "sage", norm: bool = True) -> nn.Module:
    """`norm=False` drops the LayerNorm between layers (the plain GAE encoder of the paper check)."""
    return Encoder(in_channels=in_channels, hidden=hidden, out=out, num_layers=num_layers, dropout=dropout,
                   conv=conv, norm=norm)


class LinkDecoder(nn.Module):
    """score(u, v) = <A z_u, B z_v>: asymmetric (needer vs provider) yet rankable with one matmul.

    `kind="dot"` uses plain inner products (A = B = identity), the GAE decoder.
    """

    def __init__(self, dim: int, *, kind: str = "bilinear") -> None:
        super().__init__()
        if kind not in ("bilinear", "dot"):
            raise ModelError(f"unknown decoder {kind!r} (bilinear or dot)")
        self.kind = kind
        self.src = nn.Linear(dim, dim) if kind == "bilinear" else nn.Identity()
        self.dst = nn.Linear(dim, dim) if kind == "bilinear" else nn.Identity()

    def project_src(self, z: Tensor) -> Tensor:
        return self.src(z)

    def project_dst(self, z: Tensor) -> Tensor:
        return self.dst(z)

    def forward(self, z_src: Tensor, z_dst: Tensor, edge_label_index: Tensor) -> Tensor:
        """Logits of the pairs (edge_label_index[0] in z_src, edge_label_index[1] in z_dst)."""
        return (self.src(z_src[edge_label_index[0]]) * self.dst(z_dst[edge_label_index[1]])).sum(-1)

    def score_matrix(self, z_src: Tensor, z_dst: Tensor) -> Tensor:
        """Logits of every (row of z_src, row of z_dst) pair."""
        return self.src(z_src) @ self.dst(z_dst).T


class HeteroLinkModel(nn.Module):
    """Per-type input projections, the heterogeneous SAGE encoder, and the decoder."""

    def __init__(self, *, metadata: tuple[list[str], list[tuple[str, str, str]]], in_dims: dict[str, int],
                 hidden: int = 64, out: int = 64, num_layers: int = 2, dropout: float = 0.2,
                 decoder: str = "bilinear") -> None:
        super().__init__()
        self.proj = nn.ModuleDict({t: nn.Linear(in_dims[t], hidden) for t in metadata[0]})
        # what to_hetero(build_encoder(...), aggr="sum") computes, with its parameter names, minus unused work
        self.encoder = HeteroSAGE(metadata=metadata, hidden=hidden, out=out, num_layers=num_layers, dropout=dropout)
        # a residual from the customer's own input: its profile reaches the decoder unmixed by neighbours
        self.skip = nn.Linear(hidden, out)
        # bounded embeddings keep the first logits near zero: no saturated start, steadier learning
        self.out_norm = nn.LayerNorm(out)
        self.decoder = LinkDecoder(out, kind=decoder)
        self.in_dims = dict(in_dims)

    def encode(self, x_dict: dict[str, Tensor], edge_index_dict: dict[tuple, Tensor]) -> dict[str, Tensor]:
        for t, x in x_dict.items():
            if x.size(1) != self.in_dims[t]:
                raise ModelError(f"{t} features have {x.size(1)} columns, the model expects {self.in_dims[t]}")
        h = {t: torch.relu(self.proj[t](x)) for t, x in x_dict.items()}
        z = self.encoder(h, edge_index_dict)
        z["customer"] = self.out_norm(z["customer"] + self.skip(h["customer"]))
        return z

    def forward(self, x_dict: dict[str, Tensor], edge_index_dict: dict[tuple, Tensor],
                edge_label_index: Tensor) -> Tensor:
        z = self.encode(x_dict, edge_index_dict)["customer"]
        return self.decoder(z, z, edge_label_index)
