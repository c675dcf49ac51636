using GateWatch.Agent.Detect;

namespace GateWatch.Agent.Eval;

/// <summary>A true box under its product class; a don't-care box is neither a miss nor a false positive for a detection on it.</summary>
internal readonly record struct TruthBox(string Class, Box Box, bool DontCare = false);

/// <summary>One image's labels and detections, both in its pixels.</summary>
internal sealed record ScoredImage(string Image, IReadOnlyList<TruthBox> Labels, IReadOnlyList<ScoredBox> Detections);

/// <summary>
/// One row: <see cref="Labels"/> counts boxes that are not don't-care; <see cref="Detections"/> those at or above the
/// score threshold that did not land on a don't-care box (so TP + FP); <see cref="Ignored"/> those that did.
/// Precision is null with no detections, recall and AP with no labels.
/// </summary>
internal sealed record ClassScore(
    string Class, int Labels, int Detections, int TruePositives, int FalsePositives, int FalseNegatives, int Ignored,
    double? Precision, double? Recall, double? Ap50);

internal sealed record DetectionReport(IReadOnlyList<ClassScore> Classes, ClassScore Any, double? MeanAp50);

/// <summary>
/// Detector accuracy at IoU 0.5 by the usual object-detection protocol: per image and class, detections by
/// descending score take the unmatched label of highest IoU; AP is the area under the monotone precision
/// envelope over all recall points (VOC2010+/COCO all-point interpolation).
/// </summary>
internal static class DetectionScorer
{
    public const float IouThreshold = 0.5f;

    /// <summary>The row that matches any detected class to any labelled class: is the detector finding things at all.</summary>
    public const string AnyClass = "any";

    private enum Outcome
    {
        TruePositive,
        FalsePositive,
        Ignored,
    }

    public static DetectionReport Score(IReadOnlyList<ScoredImage> images, double scoreThreshold)
    {
        var classes = images.SelectMany(i => i.Labels.Select(l => l.Class).Concat(i.Detections.Select(d => d.Class)))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(ClassOrder).ThenBy(c => c, StringComparer.Ordinal)
            .ToList();
        var rows = classes.Select(c => Row(c, images, l => l.Class == c, d => d.Class == c, scoreThreshold)).ToList();
        var any = Row(AnyClass, images, _ => true, _ => true, scoreThreshold);
        var aps = rows.Where(r => r.Ap50 is not null).Select(r => r.Ap50!.Value).ToList();
        return new DetectionReport(rows, any, aps.Count == 0 ? null : aps.Average());
    }

    /// <summary>Product classes in the detector's order, any other after them.</summary>
    private static int ClassOrder(string name) =>
        Enum.GetValues<ObjectClass>().Select(c => c.Name()).ToList().IndexOf(name) is var i and >= 0 ? i : int.MaxValue;

    private static ClassScore Row(string name, IReadOnlyList<ScoredImage> images, Func<TruthBox, bool> label, Func<ScoredBox, bool> detection, double threshold)
    {
        var outcomes = new List<(float Score, Outcome Outcome)>();
        var positives = 0;
        foreach (var image in images)
        {
            var labels = image.Labels.Where(label).ToList();
            positives += labels.Count(l => !l.DontCare);
            outcomes.AddRange(Match(labels, image.Detections.Where(detection).ToList()));
        }

        var kept = outcomes.Where(o => o.Score >= threshold).ToList();
        var tp = kept.Count(o => o.Outcome == Outcome.TruePositive);
        var fp = kept.Count(o => o.Outcome == Outcome.FalsePositive);
        return new ClassScore(name, positives, tp + fp, tp, fp, positives - tp, kept.Count(o => o.Outcome == Outcome.Ignored),
            tp + fp == 0 ? null : (double)tp / (tp + fp),
            positives == 0 ? null : (double)tp / positives,
            positives == 0 ? null : AveragePrecision(outcomes, positives));
    }

    /// <summary>
    /// Greedy matching in one image. A detection that finds no free label tries the don't-care boxes, which
    /// take any number: a detector that splits one small distant object in two is not penalised for it.
    /// </summary>
    private static IEnumerable<(float Score, Outcome Outcome)> Match(List<TruthBox> labels, List<ScoredBox> detections)
    {
        var taken = new bool[labels.Count];
        foreach (var d in detections.OrderByDescending(d => d.Score))
        {
            var best = BestIoU(labels, d.Box, i => !labels[i].DontCare && !taken[i]);
            if (best >= 0)
            {
                taken[best] = true;
                yield return (d.Score, Outcome.TruePositive);
            }
            else
            {
                yield return (d.Score, BestIoU(labels, d.Box, i => labels[i].DontCare) >= 0 ? Outcome.Ignored : Outcome.FalsePositive);
            }
        }
    }

    private static int BestIoU(List<TruthBox> labels, Box box, Func<int, bool> eligible)
    {
        var best = -1;
        var bestIoU = 0f;
        for (var i = 0; i < labels.Count; i++)
        {
            var iou = labels[i].Box.IoU(box);
            if (eligible(i) && iou >= IouThreshold && iou > bestIoU)
            {
                (best, bestIoU) = (i, iou);
            }
        }

        return best;
    }

    /// <summary>
    /// All-point interpolated AP. Ties in score keep the order the detections were read in (stable sort), as
    /// COCO's evaluation does, so the number does not depend on a hash order.
    /// </summary>
    private static double AveragePrecision(List<(float Score, Outcome Outcome)> outcomes, int positives)
    {
        var ranked = outcomes.Where(o => o.Outcome != Outcome.Ignored).OrderByDescending(o => o.Score).ToList();
        var precision = new double[ranked.Count];
        var recall = new double[ranked.Count];
        var tp = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            tp += ranked[i].Outcome == Outcome.TruePositive ? 1 : 0;
            precision[i] = (double)tp / (i + 1);
            recall[i] = (double)tp / positives;
        }

        // The envelope: the best precision reachable at this recall or any higher one.
        for (var i = ranked.Count - 2; i >= 0; i--)
        {
            precision[i] = Math.Max(precision[i], precision[i + 1]);
        }

        double ap = 0, previous = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            if (recall[i] > previous)
            {
                ap += (recall[i] - previous) * precision[i];
                previous = recall[i];
            }
        }

        return ap;
    }
}
