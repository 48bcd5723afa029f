"""Reference segmentation metrics for SegNets' ConfusionMatrix / SegmentationMetrics (NumPy only).

    /usr/bin/python3 tools/reference/segmentation_metrics.py OUT_DIR

Generates seeded random class maps and label maps (with ignore pixels) in a few batches of different shapes and
computes the metrics two ways:

* GluonCV: a NumPy transcription of dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52
  gluoncv/utils/metrics/segmentation.py -- SegmentationMetric.update/get/reset, batch_pix_accuracy and
  batch_intersection_union. The originals take MXNet NDArrays and call `.asnumpy()`; here they take NumPy arrays,
  which is the only change. GluonCV's label maps mark ignored pixels with -1 (its datasets' _mask_transform maps 255
  to -1), so the 255s written to disk become -1 before GluonCV's functions see them. Predictions go in as one-hot
  scores (N, C, H, W) so that the original `np.argmax(output, 1)` line stays as it is.
* The "present classes" variant: mmsegmentation (open-mmlab/mmsegmentation@3d50cc3c5be3709f387fb66268890d81b2154c2d
  mmseg/evaluation/metrics/iou_metric.py, total_area_to_metrics + compute_metrics): IoU = intersect / union without
  an epsilon (NaN where a class is in neither map), mean = np.nanmean; mean accuracy = np.nanmean(intersect / label);
  frequency-weighted IoU as FCN's score.py (shelhamer/fcn.berkeleyvision.org): freq = hist.sum(1) / hist.sum(),
  (freq[freq > 0] * iu[freq > 0]).sum().

Writes
  OUT_DIR/pred_B.npy, OUT_DIR/target_B.npy   int64 class maps of batch B (targets use 255 for "ignore")
  OUT_DIR/expected.npz                        num_classes, batches, hist (C x C, rows = target), GluonCV's
                                              total_correct/total_label/total_inter/total_union/pixAcc/IoU/mIoU,
                                              and iou_present/miou_present/acc/mean_acc/fwiou of the variant
"""
import os
import sys

import numpy as np

NUM_CLASSES = 7
IGNORE = 255
SHAPES = [(2, 23, 31), (1, 40, 17), (3, 9, 12)]


# --- transcription of gluoncv/utils/metrics/segmentation.py (NDArray.asnumpy() calls dropped) ------------------------

class SegmentationMetric(object):
    def __init__(self, nclass):
        self.nclass = nclass
        self.reset()

    def update(self, labels, preds):
        # evaluate_worker, called once per (label, pred) pair as GluonCV's threads do; the lock changes nothing here
        correct, labeled = batch_pix_accuracy(preds, labels)
        inter, union = batch_intersection_union(preds, labels, self.nclass)
        self.total_correct += correct
        self.total_label += labeled
        self.total_inter += inter
        self.total_union += union

    def get(self):
        pixAcc = 1.0 * self.total_correct / (np.spacing(1) + self.total_label)
        IoU = 1.0 * self.total_inter / (np.spacing(1) + self.total_union)
        mIoU = IoU.mean()
        return pixAcc, mIoU, IoU

    def reset(self):
        self.total_inter = 0
        self.total_union = 0
        self.total_correct = 0
        self.total_label = 0


def batch_pix_accuracy(output, target):
    predict = np.argmax(output, 1).astype('int64') + 1
    target = target.astype('int64') + 1
    pixel_labeled = np.sum(target > 0)
    pixel_correct = np.sum((predict == target) * (target > 0))
    assert pixel_correct <= pixel_labeled, "Correct area should be smaller than Labeled"
    return pixel_correct, pixel_labeled


def batch_intersection_union(output, target, nclass):
    mini = 1
    maxi = nclass
    nbins = nclass
    predict = np.argmax(output, 1).astype('int64') + 1
    target = target.astype('int64') + 1
    predict = predict * (target > 0).astype(predict.dtype)
    intersection = predict * (predict == target)
    area_inter, _ = np.histogram(intersection, bins=nbins, range=(mini, maxi))
    area_pred, _ = np.histogram(predict, bins=nbins, range=(mini, maxi))
    area_lab, _ = np.histogram(target, bins=nbins, range=(mini, maxi))
    area_union = area_pred + area_lab - area_inter
    assert (area_inter <= area_union).all(), "Intersection area should be smaller than Union area"
    return area_inter, area_union

# --- end of transcription -------------------------------------------------------------------------------------------


def one_hot_scores(pred, nclass):
    scores = np.zeros((pred.shape[0], nclass) + pred.shape[1:], dtype=np.float32)
    np.put_along_axis(scores, pred[:, None], 1.0, axis=1)
    return scores


def make_batches(rng):
    batches = []
    for n, h, w in SHAPES:
        # classes 0..4 in the targets; predictions mostly right, else any of 0..5: class 5 is predicted but never in
        # a target (its recall is undefined), class 6 is in neither (GluonCV's mIoU counts it as 0, the variant skips it)
        target = rng.integers(0, 5, size=(n, h, w)).astype(np.int64)
        wrong = rng.random((n, h, w)) < 0.35
        pred = np.where(wrong, rng.integers(0, 6, size=(n, h, w)), target).astype(np.int64)
        target[rng.random((n, h, w)) < 0.1] = IGNORE
        batches.append((pred, target))
    return batches


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20260502)
    batches = make_batches(rng)
    metric = SegmentationMetric(NUM_CLASSES)
    hist = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    for b, (pred, target) in enumerate(batches):
        np.save(os.path.join(out, f"pred_{b}.npy"), pred)
        np.save(os.path.join(out, f"target_{b}.npy"), target)
        gluon_target = np.where(target == IGNORE, -1, target)
        metric.update(gluon_target, one_hot_scores(pred, NUM_CLASSES))
        keep = target != IGNORE
        hist += np.bincount(target[keep] * NUM_CLASSES + pred[keep],
                            minlength=NUM_CLASSES ** 2).reshape(NUM_CLASSES, NUM_CLASSES)
    pix_acc, miou, iou = metric.get()

    with np.errstate(divide='ignore', invalid='ignore'):
        inter = np.diag(hist).astype(np.float64)
        union = hist.sum(1) + hist.sum(0) - np.diag(hist)
        iou_present = inter / union
        acc = inter / hist.sum(1)
    freq = hist.sum(1) / hist.sum()
    np.savez(os.path.join(out, "expected.npz"),
             num_classes=np.int64(NUM_CLASSES), batches=np.int64(len(batches)), hist=hist,
             total_correct=np.int64(metric.total_correct), total_label=np.int64(metric.total_label),
             total_inter=metric.total_inter.astype(np.int64), total_union=metric.total_union.astype(np.int64),
             pixAcc=np.float64(pix_acc), IoU=iou.astype(np.float64), mIoU=np.float64(miou),
             iou_present=iou_present, miou_present=np.float64(np.nanmean(iou_present)),
             acc=acc, mean_acc=np.float64(np.nanmean(acc)),
             fwiou=np.float64((freq[freq > 0] * iou_present[freq > 0]).sum()))


if __name__ == "__main__":
    main(sys.argv[1])
