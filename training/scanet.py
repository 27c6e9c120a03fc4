"""A SCANet-style outcome network after Zhang, Polson et al. (MIDL 2022) [Zhang2022].

Input ``(N, 2, S, H, W)``: the NCCT and CTA channels of the ``S`` axial slices of the stack
that :func:`strokescope.outcome.network_input.build_stack` makes around the occlusion.
Output: the logit of successful recanalization (mTICI >= 2c) per study; the exported graph
(:class:`ProbabilityNet`) ends in a sigmoid.

The seed's parts, each small enough for a 2-core CPU:

* **neighbourhood branches with shared weights**: the neighbourhood of slice ``s`` is the
  slice and its ``neighbours`` slices on each side (edge slices repeated), stacked as
  channels. Every neighbourhood goes through the same branch (one module, one set of
  weights), for the NCCT and the CTA separately: a global 2D convolution block (the stem,
  stride 2) and a 2D ResNet of four stages of one basic block each [He2016] with widths
  ``widths`` (stride 1, 2, 2, 2);
* **spatial attention transformer (SAT)**: the last stage's feature map of each slice as
  ``(H/16) x (W/16)`` tokens with a learned position embedding, one pre-norm
  self-attention layer per modality [Dosovitskiy2021];
* **cross attention transformer (CAT)**: per neighbourhood, the NCCT tokens attend to the
  CTA tokens (queries NCCT, keys and values CTA), ``cross_layers`` pre-norm layers;
* **slice pooling**: the mean of the CAT tokens and of the CTA tokens per slice, weighted
  over the slices by a softmax of a learned score (the seed's weighted softmax), then a
  logistic head.

Differences from the seed, on purpose: widths 8-64 and one block per stage instead of
ResNet34 (CPU budget; the seed's ResNet34 alone scored AUC 0.58 on its cohort), and one
stack around the clot instead of the whole registered brain.

Attention is written out with matrix products (:class:`Attention`), not
``nn.MultiheadAttention``, so the ONNX graph is plain MatMul/Softmax and exports the same
on every PyTorch version.

[Zhang2022] Zhang H, Polson JS et al. Predicting thrombectomy recanalization from CT imaging
using deep learning models. MIDL 2022. [He2016] He K et al. Deep residual learning for
image recognition. CVPR 2016. [Dosovitskiy2021] Dosovitskiy A et al. An image is worth
16x16 words. ICLR 2021.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from strokescope.outcome.network_input import CHANNELS, SIZE, SLICES


@dataclass(frozen=True)
class ScanetConfig:
    """Architecture. ``slices`` and ``size`` must match the input builder's stack."""

    widths: tuple[int, ...] = (8, 16, 32, 64)
    neighbours: int = 1
    heads: int = 4
    cross_layers: int = 1
    dropout: float = 0.2
    slices: int = SLICES
    size: int = SIZE

    def __post_init__(self) -> None:
        if len(self.widths) != 4 or min(self.widths) < 1:
            raise ValueError(f"widths must be 4 positive channel counts, got {self.widths}")
        if self.widths[-1] % self.heads:
            raise ValueError(f"the last width {self.widths[-1]} must divide by heads {self.heads}")
        if self.size % 16:
            raise ValueError(f"size must be a multiple of 16, got {self.size}")
        if not 0 <= self.neighbours < self.slices:
            raise ValueError(f"neighbours must lie in [0, slices), got {self.neighbours}")
        if self.cross_layers < 1:
            raise ValueError("cross_layers must be >= 1")

    @property
    def tokens(self) -> int:
        """Tokens per slice: the last stage's (size / 16)^2 positions."""
        return (self.size // 16) ** 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> ScanetConfig:
        return cls(**{**record, "widths": tuple(record["widths"])})


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and a residual connection [He2016]."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.skip: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.skip(x))


class Branch(nn.Module):
    """The neighbourhood branch: stem (the global 2D block) and four ResNet stages.
    ``(B, 2k+1, H, W)`` -> ``(B, widths[-1], H/16, W/16)``."""

    def __init__(self, cin: int, widths: tuple[int, ...]) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(cin, widths[0], 3, 2, 1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        )
        stages, prev = [], widths[0]
        for i, w in enumerate(widths):
            stages.append(BasicBlock(prev, w, 1 if i == 0 else 2))
            prev = w
        self.stages = nn.Sequential(*stages)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(self.stem(x))


class Attention(nn.Module):
    """Multi-head scaled dot-product attention, queries ``q`` on keys/values ``kv``."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        return x.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, q: torch.Tensor, kv: torch.Tensor) -> torch.Tensor:
        qh, kh, vh = self._split(self.q(q)), self._split(self.k(kv)), self._split(self.v(kv))
        weights = torch.softmax(qh @ kh.transpose(-2, -1) * self.scale, dim=-1)
        b, _, t, _ = qh.shape
        return self.out((weights @ vh).transpose(1, 2).reshape(b, t, -1))


class TransformerLayer(nn.Module):
    """Pre-norm attention and feed-forward, both residual: self-attention (SAT), or with
    ``cross`` attention of ``x`` to ``kv`` (CAT)."""

    def __init__(self, dim: int, heads: int, dropout: float, *, cross: bool) -> None:
        super().__init__()
        self.norm_q, self.norm_ff = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.norm_kv: nn.Module = nn.LayerNorm(dim) if cross else nn.Identity()
        self.attention = Attention(dim, heads)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, kv: torch.Tensor | None = None) -> torch.Tensor:
        q = self.norm_q(x)
        context = q if kv is None else self.norm_kv(kv)
        x = x + self.drop(self.attention(q, context))
        return x + self.drop(self.ff(self.norm_ff(x)))


def neighbourhoods(x: torch.Tensor, k: int) -> torch.Tensor:
    """``(N, S, H, W)`` -> ``(N, S, 2k+1, H, W)``: slice ``s`` with ``k`` neighbours on each
    side, edge slices repeated (an index gather, so it exports to ONNX as one Gather)."""
    s = x.shape[1]
    idx = torch.arange(s).unsqueeze(1) + torch.arange(-k, k + 1).unsqueeze(0)
    return x[:, idx.clamp(0, s - 1)]


class ScaNet(nn.Module):
    """The network of the module docstring; ``forward`` returns logits ``(N, 1)``."""

    def __init__(self, config: ScanetConfig | None = None) -> None:
        super().__init__()
        c = config or ScanetConfig()
        self.config = c
        dim, span = c.widths[-1], 2 * c.neighbours + 1
        self.branches = nn.ModuleDict({m: Branch(span, c.widths) for m in CHANNELS})
        self.position = nn.Parameter(torch.zeros(len(CHANNELS), c.tokens, dim))
        nn.init.normal_(self.position, std=0.02)
        self.sat = nn.ModuleDict(
            {m: TransformerLayer(dim, c.heads, c.dropout, cross=False) for m in CHANNELS}
        )
        self.cat = nn.ModuleList(
            TransformerLayer(dim, c.heads, c.dropout, cross=True) for _ in range(c.cross_layers)
        )
        self.norm = nn.LayerNorm(2 * dim)
        self.slice_score = nn.Linear(2 * dim, 1)
        self.drop = nn.Dropout(c.dropout)
        self.head = nn.Linear(2 * dim, 1)

    def tokens(self, x: torch.Tensor, index: int) -> torch.Tensor:
        """Modality ``index`` of ``x`` (N, C, S, H, W) through its branch and SAT:
        ``(N * S, tokens, dim)``."""
        name = CHANNELS[index]
        n, _, s, h, w = x.shape
        hoods = neighbourhoods(x[:, index], self.config.neighbours)
        feats = self.branches[name](hoods.reshape(n * s, -1, h, w))
        seq = feats.flatten(2).transpose(1, 2) + self.position[index]
        return self.sat[name](seq)

    def slice_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, S, 2 * dim)``: per slice, the pooled CAT tokens and the pooled CTA tokens."""
        n, s = x.shape[0], x.shape[2]
        ct, cta = self.tokens(x, 0), self.tokens(x, 1)
        fused = ct
        for layer in self.cat:
            fused = layer(fused, cta)
        pooled = torch.cat([fused.mean(dim=1), cta.mean(dim=1)], dim=1)
        return self.norm(pooled).reshape(n, s, -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.slice_features(x)
        weights = torch.softmax(self.slice_score(f), dim=1)
        study = (weights * f).sum(dim=1)
        return self.head(self.drop(study))


class ProbabilityNet(nn.Module):
    """``sigmoid(net(x))``: the graph that is exported."""

    def __init__(self, net: ScaNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x))


def parameter_count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
