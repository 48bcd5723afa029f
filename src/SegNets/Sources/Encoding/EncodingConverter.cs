using SegNets.Checkpoints.Converters;

namespace SegNets.Sources.Encoding;

/// <summary>
/// PyTorch-Encoding segmentation checkpoints (model_store's NAME-SHORT.pth: a plain state_dict) onto SegNets'
/// <see cref="EncNet"/>. PyTorch-Encoding's BaseNet holds the ResNet as `pretrained`
/// (zhanghang1989/PyTorch-Encoding@b05334f encoding/models/base.py), SegNets' BackboneHeadModel as `backbone`; the
/// ResNet's own keys (conv1, bn1, layerN.M.*, fc) and the heads (`head.*`, `auxlayer.*`) are already the same.
/// </summary>
public static class EncodingConverter
{
    public static CheckpointConverter Create() => new("encoding", [new KeyRule(@"^pretrained\.", "backbone.")]);
}
