using System.Text.Json;
using System.Text.Json.Serialization;

namespace LossLandscape.Models;

/// <summary>
/// What a model is: its registered kind, width and depth, and the shape of the data it reads. Written into every
/// checkpoint's metadata as JSON, so that a checkpoint is self-describing.
/// </summary>
/// <param name="Kind">A name in <see cref="ModelRegistry"/>, e.g. "mlp" or "cnn".</param>
/// <param name="Width">Hidden units per layer (MLP) or the base channel count k (CNN-k: k, 2k, 4k, 8k).</param>
/// <param name="Depth">Hidden layers (MLP); ignored by architectures of fixed depth.</param>
/// <param name="BatchNorm">BatchNorm after each hidden linear / conv layer.</param>
/// <param name="ActivationNoise">Std of Gaussian noise added in training to hidden pre-activations (MLP) or after each
/// BatchNorm (CNN-k); 0: none.</param>
public sealed record ModelSpec(
    string Kind,
    int Width,
    int Depth = 2,
    bool BatchNorm = false,
    int InputChannels = 1,
    int ImageSize = 28,
    int Classes = 10,
    double ActivationNoise = 0)
{
    /// <summary>The reference MLP of the project: 784-256-256-10, ReLU.</summary>
    public static ModelSpec ReferenceMlp => new("mlp", 256, 2);

    public int InputFeatures => InputChannels * ImageSize * ImageSize;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ModelSpec>(json, Json) ?? throw new LandscapeException("empty model description");

    public override string ToString() =>
        Kind + (Kind is "mlp" or "mlp-si" ? $"(width={Width}, depth={Depth}" : $"(k={Width}") + (BatchNorm ? ", bn" : "") +
        $", in={InputChannels}x{ImageSize}x{ImageSize}, classes={Classes})";
}
