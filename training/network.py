"""The thrombus segmentation network: a small 3D U-Net after Zhu et al. (AJNR 2023).

Both stages of the coarse-to-fine model use the same architecture, built from

* :class:`ConvBlock` - two 3x3x3 convolutions, each followed by instance normalisation and a
  leaky ReLU (slope 0.01); the first convolution of every encoder level below the top has
  stride 2 and does the downsampling (as nnU-Net does);
* :class:`ChannelSpatialAttention` - a CBAM block (Woo et al. 2018): channel attention from
  global average and max pooling through a shared bottleneck MLP, then spatial attention from
  the channel-wise mean and max through one 7x7x7 convolution;
* :class:`ScaleAwarePyramidFusion` - three parallel 3x3x3 convolutions with dilation 1, 2 and 4
  whose outputs are weighted voxel by voxel by a softmax over the three scales (after CPFNet's
  scale-aware pyramid fusion, Feng et al. 2020), added to its input;
* :class:`ThrombusUNet` - encoder, pyramid fusion at the bottleneck, decoder with a CBAM block
  per level and one 1x1x1 logit head per decoder level for deep supervision.

Tensors are ``(N, C, Z, Y, X)``: the spatial axes follow the StrokeScope (z, y, x) order.
Every spatial size must be divisible by :attr:`NetworkConfig.size_divisor`.
The paper's widths (32-320) are a GPU budget; the defaults here are sized for a 2-core CPU
(see ``benchmarks/bench_thrombus_network.py``).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture of one stage.

    Parameters
    ----------
    in_channels
        2 for the coarse stage (NCCT, CTA), 3 for the fine stage (+ coarse probability).
    base_channels
        Feature maps at the top level; level ``i`` has ``base_channels * 2**i``, capped at
        ``max_channels``.
    levels
        Resolution levels including the top one (3-5); the bottleneck is ``2**(levels-1)``
        times coarser than the input.
    deep_supervision
        Number of decoder levels with a logit head (1 = top level only).
    head_bias
        Initial bias of the logit heads. The default -4 (probability 0.018) starts the net
        near the thrombus prior instead of at 0.5, so the first iterations are not spent
        driving the background down with BCE, and the Dice gradient (which scales with
        1 / sum of probabilities) is not swamped at the start. Coarse stage, Adam 1e-3,
        32 x 48 x 48 crops, held-out thrombus-centred patches after 180 iterations: mean
        probability on thrombus 0.79 and hard Dice 0.15 with -4; 0.15 and 0.00 with 0 (the
        PyTorch default and the paper's recipe).
    """

    in_channels: int = 2
    base_channels: int = 8
    levels: int = 4
    max_channels: int = 128
    deep_supervision: int = 3
    attention_reduction: int = 2
    dilations: tuple[int, int, int] = (1, 2, 4)
    head_bias: float = -4.0

    def __post_init__(self) -> None:
        if not 1 <= self.in_channels <= 8:
            raise ValueError(f"in_channels must be 1-8, got {self.in_channels}")
        if not 2 <= self.base_channels <= 64:
            raise ValueError(f"base_channels must be 2-64, got {self.base_channels}")
        if not 3 <= self.levels <= 5:
            raise ValueError(f"levels must be 3-5, got {self.levels}")
        if self.max_channels < self.base_channels:
            raise ValueError("max_channels must be >= base_channels")
        if not 1 <= self.deep_supervision <= self.levels - 1:
            raise ValueError(f"deep_supervision must be 1-{self.levels - 1}")
        if self.attention_reduction < 1:
            raise ValueError("attention_reduction must be >= 1")
        if len(self.dilations) != 3 or min(self.dilations) < 1:
            raise ValueError(f"dilations must be 3 positive ints, got {self.dilations}")

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(min(self.base_channels * 2**i, self.max_channels) for i in range(self.levels))

    @property
    def size_divisor(self) -> int:
        return int(2 ** (self.levels - 1))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["dilations"] = list(self.dilations)
        d["widths"] = list(self.widths)
        d["size_divisor"] = self.size_divisor
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NetworkConfig:
        keys = (
            "in_channels",
            "base_channels",
            "levels",
            "max_channels",
            "deep_supervision",
            "attention_reduction",
            "head_bias",
        )
        kwargs: dict[str, Any] = {k: d[k] for k in keys if k in d}
        if "dilations" in d:
            kwargs["dilations"] = tuple(int(v) for v in d["dilations"])
        return cls(**kwargs)


def spatial_mean(x: torch.Tensor) -> torch.Tensor:
    """Mean over (z, y, x), keeping dims, reduced one axis at a time.

    onnxruntime sums a single large ReduceMean (or InstanceNormalization) naively in
    float32: over a whole-brain volume (~1.5 M voxels) that is off by ~1e-3 relative, enough
    to break the 1e-4 parity with PyTorch. Three short reductions stay exact to ~1e-6.
    """
    return x.mean(dim=4, keepdim=True).mean(dim=3, keepdim=True).mean(dim=2, keepdim=True)


class ExportInstanceNorm(nn.Module):
    """Affine instance normalisation from :func:`spatial_mean`, for the exported graph.

    Takes the ``weight``, ``bias`` and ``eps`` of the :class:`torch.nn.InstanceNorm3d` it
    replaces (see :func:`exportable`), so the two compute the same function.
    """

    def __init__(self, norm: nn.InstanceNorm3d) -> None:
        super().__init__()
        if norm.weight is None or norm.bias is None:
            raise ValueError("ExportInstanceNorm needs an affine InstanceNorm3d")
        shape = (1, -1, 1, 1, 1)
        # plain tensors, not buffers: traced as graph constants. The TorchScript exporter's
        # initializer de-duplication drops still-used names when two norms hold identical
        # values (as freshly initialised ones do).
        self.weight: torch.Tensor = norm.weight.detach().reshape(shape).clone()
        self.bias: torch.Tensor = norm.bias.detach().reshape(shape).clone()
        self.eps = float(norm.eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - spatial_mean(x)
        var = spatial_mean(centred * centred)
        return centred * (torch.rsqrt(var + self.eps) * self.weight) + self.bias


def _swap_norms(module: nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.InstanceNorm3d):
            setattr(module, name, ExportInstanceNorm(child))
        else:
            _swap_norms(child)


def exportable(net: nn.Module) -> nn.Module:
    """A copy of ``net`` in eval mode with every InstanceNorm3d as :class:`ExportInstanceNorm`."""
    clone = copy.deepcopy(net).eval()
    _swap_norms(clone)
    return clone


def _conv_norm_act(c_in: int, c_out: int, *, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv3d(c_in, c_out, 3, stride=stride, padding=dilation, dilation=dilation),
        nn.InstanceNorm3d(c_out, affine=True),
        nn.LeakyReLU(LEAKY_SLOPE, inplace=True),
    )


class ConvBlock(nn.Module):
    """Two (3x3x3 conv, instance norm, leaky ReLU) units; the first may have stride 2."""

    def __init__(self, c_in: int, c_out: int, *, stride: int = 1) -> None:
        super().__init__()
        self.first = _conv_norm_act(c_in, c_out, stride=stride)
        self.second = _conv_norm_act(c_out, c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.second(self.first(x))


class ChannelSpatialAttention(nn.Module):
    """CBAM: channel attention then spatial attention, both as sigmoid gates."""

    def __init__(self, channels: int, *, reduction: int = 2, spatial_kernel: int = 7) -> None:
        super().__init__()
        hidden = max(channels // reduction, 2)
        self.mlp = nn.Sequential(
            nn.Conv3d(channels, hidden, 1),
            nn.LeakyReLU(LEAKY_SLOPE, inplace=True),
            nn.Conv3d(hidden, channels, 1),
        )
        self.spatial = nn.Conv3d(2, 1, spatial_kernel, padding=spatial_kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg = spatial_mean(x)
        mx = torch.amax(x, dim=(2, 3, 4), keepdim=True)
        x = x * torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        desc = torch.cat(
            [torch.mean(x, dim=1, keepdim=True), torch.amax(x, dim=1, keepdim=True)], dim=1
        )
        return x * torch.sigmoid(self.spatial(desc))


class ScaleAwarePyramidFusion(nn.Module):
    """Three parallel dilated convolutions fused by a per-voxel softmax over scales."""

    def __init__(self, channels: int, *, dilations: tuple[int, int, int] = (1, 2, 4)) -> None:
        super().__init__()
        self.branches = nn.ModuleList(
            [_conv_norm_act(channels, channels, dilation=d) for d in dilations]
        )
        self.scale_logits = nn.Conv3d(channels * len(dilations), len(dilations), 1)
        self.project = _conv_norm_act(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = [branch(x) for branch in self.branches]
        weights = torch.softmax(self.scale_logits(torch.cat(feats, dim=1)), dim=1)
        fused = feats[0] * weights[:, 0:1]
        for i in range(1, len(feats)):
            fused = fused + feats[i] * weights[:, i : i + 1]
        return x + self.project(fused)


class ThrombusUNet(nn.Module):
    """3D U-Net with CBAM decoder blocks, pyramid fusion and deep supervision.

    ``forward`` returns a list of logits, full resolution first, then each coarser
    deep-supervision level (``config.deep_supervision`` items) in training mode, and only the
    full-resolution logits (as a one-item list) in eval mode.
    """

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        w = config.widths
        self.encoders = nn.ModuleList(
            [ConvBlock(config.in_channels, w[0])]
            + [ConvBlock(w[i - 1], w[i], stride=2) for i in range(1, config.levels)]
        )
        self.fusion = ScaleAwarePyramidFusion(w[-1], dilations=config.dilations)
        up_levels = range(config.levels - 1, 0, -1)
        self.upsamplers = nn.ModuleList(
            [nn.ConvTranspose3d(w[i], w[i - 1], 2, stride=2) for i in up_levels]
        )
        self.decoders = nn.ModuleList(
            [ConvBlock(2 * w[i - 1], w[i - 1]) for i in range(config.levels - 1, 0, -1)]
        )
        self.attention = nn.ModuleList(
            [
                ChannelSpatialAttention(w[i - 1], reduction=config.attention_reduction)
                for i in range(config.levels - 1, 0, -1)
            ]
        )
        # heads[0] is the full-resolution head; heads[k] sits k levels coarser.
        heads = [nn.Conv3d(w[k], 1, 1) for k in range(config.deep_supervision)]
        for head in heads:
            assert head.bias is not None
            nn.init.constant_(head.bias, config.head_bias)
        self.heads = nn.ModuleList(heads)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
        x = self.fusion(skips.pop())
        outputs: list[torch.Tensor] = []
        n_up = len(self.decoders)
        for step, (up, dec, att) in enumerate(
            zip(self.upsamplers, self.decoders, self.attention, strict=True)
        ):
            x = att(dec(torch.cat([up(x), skips.pop()], dim=1)))
            level = n_up - 1 - step  # 0 = full resolution
            if level < self.config.deep_supervision and (self.training or level == 0):
                outputs.append(self.heads[level](x))
        return outputs[::-1]


class ProbabilityModel(nn.Module):
    """Wrap a :class:`ThrombusUNet` for export: eval mode, sigmoid of the top-level logits.

    The wrapped net is a copy of ``net`` whose instance norms are :class:`ExportInstanceNorm`,
    so the exported graph reduces one axis at a time.
    """

    def __init__(self, net: ThrombusUNet) -> None:
        super().__init__()
        self.net = exportable(net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x)[0])


def deep_supervision_weights(n: int) -> list[float]:
    """Loss weights halving per level, normalised to sum 1 (full resolution first)."""
    raw = [0.5**i for i in range(n)]
    total = sum(raw)
    return [r / total for r in raw]


def downsample_target(target: torch.Tensor, factor: int) -> torch.Tensor:
    """Thrombus fraction of each ``factor``-cube: the deep-supervision target at that level."""
    if factor == 1:
        return target
    return F.avg_pool3d(target, factor, stride=factor)


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
