"""Reference scores of GluonCV's multi-scale / flip / sliding-window evaluation for SegNets' SegmentationEvaluator.

    /usr/bin/python3 tools/reference/gluoncv_multi_eval.py OUT_DIR

MXNet cannot run here, so MultiEvalModel is transcribed to PyTorch from dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52
gluoncv/model_zoo/segbase.py (MultiEvalModel.__call__, flip_inference, _resize_image, _pad_image, _crop_image,
_flip_image), line for line; the only changes are the NDArray calls:
  mx.nd.contrib.BilinearResize2D(img, height, width) -> F.interpolate(bilinear, align_corners=True): BilinearResize2D's
      align_corners defaults to true (apache/mxnet@b84609d3fc73d20929c114eab95faaa56e6c5ede
      src/operator/contrib/bilinear_resize-inl.h, BilinearSampleParam) and its CPU kernel (bilinear_resize.cc,
      SpatialUpSamplingBilinearUpdateOutput) is PyTorch's align_corners=True formula: src = (in - 1) / (out - 1) * dst;
  mx.nd.pad(constant) per channel -> F.pad(value=...) per channel;  NDArray.flip(3) -> torch.flip(dims=[3]);
  self.evalmodule(x) (SegEvalModel -> module.evaluate -> forward(x)[0]) -> model(x)['out'];
  the ctx / parallel_forward plumbing is left out (one image, one device).
The network is torchvision's lraspp_mobilenet_v3_large(num_classes=5) with the seeded random weights of
tools/reference/torchvision_segmentation.py; its BatchNorm statistics are then re-estimated on random batches (with
random running statistics the features are almost constant over the image and every pixel gets the same class, which
would test nothing), and it runs in eval mode. Images are smooth random raw RGB uint8 made from a fixed seed,
normalised as GluonCV's test.py input_transform does (ToTensor, Normalize(ImageNet mean, std)).

Writes
  OUT_DIR/weights.pth   the model's state_dict
  OUT_DIR/outputs.pth   {'image.I': (3, H, W) int64 raw image I, 'CASE.I': (C, H, W) summed scores of MultiEvalModel on
                         image I for CASE, 'plain.I': model(x)['out'][0]}; CASE and images are in CASES / IMAGES below
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchvision_backbones import randomize  # noqa: E402
from torchvision_segmentation import build  # noqa: E402

NUM_CLASSES = 5
# (height, width): one taller than wide, one wider than tall
IMAGES = [(70, 52), (45, 77)]
# name -> (base_size, crop_size, scales, flip)
CASES = {
    "single": (112, 64, [1.0], False),
    "multi": (96, 64, [0.5, 0.75, 1.0], True),
}


# --- transcription of gluoncv/model_zoo/segbase.py MultiEvalModel ---------------------------------------------------

class MultiEvalModel(object):
    """Multi-size Segmentation Evaluator"""
    def __init__(self, module, nclass, base_size, crop_size, flip=True,
                 scales=[0.5, 0.75, 1.0, 1.25, 1.5, 1.75]):
        self.flip = flip
        self.base_size = base_size     # GluonCV reads module.base_size / module.crop_size
        self.crop_size = crop_size
        self.nclass = nclass
        self.scales = scales
        self.module = module

    def evalmodule(self, x):
        return self.module(x)['out']

    def __call__(self, image):
        # only single image is supported for evaluation
        image = image.unsqueeze(0)
        batch, _, h, w = image.shape
        assert(batch == 1)
        base_size = self.base_size
        crop_size = self.crop_size
        stride_rate = 2.0/3.0
        stride = int(crop_size * stride_rate)
        scores = torch.zeros((batch, self.nclass, h, w))
        for scale in self.scales:
            long_size = int(math.ceil(base_size * scale))
            if h > w:
                height = long_size
                width = int(1.0 * w * long_size / h + 0.5)
                short_size = width
            else:
                width = long_size
                height = int(1.0 * h * long_size / w + 0.5)
                short_size = height
            # resize image to current size
            cur_img = _resize_image(image, height, width)
            if long_size <= crop_size:
                pad_img = _pad_image(cur_img, crop_size)
                outputs = self.flip_inference(pad_img)
                outputs = _crop_image(outputs, 0, height, 0, width)
            else:
                if short_size < crop_size:
                    # pad if needed
                    pad_img = _pad_image(cur_img, crop_size)
                else:
                    pad_img = cur_img
                _, _, ph, pw = pad_img.shape
                assert(ph >= height and pw >= width)
                # grid forward and normalize
                h_grids = int(math.ceil(1.0*(ph-crop_size)/stride)) + 1
                w_grids = int(math.ceil(1.0*(pw-crop_size)/stride)) + 1
                outputs = torch.zeros((batch, self.nclass, ph, pw))
                count_norm = torch.zeros((batch, 1, ph, pw))
                # grid evaluation
                for idh in range(h_grids):
                    for idw in range(w_grids):
                        h0 = idh * stride
                        w0 = idw * stride
                        h1 = min(h0 + crop_size, ph)
                        w1 = min(w0 + crop_size, pw)
                        crop_img = _crop_image(pad_img, h0, h1, w0, w1)
                        # pad if needed
                        pad_crop_img = _pad_image(crop_img, crop_size)
                        output = self.flip_inference(pad_crop_img)
                        outputs[:, :, h0:h1, w0:w1] += _crop_image(
                            output, 0, h1-h0, 0, w1-w0)
                        count_norm[:, :, h0:h1, w0:w1] += 1
                assert((count_norm == 0).sum() == 0)
                outputs = outputs / count_norm
                outputs = outputs[:, :, :height, :width]

            score = _resize_image(outputs, h, w)
            scores += score

        return scores

    def flip_inference(self, image):
        output = self.evalmodule(image)
        if self.flip:
            fimg = _flip_image(image)
            foutput = self.evalmodule(fimg)
            output += _flip_image(foutput)
        return output.exp()


def _resize_image(img, h, w):
    return F.interpolate(img, size=(h, w), mode='bilinear', align_corners=True)


def _pad_image(img, crop_size=480):
    b, c, h, w = img.shape
    assert(c == 3)
    padh = crop_size - h if h < crop_size else 0
    padw = crop_size - w if w < crop_size else 0
    mean = [.485, .456, .406]
    std = [.229, .224, .225]
    pad_values = -np.array(mean) / np.array(std)
    img_pad = torch.zeros((b, c, h + padh, w + padw))
    for i in range(c):
        img_pad[:, i, :, :] = torch.squeeze(
            F.pad(img[:, i, :, :].unsqueeze(1), (0, padw, 0, padh), mode='constant',
                  value=float(pad_values[i])), 1)
    assert(img_pad.shape[2] >= crop_size and img_pad.shape[3] >= crop_size)
    return img_pad


def _crop_image(img, h0, h1, w0, w1):
    return img[:, :, h0:h1, w0:w1]


def _flip_image(img):
    assert(img.dim() == 4)
    return img.flip(3)

# --- end of transcription -------------------------------------------------------------------------------------------


def input_transform(raw):
    """GluonCV test.py: transforms.ToTensor() then transforms.Normalize(ImageNet mean, std)."""
    x = raw.float() / 255
    mean = torch.tensor([.485, .456, .406]).view(3, 1, 1)
    std = torch.tensor([.229, .224, .225]).view(3, 1, 1)
    return (x - mean) / std


def calibrate_batchnorm(model, generator):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(4, 3, 64, 64, generator=generator))
    model.eval()


def smooth_image(h, w, generator):
    coarse = torch.rand(1, 3, (h + 5) // 6, (w + 5) // 6, generator=generator) * 255
    fine = F.interpolate(coarse, size=(h, w), mode='bilinear', align_corners=False)[0]
    noise = torch.randn(3, h, w, generator=generator) * 12
    return (fine + noise).round().clamp(0, 255).to(torch.int64)


def carrier_model(seed):
    """torchvision's LR-ASPP with seeded random weights and BatchNorm statistics re-estimated on random batches, in eval
    mode: the network the evaluation-protocol references run their protocols on."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(seed)
    model = build("lraspp_mobilenet_v3_large", NUM_CLASSES)
    randomize(model, generator)
    calibrate_batchnorm(model, generator)
    return model


def main(out_dir):
    model = carrier_model(20260501)
    images = torch.Generator().manual_seed(20260503)
    outputs = {}
    with torch.no_grad():
        for i, (h, w) in enumerate(IMAGES):
            raw = smooth_image(h, w, images)
            outputs[f"image.{i}"] = raw
            x = input_transform(raw)
            outputs[f"plain.{i}"] = model(x.unsqueeze(0))["out"][0]
            for name, (base_size, crop_size, scales, flip) in CASES.items():
                evaluator = MultiEvalModel(model, NUM_CLASSES, base_size, crop_size, flip=flip, scales=scales)
                outputs[f"{name}.{i}"] = evaluator(x)[0]
    torch.save(model.state_dict(), os.path.join(out_dir, "weights.pth"))
    torch.save(outputs, os.path.join(out_dir, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
