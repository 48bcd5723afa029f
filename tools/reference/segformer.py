"""Reference for SegNets' SegFormer: a PyTorch transcription of Hugging Face transformers' SegFormer.

transformers cannot be installed here (Debian's torch 1.13, no network), so this is a transcription written from
  * huggingface/transformers@ba30cbf851653aae536dfba3d437adf65594194f src/transformers/models/segformer/modeling_segformer.py
    (SegformerOverlapPatchEmbeddings, SegformerEfficientSelfAttention, SegformerSelfOutput, SegformerAttention,
    SegformerDWConv, SegformerMixFFN, SegformerLayer, SegformerEncoder, SegformerModel, SegformerMLP,
    SegformerDecodeHead, SegformerForSemanticSegmentation); the same classes at @01ae98ae2414210efd0d9ac1ffe78ff21588f1f7
    were compared and differ in nothing used here;
  * the MiT-B0..B5 settings of @03fed90423ea807eff69fefad2452f0cd73b69a6
    src/transformers/models/segformer/convert_segformer_original_to_pytorch.py (convert_segformer_checkpoint) on top of
    the SegformerConfig defaults of @1001bb00bfeeac965908cdb4ab5c3d7ebe0c774f configuration_segformer.py,
reviewed against those files line by line. It is NOT SegNets' C# code: the parity test compares the two. Module
attributes carry HF's names, so state_dict() has the keys of SegformerForSemanticSegmentation (and of the nvidia/*
pytorch_model.bin files): segformer.encoder.patch_embeddings.0.proj.weight, ...block.0.0.attention.self.query.weight,
decode_head.linear_c.0.proj.weight, decode_head.linear_fuse.weight, decode_head.batch_norm.*, decode_head.classifier.*.
Dropout and drop path are left out: eval mode makes them the identity in HF's code too.

    /usr/bin/python3 tools/reference/segformer.py OUT_DIR CONFIG        CONFIG = b0 | b5

Random weights (fixed seed), eval mode, 150 classes. Writes OUT_DIR/weights.pth (state_dict, torch.save zip format),
for b0 also OUT_DIR/weights_legacy.bin (the same, legacy pickle format: older pytorch_model.bin files are that), and
OUT_DIR/outputs.pth: 'input', 'logits' (HF's output, H/4), 'upsampled' (logits resized to the input, bilinear,
align_corners=False, as HF's post_process_semantic_segmentation and the loss do), 'c2'..'c5' (the encoder's
hidden_states, NCHW), 'num_params' (this model) and 'num_params_<name>' (150 classes) for b0..b5.
"""
import math
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F

# convert_segformer_original_to_pytorch.py: b0 is SegformerConfig's defaults; b1..b5 change hidden sizes, decoder
# width and depths. Shared by all: heads (1, 2, 5, 8), sr (8, 4, 2, 1), patch sizes (7, 3, 3, 3), strides (4, 2, 2, 2),
# mlp ratio 4, gelu.
CONFIGS = {
    "b0": dict(hidden_sizes=[32, 64, 160, 256], depths=[2, 2, 2, 2], decoder_hidden_size=256),
    "b1": dict(hidden_sizes=[64, 128, 320, 512], depths=[2, 2, 2, 2], decoder_hidden_size=256),
    "b2": dict(hidden_sizes=[64, 128, 320, 512], depths=[3, 4, 6, 3], decoder_hidden_size=768),
    "b3": dict(hidden_sizes=[64, 128, 320, 512], depths=[3, 4, 18, 3], decoder_hidden_size=768),
    "b4": dict(hidden_sizes=[64, 128, 320, 512], depths=[3, 8, 27, 3], decoder_hidden_size=768),
    "b5": dict(hidden_sizes=[64, 128, 320, 512], depths=[3, 6, 40, 3], decoder_hidden_size=768),
}
HEADS = [1, 2, 5, 8]
SR_RATIOS = [8, 4, 2, 1]
PATCH_SIZES = [7, 3, 3, 3]
STRIDES = [4, 2, 2, 2]
MLP_RATIO = 4
NUM_CLASSES = 150


class OverlapPatchEmbeddings(nn.Module):
    # SegformerOverlapPatchEmbeddings: conv (kernel p, stride s, padding p // 2, bias), tokens, LayerNorm (torch's
    # default eps 1e-5: HF passes none, config.layer_norm_eps is not used by the model).
    def __init__(self, patch, stride, cin, cout):
        super().__init__()
        self.proj = nn.Conv2d(cin, cout, kernel_size=patch, stride=stride, padding=patch // 2)
        self.layer_norm = nn.LayerNorm(cout)

    def forward(self, x):
        x = self.proj(x)
        h, w = x.shape[2], x.shape[3]
        return self.layer_norm(x.flatten(2).transpose(1, 2)), h, w


class EfficientSelfAttention(nn.Module):
    # SegformerEfficientSelfAttention: q from all tokens; k, v from tokens reduced by a conv of kernel = stride = sr
    # (then LayerNorm) when sr > 1; softmax(q k^T / sqrt(head size)) v.
    def __init__(self, dim, heads, sr):
        super().__init__()
        self.heads = heads
        self.head_size = dim // heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.sr_ratio = sr
        if sr > 1:
            self.sr = nn.Conv2d(dim, dim, kernel_size=sr, stride=sr)
            self.layer_norm = nn.LayerNorm(dim)

    def split_heads(self, t):
        n, length, _ = t.shape
        return t.view(n, length, self.heads, self.head_size).permute(0, 2, 1, 3)

    def forward(self, x, h, w):
        q = self.split_heads(self.query(x))
        if self.sr_ratio > 1:
            n, _, c = x.shape
            x = x.permute(0, 2, 1).reshape(n, c, h, w)
            x = self.sr(x).reshape(n, c, -1).permute(0, 2, 1)
            x = self.layer_norm(x)
        k = self.split_heads(self.key(x))
        v = self.split_heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size)
        ctx = torch.matmul(F.softmax(scores, dim=-1), v)
        ctx = ctx.permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], -1)


class SelfOutput(nn.Module):
    # SegformerSelfOutput: dense (dropout)
    def __init__(self, dim):
        super().__init__()
        self.dense = nn.Linear(dim, dim)

    def forward(self, x):
        return self.dense(x)


class Attention(nn.Module):
    # SegformerAttention: .self then .output
    def __init__(self, dim, heads, sr):
        super().__init__()
        self.self = EfficientSelfAttention(dim, heads, sr)
        self.output = SelfOutput(dim)

    def forward(self, x, h, w):
        return self.output(self.self(x, h, w))


class DWConv(nn.Module):
    # SegformerDWConv: tokens -> NCHW, 3x3 depthwise conv (stride 1, padding 1, bias), -> tokens
    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, bias=True, groups=dim)

    def forward(self, x, h, w):
        n, _, c = x.shape
        x = x.transpose(1, 2).view(n, c, h, w)
        return self.dwconv(x).flatten(2).transpose(1, 2)


class MixFFN(nn.Module):
    # SegformerMixFFN: dense1 -> dwconv -> gelu (ACT2FN["gelu"], the exact erf form) -> dense2
    def __init__(self, dim, hidden):
        super().__init__()
        self.dense1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.dense2 = nn.Linear(hidden, dim)

    def forward(self, x, h, w):
        return self.dense2(F.gelu(self.dwconv(self.dense1(x), h, w)))


class Layer(nn.Module):
    # SegformerLayer: pre-norm attention and Mix-FFN, each with a residual (drop path: identity in eval)
    def __init__(self, dim, heads, sr, mlp_ratio):
        super().__init__()
        self.layer_norm_1 = nn.LayerNorm(dim)
        self.attention = Attention(dim, heads, sr)
        self.layer_norm_2 = nn.LayerNorm(dim)
        self.mlp = MixFFN(dim, int(dim * mlp_ratio))

    def forward(self, x, h, w):
        x = self.attention(self.layer_norm_1(x), h, w) + x
        return self.mlp(self.layer_norm_2(x), h, w) + x


class Encoder(nn.Module):
    # SegformerEncoder: per stage patch embedding, layers, LayerNorm, back to NCHW (reshape_last_stage = True)
    def __init__(self, cfg):
        super().__init__()
        sizes = cfg["hidden_sizes"]
        self.patch_embeddings = nn.ModuleList(
            [OverlapPatchEmbeddings(PATCH_SIZES[i], STRIDES[i], 3 if i == 0 else sizes[i - 1], sizes[i]) for i in range(4)])
        self.block = nn.ModuleList(
            [nn.ModuleList([Layer(sizes[i], HEADS[i], SR_RATIOS[i], MLP_RATIO) for _ in range(cfg["depths"][i])])
             for i in range(4)])
        self.layer_norm = nn.ModuleList([nn.LayerNorm(sizes[i]) for i in range(4)])

    def forward(self, x):
        n = x.shape[0]
        hidden = []
        for embed, layers, norm in zip(self.patch_embeddings, self.block, self.layer_norm):
            x, h, w = embed(x)
            for layer in layers:
                x = layer(x, h, w)
            x = norm(x)
            x = x.reshape(n, h, w, -1).permute(0, 3, 1, 2).contiguous()
            hidden.append(x)
        return hidden


class SegformerModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.encoder = Encoder(cfg)


class MLP(nn.Module):
    # SegformerMLP: NCHW -> tokens -> Linear(C_i, decoder_hidden_size)
    def __init__(self, cin, cout):
        super().__init__()
        self.proj = nn.Linear(cin, cout)

    def forward(self, x):
        return self.proj(x.flatten(2).transpose(1, 2))


class DecodeHead(nn.Module):
    # SegformerDecodeHead: per-stage linear to D, back to NCHW, bilinear (align_corners=False) to stage 1's size;
    # concatenated in reverse stage order (c5, c4, c3, c2); linear_fuse 1x1 conv without bias, BatchNorm2d, ReLU,
    # dropout (identity in eval), 1x1 classifier conv.
    def __init__(self, cfg, classes):
        super().__init__()
        d = cfg["decoder_hidden_size"]
        self.linear_c = nn.ModuleList([MLP(c, d) for c in cfg["hidden_sizes"]])
        self.linear_fuse = nn.Conv2d(4 * d, d, kernel_size=1, bias=False)
        self.batch_norm = nn.BatchNorm2d(d)
        self.classifier = nn.Conv2d(d, classes, kernel_size=1)

    def forward(self, hidden):
        n = hidden[-1].shape[0]
        size = hidden[0].shape[2:]
        ups = []
        for x, mlp in zip(hidden, self.linear_c):
            h, w = x.shape[2], x.shape[3]
            x = mlp(x).permute(0, 2, 1).reshape(n, -1, h, w)
            ups.append(F.interpolate(x, size=size, mode="bilinear", align_corners=False))
        x = self.linear_fuse(torch.cat(ups[::-1], dim=1))
        return self.classifier(F.relu(self.batch_norm(x)))


class SegformerForSemanticSegmentation(nn.Module):
    def __init__(self, cfg, classes):
        super().__init__()
        self.segformer = SegformerModel(cfg)
        self.decode_head = DecodeHead(cfg, classes)

    def forward(self, x):
        hidden = self.segformer.encoder(x)
        return self.decode_head(hidden), hidden


def count(module):
    return sum(p.numel() for p in module.parameters())


def randomize(model, g):
    # Weights scaled by 1/sqrt(fan-in) keep activations O(1) through B5's 52 layers; norms get non-trivial affines and
    # BatchNorm non-trivial statistics so that every tensor of the state dict matters.
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            elif name.endswith("running_mean"):
                t.copy_(torch.randn(t.shape, generator=g) * 0.2)
            elif t.dim() == 1:
                is_norm_scale = name.endswith("weight")  # 1-D weights are LayerNorm / BatchNorm scales
                base = 1.0 if is_norm_scale else 0.0
                t.copy_(base + torch.randn(t.shape, generator=g) * 0.1)
            else:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=g) / math.sqrt(fan_in))


def main(out_dir, which):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20261123 + (5 if which == "b5" else 0))
    model = SegformerForSemanticSegmentation(CONFIGS[which], NUM_CLASSES)
    randomize(model, g)
    model.eval()
    # odd sizes: stages of ceil(H/4) x ceil(W/4) and so on, spatial-reduction convs that drop a remainder
    x = torch.randn(2, 3, 65, 77, generator=g) if which == "b0" else torch.randn(1, 3, 61, 75, generator=g)
    with torch.no_grad():
        logits, hidden = model(x)
        upsampled = F.interpolate(logits, size=x.shape[2:], mode="bilinear", align_corners=False)
    out = {"input": x, "logits": logits, "upsampled": upsampled, "num_params": torch.tensor(count(model))}
    for i, h in enumerate(hidden):
        out[f"c{i + 2}"] = h
    for name, cfg in CONFIGS.items():
        n = count(model) if name == which else count(SegformerForSemanticSegmentation(cfg, NUM_CLASSES))
        out[f"num_params_{name}"] = torch.tensor(n)
        print(f"{name}: {n:,} parameters")
    torch.save(model.state_dict(), os.path.join(out_dir, "weights.pth"))
    if which == "b0":
        torch.save(model.state_dict(), os.path.join(out_dir, "weights_legacy.bin"), _use_new_zipfile_serialization=False)
    torch.save(out, os.path.join(out_dir, "outputs.pth"))
    print(f"{which}: logits {tuple(logits.shape)}, max|logit| {logits.abs().max().item():.3g}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in ("b0", "b5"):
        sys.exit("usage: segformer.py OUT_DIR b0|b5")
    main(sys.argv[1], sys.argv[2])
