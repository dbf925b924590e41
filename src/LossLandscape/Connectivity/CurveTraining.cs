using System.Diagnostics;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Connectivity;

/// <summary>
/// Curve training as in Garipov et al. 2018: SGD with momentum 0.9, batch 128, lr 0.01 with their schedule
/// (constant to 50% of the epochs, linear to 1% at 90%), weight decay 1e-4 on w(t).
/// </summary>
public sealed record CurveTrainingSettings(
    int Epochs = 20,
    int BatchSize = 128,
    double LearningRate = 0.01,
    double Momentum = 0.9,
    double WeightDecay = 1e-4,
    int Seed = 0);

public sealed record CurveTrainingResult(IReadOnlyList<double> EpochLosses, TimeSpan Elapsed, long Steps);

/// <summary>
/// Trains the bends of a curve. For every mini-batch one t ~ U[0, 1] is drawn, w(t) is loaded into the model
/// (any registered architecture: nothing is rewritten layer by layer), one backward pass gives the gradient g at
/// w(t), and bend i receives c_i(t) (g + wd w(t)). BatchNorm layers keep one shared set of running statistics while
/// training (they are re-estimated for each t when the curve is evaluated).
/// </summary>
public static class CurveTraining
{
    public static CurveTrainingResult Train(ConnectingCurve curve, LandscapeModel model, Dataset train, CurveTrainingSettings s,
        Action<int, double>? onEpoch = null)
    {
        if (curve.Bends.Count == 0) return new CurveTrainingResult(Array.Empty<double>(), TimeSpan.Zero, 0);
        var clock = Stopwatch.StartNew();
        var bends = curve.Bends.Select((b, i) => ($"bend{i + 1}", (Tensor)b)).ToList();
        using var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, s.LearningRate, s.Momentum), bends);
        var schedule = new LrSchedule(ScheduleKind.Linear);
        using var shuffle = new Generator((ulong)s.Seed ^ 0x5eed5eedUL);
        var random = new Random(s.Seed);
        using var saved = ParameterVector.Get(model);
        int steps = (int)((train.Count + s.BatchSize - 1) / s.BatchSize);
        var losses = new List<double>();
        long step = 0;
        model.train();
        for (int epoch = 0; epoch < s.Epochs; epoch++)
        {
            using var epochScope = NewDisposeScope();
            var order = randperm(train.Count, generator: shuffle).to(train.Inputs.device);
            var inputs = train.Inputs.index_select(0, order);
            var labels = train.Labels.index_select(0, order);
            var lossSum = zeros(1, dtype: ScalarType.Float64, device: train.Inputs.device);
            double lr = s.LearningRate * schedule.Multiplier(epoch, 0, steps, s.Epochs);
            for (int i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                double t = random.NextDouble();
                long start = (long)i * s.BatchSize, length = Math.Min(s.BatchSize, train.Count - start);
                var (loss, gradients) = LossAndBendGradients(curve, model, inputs.narrow(0, start, length), labels.narrow(0, start, length), t, s.WeightDecay);
                for (int b = 0; b < curve.Bends.Count; b++)
                    curve.Bends[b].grad = gradients[b].DetachFromDisposeScope();
                optimizer.Step(lr);
                foreach (var bend in curve.Bends) { bend.grad?.Dispose(); bend.grad = null; }
                lossSum.add_(loss * length);
                step++;
            }
            double mean = lossSum.ToDouble() / train.Count;
            if (!double.IsFinite(mean)) throw new LandscapeException($"curve training diverged at epoch {epoch + 1} (loss {mean}); lower --curve-lr");
            losses.Add(mean);
            onEpoch?.Invoke(epoch + 1, mean);
        }
        ParameterVector.Set(model, saved);
        return new CurveTrainingResult(losses, clock.Elapsed, step);
    }

    /// <summary>
    /// The mini-batch objective at w(t), cross-entropy + wd/2 |w(t)|^2 (as a float64 scalar tensor, so callers can
    /// accumulate without a sync), and its gradient with respect to each bend: c_i(t) (g + wd w(t)).
    /// </summary>
    public static (Tensor Loss, Tensor[] BendGradients) LossAndBendGradients(ConnectingCurve curve, LandscapeModel model, Tensor x, Tensor y,
        double t, double weightDecay)
    {
        var c = curve.Coefficients(t);
        var w = curve.At(t);
        ParameterVector.Set(model, w);
        model.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(x), y);
        loss.backward();
        var g = ParameterVector.Gradient(model).add_(w, alpha: weightDecay);
        model.zero_grad();
        var objective = loss.detach().to(ScalarType.Float64) + 0.5 * weightDecay * w.to(ScalarType.Float64).pow(2).sum();
        return (objective, Enumerable.Range(0, curve.Bends.Count).Select(b => g.mul(c[b + 1])).ToArray());
    }
}
