"""Reference class scores of ChainerCV's PSPNet prediction protocol for SegNets' SegmentationEvaluator (tile protocol).

    /usr/bin/python3 tools/reference/chainercv_tile_eval.py OUT_DIR

Chainer cannot run here, so PSPNet.predict is transcribed to numpy / PyTorch from chainer/chainercv@7159616642e0be7c5b3ef380b848e16b7e99355b:
  chainercv/experimental/links/model/pspnet/pspnet.py  PSPNet._tile_predict, PSPNet._predict (softmax of forward),
      PSPNet.predict with scales None (one scale);
  chainercv/experimental/links/model/pspnet/transforms.py  convolution_crop;
  chainercv/transforms/image/resize_contain.py  resize_contain (scale = min(out/in, 1): never enlarges; centred
      padding with fill 0 via _get_pad_slice).
The only substitutions are Chainer calls: F.softmax(axis=1) -> torch.softmax(dim=1); F.resize_images -> bilinear with
align_corners=True (here always to the same size, so the identity); the link's forward -> the carrier network below.
The network is only a carrier for the protocol: torchvision's lraspp_mobilenet_v3_large(num_classes=5) with the
seeded weights and re-estimated BatchNorm statistics of tools/reference/gluoncv_multi_eval.py, eval mode, fed
img - mean as PSPNet._tile_predict does (mean = ChainerCV's _imagenet_mean, RGB 0..255), divided by CARRIER_SCALE
inside the carrier (its statistics were estimated on unit-variance inputs; raw +-130 inputs make its logits reach
1e4, where float rounding differs between libraries by whole units); zero padding stays zero.

Writes OUT_DIR/weights.pth and OUT_DIR/outputs.pth {'image.I': raw (3, H, W) int64, 'tiles.I': (C, H, W) scores}.
"""
from __future__ import division

import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gluoncv_multi_eval import NUM_CLASSES, carrier_model, smooth_image  # noqa: E402

INPUT_SIZE = (48, 48)
# taller than a tile (2x2 tiles, negative offsets); wider (1x3, rows centred above the image); smaller (padded, centred)
IMAGES = [(70, 52), (45, 77), (30, 41)]
CARRIER_SCALE = 64.0
IMAGENET_MEAN = np.array([123.68, 116.779, 103.939], dtype=np.float32)[:, None, None]


def convolution_crop(img, size, stride):
    _, H, W = img.shape
    h = int(math.ceil((H - size[0]) / stride[0])) + 1
    w = int(math.ceil((W - size[1]) / stride[1])) + 1
    start_y = -(size[0] + stride[0] * (h - 1) - H) // 2
    start_x = -(size[1] + stride[1] * (w - 1) - W) // 2
    crop_imgs, y_slices, x_slices, crop_y_slices, crop_x_slices = [], [], [], [], []
    for y in range(h):
        for x in range(w):
            y_min = y * stride[0] + start_y
            x_min = x * stride[1] + start_x
            y_max = y_min + size[0]
            x_max = x_min + size[1]
            crop_y_min = np.abs(np.minimum(y_min, 0))
            crop_x_min = np.abs(np.minimum(x_min, 0))
            crop_y_max = size[0] - np.maximum(y_max - H, 0)
            crop_x_max = size[1] - np.maximum(x_max - W, 0)
            crop_img = np.zeros((img.shape[0], size[0], size[1]), dtype=img.dtype)
            y_slice = slice(max(y_min, 0), min(y_max, H))
            x_slice = slice(max(x_min, 0), min(x_max, W))
            crop_y_slice = slice(crop_y_min, crop_y_max)
            crop_x_slice = slice(crop_x_min, crop_x_max)
            crop_img[:, crop_y_slice, crop_x_slice] = img[:, y_slice, x_slice]
            crop_imgs.append(crop_img)
            y_slices.append(y_slice)
            x_slices.append(x_slice)
            crop_y_slices.append(crop_y_slice)
            crop_x_slices.append(crop_x_slice)
    param = {'y_slices': y_slices, 'x_slices': x_slices, 'crop_y_slices': crop_y_slices, 'crop_x_slices': crop_x_slices}
    return np.array(crop_imgs), param


def resize_contain(img, size, fill=0):
    C, H, W = img.shape
    out_H, out_W = size
    scale = min(min(out_H / H, out_W / W), 1)
    scaled_size = (int(H * scale), int(W * scale))
    assert scale == 1, "the test images are smaller than a tile: resize_contain only pads"
    _, H, W = img.shape
    margin_y = (size[0] - H) // 2 if H < size[0] else 0
    margin_x = (size[1] - W) // 2 if W < size[1] else 0
    y_slice = slice(margin_y, margin_y + H)
    x_slice = slice(margin_x, margin_x + W)
    out_img = np.empty((C, out_H, out_W), dtype=img.dtype)
    out_img[:] = np.array(fill).reshape((-1, 1, 1))
    out_img[:, y_slice, x_slice] = img
    return out_img, {'y_offset': y_slice.start, 'x_offset': x_slice.start, 'scaled_size': scaled_size}


class TilePredictor:
    def __init__(self, model, n_class, input_size):
        self.model = model
        self.n_class = n_class
        self.input_size = input_size
        self.mean = IMAGENET_MEAN

    def _predict(self, imgs):
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(imgs)) / CARRIER_SCALE
            return torch.softmax(self.model(x)["out"], dim=1).numpy()

    def _tile_predict(self, img):
        if self.mean is not None:
            img = img - self.mean
        ori_H, ori_W = img.shape[1:]
        long_size = max(ori_H, ori_W)
        if long_size > max(self.input_size):
            stride_rate = 2 / 3
            stride = (int(math.ceil(self.input_size[0] * stride_rate)), int(math.ceil(self.input_size[1] * stride_rate)))
            imgs, param = convolution_crop(img, self.input_size, stride)
            counts = np.zeros((1, ori_H, ori_W), dtype=np.float32)
            preds = np.zeros((1, self.n_class, ori_H, ori_W), dtype=np.float32)
            N = len(param['y_slices'])
            for i in range(N):
                img_i = imgs[i:i + 1]
                y_slice = param['y_slices'][i]
                x_slice = param['x_slices'][i]
                crop_y_slice = param['crop_y_slices'][i]
                crop_x_slice = param['crop_x_slices'][i]
                scores_i = self._predict(img_i)
                flipped_scores_i = self._predict(img_i[:, :, :, ::-1])[:, :, :, ::-1]
                preds[0, :, y_slice, x_slice] += scores_i[0, :, crop_y_slice, crop_x_slice]
                preds[0, :, y_slice, x_slice] += flipped_scores_i[0, :, crop_y_slice, crop_x_slice]
                counts[0, y_slice, x_slice] += 2
            scores = preds / counts[:, None]
        else:
            img, param = resize_contain(img, self.input_size)
            preds1 = self._predict(img[np.newaxis])
            preds2 = self._predict(img[np.newaxis, :, :, ::-1])
            preds = (preds1 + preds2[:, :, :, ::-1]) / 2
            y_start = param['y_offset']
            y_end = y_start + param['scaled_size'][0]
            x_start = param['x_offset']
            x_end = x_start + param['scaled_size'][1]
            scores = preds[:, :, y_start:y_end, x_start:x_end]
        # F.resize_images(scores, (ori_H, ori_W)): the scores already have that size
        assert scores.shape[2:] == (ori_H, ori_W)
        return scores[0]


def main(out_dir):
    model = carrier_model(20260521)
    predictor = TilePredictor(model, NUM_CLASSES, INPUT_SIZE)
    images = torch.Generator().manual_seed(20260523)
    outputs = {}
    for i, (h, w) in enumerate(IMAGES):
        raw = smooth_image(h, w, images)
        outputs[f"image.{i}"] = raw
        outputs[f"tiles.{i}"] = torch.from_numpy(predictor._tile_predict(raw.numpy().astype(np.float32)))
    torch.save(model.state_dict(), os.path.join(out_dir, "weights.pth"))
    torch.save(outputs, os.path.join(out_dir, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
