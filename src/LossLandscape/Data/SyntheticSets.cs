using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>
/// Gaussian mixture classification: each class has a mean at distance <see cref="Separation"/> from the
/// origin in a random direction; a sample is its class mean plus standard normal noise in every dimension.
/// </summary>
public sealed record GaussianMixtureSettings(int Classes, int Dimensions, double Separation, int TrainCount, int TestCount, int Seed);

/// <summary>
/// Two interleaved spirals in the plane (2 classes). <see cref="Turns"/> full turns per arm, radius growing
/// from 0 to 1; <see cref="Noise"/> is the standard deviation of Gaussian noise added to each coordinate.
/// </summary>
public sealed record TwoSpiralsSettings(int TrainCount, int TestCount, double Noise, int Seed, double Turns = 1.5);

/// <summary>
/// A random teacher MLP (Dimensions -> HiddenWidth tanh -> Outputs, weights ~ N(0, 1/fan_in)) applied to
/// standard normal inputs. For classification Outputs is the number of classes and a label is the argmax
/// of the teacher's logits; for regression Outputs is the target width.
/// </summary>
public sealed record TeacherSettings(int Dimensions, int HiddenWidth, int Outputs, int TrainCount, int TestCount, int Seed, double TargetNoise = 0);

/// <summary>Regression data: float32 inputs [N, D] and float32 targets [N, Outputs] for train and test.</summary>
public sealed record RegressionSplit(Tensor TrainInputs, Tensor TrainTargets, Tensor TestInputs, Tensor TestTargets) : IDisposable
{
    public void Dispose()
    {
        TrainInputs.Dispose();
        TrainTargets.Dispose();
        TestInputs.Dispose();
        TestTargets.Dispose();
    }
}

/// <summary>
/// Small synthetic tasks whose difficulty is set by a few numbers. Every generator draws from its own
/// torch.Generator seeded by the settings, so the same settings give bit-identical tensors; train and test
/// come from one stream (train first), so they never share samples by accident of seeding.
/// </summary>
public static class SyntheticSets
{
    /// <summary>Inputs float32 [N, Dimensions], labels int64 [N] balanced over the classes.</summary>
    public static DataSplit GaussianMixture(GaussianMixtureSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Dimensions, 1);
        var generator = new torch.Generator((ulong)settings.Seed);
        using var means = MakeMeans(settings, generator);
        Dataset Draw(int count, string part)
        {
            using var scope = torch.NewDisposeScope();
            var labels = BalancedLabels(count, settings.Classes, generator);
            var inputs = means.index_select(0, labels) + torch.randn([count, settings.Dimensions], generator: generator);
            return new Dataset($"gaussian-mixture/{part}", inputs.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), settings.Classes);
        }
        var train = Draw(settings.TrainCount, "train");
        return new DataSplit(train, Draw(settings.TestCount, "test"));
    }

    static Tensor MakeMeans(GaussianMixtureSettings settings, torch.Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        var directions = torch.randn([settings.Classes, settings.Dimensions], generator: generator);
        var means = directions / directions.norm(1, keepdim: true) * settings.Separation;
        return means.MoveToOuterDisposeScope();
    }

    /// <summary>Inputs float32 [N, 2], labels int64 [N] (half 0, half 1, shuffled).</summary>
    public static DataSplit TwoSpirals(TwoSpiralsSettings settings)
    {
        var generator = new torch.Generator((ulong)settings.Seed);
        Dataset Draw(int count, string part)
        {
            using var scope = torch.NewDisposeScope();
            var labels = BalancedLabels(count, 2, generator);
            var fraction = torch.rand([count], generator: generator);
            var angle = fraction * (settings.Turns * 2 * Math.PI);
            // The second arm is the first rotated by half a turn.
            var phase = angle + labels.to(ScalarType.Float32) * Math.PI;
            var points = torch.stack([fraction * phase.cos(), fraction * phase.sin()], 1);
            points += torch.randn([count, 2], generator: generator) * settings.Noise;
            return new Dataset($"two-spirals/{part}", points.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), 2);
        }
        var train = Draw(settings.TrainCount, "train");
        return new DataSplit(train, Draw(settings.TestCount, "test"));
    }

    /// <summary>
    /// Inputs float32 [N, Dimensions], labels int64 [N] = argmax of the teacher's logits
    /// (Outputs classes; classes need not be balanced).
    /// </summary>
    public static DataSplit TeacherClassification(TeacherSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Outputs, 2);
        using var regression = TeacherRegression(settings with { TargetNoise = 0 });
        using var scope = torch.NewDisposeScope();
        var train = new Dataset("teacher/train", regression.TrainInputs.clone().MoveToOuterDisposeScope(),
            regression.TrainTargets.argmax(1).MoveToOuterDisposeScope(), settings.Outputs);
        var test = new Dataset("teacher/test", regression.TestInputs.clone().MoveToOuterDisposeScope(),
            regression.TestTargets.argmax(1).MoveToOuterDisposeScope(), settings.Outputs);
        return new DataSplit(train, test);
    }

    /// <summary>Inputs float32 [N, Dimensions], targets float32 [N, Outputs] = teacher output + N(0, TargetNoise^2).</summary>
    public static RegressionSplit TeacherRegression(TeacherSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.HiddenWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Outputs, 1);
        var generator = new torch.Generator((ulong)settings.Seed);
        using var scope = torch.NewDisposeScope();
        var w1 = torch.randn([settings.Dimensions, settings.HiddenWidth], generator: generator) / Math.Sqrt(settings.Dimensions);
        var w2 = torch.randn([settings.HiddenWidth, settings.Outputs], generator: generator) / Math.Sqrt(settings.HiddenWidth);
        (Tensor, Tensor) Draw(int count)
        {
            var inputs = torch.randn([count, settings.Dimensions], generator: generator);
            var targets = inputs.matmul(w1).tanh().matmul(w2);
            if (settings.TargetNoise > 0)
                targets += torch.randn([count, settings.Outputs], generator: generator) * settings.TargetNoise;
            return (inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
        }
        var (trainInputs, trainTargets) = Draw(settings.TrainCount);
        var (testInputs, testTargets) = Draw(settings.TestCount);
        return new RegressionSplit(trainInputs, trainTargets, testInputs, testTargets);
    }

    /// <summary>count labels cycling through the classes, then shuffled: class sizes differ by at most one.</summary>
    static Tensor BalancedLabels(int count, int classes, torch.Generator generator) =>
        torch.arange(count, dtype: ScalarType.Int64).remainder_(classes).index_select(0, torch.randperm(count, generator: generator));
}
