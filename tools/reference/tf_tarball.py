"""TF model-zoo style tarballs (.tar.gz) around a TF V2 checkpoint bundle, for SegNets' TensorFlowTarball tests.

    /usr/bin/python3 tools/reference/tf_tarball.py OUT_DIR BUNDLE_PREFIX

TF DeepLab publishes each model as a .tar.gz of one folder holding the training checkpoint and the frozen graph
(tensorflow/models research/deeplab/local_test_mobilenetv2.sh untars deeplabv3_mnv2_pascal_train_aug_2018_01_29.tar.gz
and reads deeplabv3_mnv2_pascal_train_aug/model.ckpt-30000; g3doc/model_zoo.md: "frozen_inference_graph.pb" and the
checkpoint). Written with Python's tarfile (GNU format, gzip), as GNU tar would. BUNDLE_PREFIX names an existing
bundle (PREFIX.index + PREFIX.data-00000-of-00001), e.g. one written by tf_deeplab_mobilenet.py. Writes:
  good.tar.gz       deeplabv3_mnv2_pascal_train_aug/{model.ckpt-30000.index, .data-00000-of-00001,
                    frozen_inference_graph.pb (placeholder bytes)} plus the folder entry
  no_index.tar.gz   the same without the .index
  two.tar.gz        two checkpoints (model.ckpt-10 and model.ckpt-30000)
  escape.tar.gz     the checkpoint's members named ../../segnets-escape-test/model.ckpt.{index,data-...}
  symlink.tar.gz    the .index as a symbolic link
  truncated.tar.gz  the first 60% of good.tar.gz's bytes
"""
import io
import os
import sys
import tarfile


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1517270400
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


def write(path, members):
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        for kind, name, data in members:
            if kind == "dir":
                add_dir(tar, name)
            elif kind == "link":
                info = tarfile.TarInfo(name)
                info.type = tarfile.SYMTYPE
                info.linkname = data
                tar.addfile(info)
            else:
                add_bytes(tar, name, data)


def main(out, prefix):
    index = open(prefix + ".index", "rb").read()
    data = open(prefix + ".data-00000-of-00001", "rb").read()
    folder = "deeplabv3_mnv2_pascal_train_aug/"
    graph = b"frozen graph placeholder: SegNets reads the checkpoint, not this"
    ckpt = [("file", folder + "model.ckpt-30000.index", index), ("file", folder + "model.ckpt-30000.data-00000-of-00001", data)]
    write(f"{out}/good.tar.gz", [("dir", folder, None)] + ckpt + [("file", folder + "frozen_inference_graph.pb", graph)])
    write(f"{out}/no_index.tar.gz", [("dir", folder, None), ckpt[1], ("file", folder + "frozen_inference_graph.pb", graph)])
    write(f"{out}/two.tar.gz", ckpt + [("file", folder + "model.ckpt-10.index", index),
                                       ("file", folder + "model.ckpt-10.data-00000-of-00001", data)])
    escape = "../../segnets-escape-test/"
    write(f"{out}/escape.tar.gz", [("file", escape + "model.ckpt.index", index),
                                   ("file", escape + "model.ckpt.data-00000-of-00001", data)])
    write(f"{out}/symlink.tar.gz", [("link", folder + "model.ckpt-30000.index", "/etc/passwd"), ckpt[1]])
    good = open(f"{out}/good.tar.gz", "rb").read()
    open(f"{out}/truncated.tar.gz", "wb").write(good[: len(good) * 6 // 10])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
