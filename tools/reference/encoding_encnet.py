"""Reference outputs for SegNets' EncNet (Context Encoding Network), a PyTorch transcription of PyTorch-Encoding.

    /usr/bin/python3 tools/reference/encoding_encnet.py OUT_DIR encnet_resnet101_pcontext|encnet_resnet50_ade|encoding|counts

PyTorch-Encoding's own code cannot be imported here (it compiles a C++/CUDA extension and its scaled_l2 / aggregate
have no CPU path at the release), so the classes below are transcribed from zhanghang1989/PyTorch-Encoding at
b05334f36362e9ac42ae052148c0aa0a3c1795f6 ("V045", 2018-06-26): the commit whose encoding/models/model_store.py first
lists encnet_resnet101_pcontext 6f7c3722... and encnet_resnet50_ade 558e8904..., the files the seed table links (they
were replaced with new hashes by v0.5.0, f891919). Files read, line by line:
  encoding/dilated/resnet.py      ResNet, Bottleneck, _make_layer (7x7 stem, dilated layer3/4), with fc
  encoding/models/base.py         BaseNet (backbone under `pretrained`), up_kwargs (bilinear, align_corners=True)
  encoding/models/encnet.py       EncNet, EncModule, EncHead, get_encnet (lateral only for pcontext)
  encoding/models/fcn.py          FCNHead (the auxiliary head)
  encoding/nn/encoding.py         Encoding: softmax over dim=1 of (B, N, K) at this commit, i.e. over the N positions
  encoding/nn/syncbn.py           BatchNorm1d/2d: eval is torch batch_norm, eps 1e-5
  encoding/nn/customize.py        Mean
  encoding/functions/encoding.py + encoding/lib/gpu/encoding_kernel.cu  scaled_l2 and aggregate, here in plain torch:
      ScaledL2_Forward_kernel  SL[b][i][k] = S[k] * sum_d (X[b][i][d] - C[k][d])^2
      Aggregate_Forward_kernel E[b][k][d]  = sum_i A[b][i][k] * (X[b][i][d] - C[k][d])
  encoding/datasets/pcontext.py (NUM_CLASS 59), ade20k.py (NUM_CLASS 150)
Module names are the original attribute names, so state_dict() has the released files' keys.

Weights are deterministic (tools/reference/synthetic_weights.py), except the Encoding scale, set negative and small
as the original initialises it (uniform(-1, 0)) scaled to 512-dim residuals, so that the assignment is not saturated.
The state dict is written as model_store ships it: torch.save of the plain state_dict in the legacy (pre-1.6)
serialization, without num_batches_tracked (PyTorch 0.4.0, the version of the 2018 release, had no such buffer), as
NAME-SHORT.pth inside NAME-SHORT.zip (model_store.get_model_file extracts the zip and checks the SHA-1 of the .pth).
Writes OUT_DIR/outputs.pth {input, main, aux, se, num_params} (and the .pth and its zip); for `encoding` the layer
alone {x, codewords, scale, e_positions, e_codewords}; for `counts` {num_params: {zoo name: count}}.
"""
import hashlib
import os
import sys
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402

up_kwargs = {'mode': 'bilinear', 'align_corners': True}  # base.py


# ---- encoding/functions/encoding.py with the kernels of encoding/lib/gpu/encoding_kernel.cu ----
def scaled_l2(X, C, S):
    # X (B, N, D), C (K, D), S (K) -> (B, N, K)
    r = X.unsqueeze(2) - C.unsqueeze(0).unsqueeze(0)
    return S.view(1, 1, -1) * r.pow(2).sum(3)


def aggregate(A, X, C):
    # A (B, N, K), X (B, N, D), C (K, D) -> (B, K, D)
    r = X.unsqueeze(2) - C.unsqueeze(0).unsqueeze(0)
    return (A.unsqueeze(3) * r).sum(1)


# ---- encoding/nn/encoding.py ----
class Encoding(nn.Module):
    def __init__(self, D, K, softmax_dim=1):
        super().__init__()
        self.D, self.K = D, K
        self.codewords = nn.Parameter(torch.Tensor(K, D))
        self.scale = nn.Parameter(torch.Tensor(K))
        self.softmax_dim = softmax_dim  # 1 at b05334f; 2 from v0.5.0 (f891919) on

    def forward(self, X):
        assert X.size(1) == self.D
        B, D = X.size(0), self.D
        if X.dim() == 3:
            X = X.transpose(1, 2).contiguous()
        elif X.dim() == 4:
            X = X.view(B, D, -1).transpose(1, 2).contiguous()
        else:
            raise RuntimeError('Encoding Layer unknown input dims!')
        A = F.softmax(scaled_l2(X, self.codewords, self.scale), dim=self.softmax_dim)
        return aggregate(A, X, self.codewords)


class Mean(nn.Module):  # encoding/nn/customize.py
    def __init__(self, dim, keep_dim=False):
        super().__init__()
        self.dim, self.keep_dim = dim, keep_dim

    def forward(self, input):
        return input.mean(self.dim, self.keep_dim)


# ---- encoding/dilated/resnet.py ----
class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, dilation=1, downsample=None, previous_dilation=1, norm_layer=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = norm_layer(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = norm_layer(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = norm_layer(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        out += residual
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, dilated=True, norm_layer=nn.BatchNorm2d):
        self.inplanes = 64
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0], norm_layer=norm_layer)
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, norm_layer=norm_layer)
        assert dilated
        self.layer3 = self._make_layer(block, 256, layers[2], stride=1, dilation=2, norm_layer=norm_layer)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=1, dilation=4, norm_layer=norm_layer)
        self.avgpool = nn.AvgPool2d(7)
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1, dilation=1, norm_layer=None):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                norm_layer(planes * block.expansion))
        layers = []
        if dilation == 1 or dilation == 2:
            layers.append(block(self.inplanes, planes, stride, dilation=1, downsample=downsample,
                                previous_dilation=dilation, norm_layer=norm_layer))
        elif dilation == 4:
            layers.append(block(self.inplanes, planes, stride, dilation=2, downsample=downsample,
                                previous_dilation=dilation, norm_layer=norm_layer))
        else:
            raise RuntimeError("=> unknown dilation size: {}".format(dilation))
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, dilation=dilation, previous_dilation=dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)


# ---- encoding/models/fcn.py ----
class FCNHead(nn.Module):
    def __init__(self, in_channels, out_channels, norm_layer):
        super().__init__()
        inter_channels = in_channels // 4
        self.conv5 = nn.Sequential(nn.Conv2d(in_channels, inter_channels, 3, padding=1, bias=False),
                                   norm_layer(inter_channels), nn.ReLU(), nn.Dropout2d(0.1, False),
                                   nn.Conv2d(inter_channels, out_channels, 1))

    def forward(self, x):
        return self.conv5(x)


# ---- encoding/models/encnet.py ----
class EncModule(nn.Module):
    def __init__(self, in_channels, nclass, ncodes=32, se_loss=True, norm_layer=None):
        super().__init__()
        self.se_loss = se_loss
        self.encoding = nn.Sequential(
            nn.Conv2d(in_channels, in_channels, 1, bias=False),
            norm_layer(in_channels),
            nn.ReLU(inplace=True),
            Encoding(D=in_channels, K=ncodes),
            nn.BatchNorm1d(ncodes),  # encoding.nn.BatchNorm1d: torch batch_norm in eval
            nn.ReLU(inplace=True),
            Mean(dim=1))
        self.fc = nn.Sequential(nn.Linear(in_channels, in_channels), nn.Sigmoid())
        if self.se_loss:
            self.selayer = nn.Linear(in_channels, nclass)

    def forward(self, x):
        en = self.encoding(x)
        b, c, _, _ = x.size()
        gamma = self.fc(en)
        y = gamma.view(b, c, 1, 1)
        outputs = [F.relu_(x + x * y)]
        if self.se_loss:
            outputs.append(self.selayer(en))
        return tuple(outputs)


class EncHead(nn.Module):
    def __init__(self, in_channels, out_channels, se_loss=True, lateral=True, norm_layer=None, up_kwargs=None):
        super().__init__()
        self.se_loss = se_loss
        self.lateral = lateral
        self.up_kwargs = up_kwargs
        self.conv5 = nn.Sequential(nn.Conv2d(in_channels, 512, 3, padding=1, bias=False), norm_layer(512), nn.ReLU(inplace=True))
        if lateral:
            self.connect = nn.ModuleList([
                nn.Sequential(nn.Conv2d(512, 512, kernel_size=1, bias=False), norm_layer(512), nn.ReLU(inplace=True)),
                nn.Sequential(nn.Conv2d(1024, 512, kernel_size=1, bias=False), norm_layer(512), nn.ReLU(inplace=True)),
            ])
            self.fusion = nn.Sequential(nn.Conv2d(3 * 512, 512, kernel_size=3, padding=1, bias=False), norm_layer(512),
                                        nn.ReLU(inplace=True))
        self.encmodule = EncModule(512, out_channels, ncodes=32, se_loss=se_loss, norm_layer=norm_layer)
        self.conv6 = nn.Sequential(nn.Dropout2d(0.1, False), nn.Conv2d(512, out_channels, 1))

    def forward(self, *inputs):
        feat = self.conv5(inputs[-1])
        if self.lateral:
            c2 = self.connect[0](inputs[1])
            c3 = self.connect[1](inputs[2])
            feat = self.fusion(torch.cat([feat, c2, c3], 1))
        outs = list(self.encmodule(feat))
        outs[0] = self.conv6(outs[0])
        return tuple(outs)


class EncNet(nn.Module):
    # BaseNet(nclass, backbone, aux, se_loss) + EncNet: backbone under `pretrained`, heads `head` and `auxlayer`.
    def __init__(self, nclass, layers, aux=True, se_loss=True, lateral=False, norm_layer=nn.BatchNorm2d):
        super().__init__()
        self.nclass, self.aux, self.se_loss = nclass, aux, se_loss
        self.pretrained = ResNet(Bottleneck, layers, dilated=True, norm_layer=norm_layer)
        self._up_kwargs = up_kwargs
        self.head = EncHead(2048, nclass, se_loss=se_loss, lateral=lateral, norm_layer=norm_layer, up_kwargs=up_kwargs)
        if aux:
            self.auxlayer = FCNHead(1024, nclass, norm_layer=norm_layer)

    def base_forward(self, x):
        p = self.pretrained
        x = p.maxpool(p.relu(p.bn1(p.conv1(x))))
        c1 = p.layer1(x)
        c2 = p.layer2(c1)
        c3 = p.layer3(c2)
        c4 = p.layer4(c3)
        return c1, c2, c3, c4

    def forward(self, x):
        imsize = x.size()[2:]
        features = self.base_forward(x)
        x = list(self.head(*features))
        x[0] = F.interpolate(x[0], imsize, **self._up_kwargs)
        if self.aux:
            auxout = self.auxlayer(features[2])
            x.append(F.interpolate(auxout, imsize, **self._up_kwargs))
        return tuple(x)


# get_encnet: NUM_CLASS from the dataset, lateral only for pcontext; get_encnet_*: aux=True; EncNet: se_loss=True.
CONFIGS = {
    'encnet_resnet101_pcontext': dict(nclass=59, layers=[3, 4, 23, 3], lateral=True),
    'encnet_resnet50_ade': dict(nclass=150, layers=[3, 4, 6, 3], lateral=False),
    'encnet_resnet50_pcontext': dict(nclass=59, layers=[3, 4, 6, 3], lateral=True),
    # the seed's rows without released weights: get_encnet('ade20k' / 'pascal_voc', 'resnet101')
    'encnet_resnet101_ade': dict(nclass=150, layers=[3, 4, 23, 3], lateral=False),
    'encnet_resnet101_voc': dict(nclass=21, layers=[3, 4, 23, 3], lateral=False),
}


def set_scale(scale):
    u = synthetic_weights.uniform('scale', scale.numel())
    with torch.no_grad():
        scale.copy_(torch.from_numpy((-0.002 - 0.01 * u).astype('float32')))


def encoding_layer(out_dir):
    torch.manual_seed(0)
    D, K = 64, 8
    layer = Encoding(D, K)
    synthetic_weights.fill(layer)
    set_scale(layer.scale)
    x = torch.randn(2, D, 5, 7)
    with torch.no_grad():
        e1 = layer(x)
        layer.softmax_dim = 2
        e2 = layer(x)
    torch.save({'x': x, 'codewords': layer.codewords.detach().clone(), 'scale': layer.scale.detach().clone(),
                'e_positions': e1, 'e_codewords': e2}, os.path.join(out_dir, 'outputs.pth'))


def network(out_dir, name):
    cfg = CONFIGS[name]
    model = EncNet(cfg['nclass'], cfg['layers'], lateral=cfg['lateral'])
    synthetic_weights.fill(model)
    set_scale(model.head.encmodule.encoding[3].scale)
    model.eval()
    x = torch.from_numpy(synthetic_weights.uniform('input', 2 * 3 * 65 * 65).reshape(2, 3, 65, 65).astype('float32') * 4 - 2)
    with torch.no_grad():
        main, se, aux = model(x)
    state = {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')}
    tmp = os.path.join(out_dir, 'state.pth')
    torch.save(state, tmp, _use_new_zipfile_serialization=False)
    with open(tmp, 'rb') as f:
        sha1 = hashlib.sha1(f.read()).hexdigest()
    member = '{}-{}.pth'.format(name, sha1[:8])
    # ZIP_STORED keeps the test quick; model_store reads any zip with zipfile.extractall.
    with zipfile.ZipFile(os.path.join(out_dir, '{}-{}.zip'.format(name, sha1[:8])), 'w', zipfile.ZIP_STORED) as zf:
        zf.write(tmp, member)
    os.rename(tmp, os.path.join(out_dir, member))
    num_params = sum(p.numel() for p in model.parameters())
    torch.save({'input': x, 'main': main, 'aux': aux, 'se': se, 'num_params': torch.tensor(num_params)},
               os.path.join(out_dir, 'outputs.pth'))
    print(name, 'parameters', num_params, 'sha1', sha1)


if __name__ == '__main__':
    out, what = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if what == 'encoding':
        encoding_layer(out)
    elif what == 'counts':
        counts = {}
        for n, c in CONFIGS.items():
            m = EncNet(c['nclass'], c['layers'], lateral=c['lateral'])
            counts[n] = torch.tensor(sum(p.numel() for p in m.parameters()))
            print(n, int(counts[n]))
        torch.save({'num_params': counts}, os.path.join(out, 'outputs.pth'))
    else:
        network(out, what)
