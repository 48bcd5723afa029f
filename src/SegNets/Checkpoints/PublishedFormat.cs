namespace SegNets.Checkpoints;

/// <summary>What a zoo publishes as a model's weights file.</summary>
public enum PublishedFormat
{
    /// <summary>A torch.save file (zip or legacy pickle): torchvision, TI edgeai, Hugging Face's pytorch_model.bin.</summary>
    Pth,

    /// <summary>GluonCV's model store: a .zip holding one MXNet .params file (the SHA-1 is of the .params).</summary>
    GluonParamsZip,

    /// <summary>ChainerCV's .npz (numpy archive of the Chainer link's parameters).</summary>
    ChainerNpz,

    /// <summary>An ONNX model (its initializers are the weights).</summary>
    Onnx,

    /// <summary>PyTorch-Encoding's model store: a .zip holding a .pth (the SHA-1 is of the .pth).</summary>
    EncodingZip,

    /// <summary>TF DeepLab's model zoo: a .tar.gz holding a TensorFlow V2 checkpoint.</summary>
    TfTarGz,
}
