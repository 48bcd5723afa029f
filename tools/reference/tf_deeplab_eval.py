"""Reference class scores of TF DeepLab's evaluation protocol for SegNets' SegmentationEvaluator (padded protocol).

    /usr/bin/python3 tools/reference/tf_deeplab_eval.py OUT_DIR

TensorFlow cannot run here, so the protocol is transcribed to PyTorch from tensorflow/models@0250304cf9de8ff4e7fe305c72f91215cf2ad69e
research/deeplab:
  input_preprocess.py preprocess_image_and_label(is_training=False): no resize (min/max_resize_value unset), then
      target = size + max(crop - size, 0) per side and preprocess_utils.pad_to_bounding_box(image, 0, 0, target_h,
      target_w, mean_pixel): the image's bottom and right filled with the model variant's mean pixel, 127.5 for the
      xception / mobilenet variants (core/feature_extractor.py mean_pixel); the label is padded with the ignore label.
  core/feature_extractor.py _preprocess_zero_mean_unit_range: (2 / 255) * x - 1.
  model.py predict_labels: logits resized to the padded input (bilinear, align_corners=True) before the argmax.
Padded label pixels are ignored by the metric, which is the same as cutting the prediction back to the image: this
script returns the logits of the padded image cut to the image. The network is only a carrier for the protocol:
torchvision's lraspp_mobilenet_v3_large(num_classes=5) with the seeded weights and re-estimated BatchNorm statistics of
tools/reference/gluoncv_multi_eval.py, in eval mode.

Writes OUT_DIR/weights.pth (state_dict) and OUT_DIR/outputs.pth {'image.I': raw (3, H, W) int64, 'padded.I':
(C, H, W) logits for the crop size CROP, 'unpadded.I': the same with a crop smaller than the image (no padding)}.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gluoncv_multi_eval import NUM_CLASSES, carrier_model, smooth_image  # noqa: E402

# (height, width): taller than the crop and narrower / shorter and narrower
IMAGES = [(70, 52), (45, 77)]
CROP = (64, 80)
MEAN_PIXEL = 127.5


def pad_to_bounding_box(image, target_height, target_width, pad_value):
    """preprocess_utils.pad_to_bounding_box at offset (0, 0) for a (3, H, W) image: pad_value outside the image."""
    _, h, w = image.shape
    padded = torch.full((3, target_height, target_width), float(pad_value))
    padded[:, :h, :w] = image
    return padded


def tf_eval_logits(model, raw, crop_height, crop_width):
    image = raw.float()
    h, w = image.shape[1:]
    target_height = h + max(crop_height - h, 0)
    target_width = w + max(crop_width - w, 0)
    padded = pad_to_bounding_box(image, target_height, target_width, MEAN_PIXEL)
    x = (2.0 / 255.0) * padded - 1.0
    logits = model(x.unsqueeze(0))["out"][0]  # already at the padded input's size
    return logits[:, :h, :w]


def main(out_dir):
    model = carrier_model(20260511)
    images = torch.Generator().manual_seed(20260513)
    outputs = {}
    with torch.no_grad():
        for i, (h, w) in enumerate(IMAGES):
            raw = smooth_image(h, w, images)
            outputs[f"image.{i}"] = raw
            outputs[f"padded.{i}"] = tf_eval_logits(model, raw, *CROP)
            outputs[f"unpadded.{i}"] = tf_eval_logits(model, raw, 16, 16)
            # the padding must matter, or the test would not see a wrong pad value or place
            plain = (2.0 / 255.0) * raw.float() - 1.0
            assert (model(plain.unsqueeze(0))["out"][0] - outputs[f"padded.{i}"]).abs().max() > 1e-3
    torch.save(model.state_dict(), os.path.join(out_dir, "weights.pth"))
    torch.save(outputs, os.path.join(out_dir, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
