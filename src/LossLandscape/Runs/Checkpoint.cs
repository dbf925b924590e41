using LossLandscape.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Runs;

/// <summary>
/// A model's weights as a self-describing safetensors file: tensor names are the module's state_dict names,
/// and the metadata holds the architecture (<see cref="ModelSpec"/> as JSON) under "architecture".
/// </summary>
public static class Checkpoint
{
    public const string ArchitectureKey = "architecture";

    public static void Save(string path, LandscapeModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [ArchitectureKey] = model.Spec.ToJson(),
            ["tool"] = $"LossLandscape {ProvenanceInfo.ToolVersion}",
        };
        if (metadata is not null) foreach (var kv in metadata) meta[kv.Key] = kv.Value;
        Safetensors.Save(path, model.state_dict(), meta);
    }

    /// <summary>Builds the model that the checkpoint describes and loads its weights.</summary>
    public static LandscapeModel Load(string path, Device? device = null)
    {
        var (tensors, metadata) = Safetensors.Load(path);
        try
        {
            if (!metadata.TryGetValue(ArchitectureKey, out var json))
                throw new DataFormatException(path, "checkpoint has no 'architecture' metadata; was it written by this tool?");
            var model = ModelRegistry.Create(ModelSpec.FromJson(json));
            LoadWeights(model, tensors, path);
            if (device is not null) model.to(device);
            return model;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Copies named tensors into the model's state; every state entry must be present with its shape.</summary>
    public static void LoadWeights(LandscapeModel model, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        using var _ = no_grad();
        foreach (var (name, target) in model.state_dict())
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new DataFormatException(source, $"tensor '{name}' of {model.Spec} is missing");
            if (!t.shape.SequenceEqual(target.shape))
                throw new DataFormatException(source, $"tensor '{name}' has shape [{string.Join(",", t.shape)}], the model needs [{string.Join(",", target.shape)}]");
            target.copy_(t);
        }
    }
}
