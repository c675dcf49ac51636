using GateWatch.Agent.Detect;
using GateWatch.Agent.Eval;

namespace GateWatch.Agent.Tests.Eval;

public sealed class DetectionScorerTests
{
    private static ClassScore Car(IReadOnlyList<TruthBox> labels, IReadOnlyList<ScoredBox> detections, double threshold = 0.3) =>
        DetectionScorer.Score([new ScoredImage("a.jpg", labels, detections)], threshold).Classes.Single(c => c.Class == "car");

    private static TruthBox Label(float x1, float y1, float x2, float y2, bool dontCare = false) => new("car", new Box(x1, y1, x2, y2), dontCare);

    private static ScoredBox Found(float score, float x1, float y1, float x2, float y2) => new("car", score, new Box(x1, y1, x2, y2));

    [Fact]
    public void IoU_of_exactly_one_half_matches_and_just_under_does_not()
    {
        Assert.Equal(1, Car([Label(0, 0, 10, 10)], [Found(0.9f, 0, 0, 10, 20)]).TruePositives);
        Assert.Equal(0, Car([Label(0, 0, 10, 10)], [Found(0.9f, 0, 0, 10, 20.5f)]).TruePositives);
    }

    [Fact]
    public void The_highest_score_takes_the_label_of_highest_IoU_and_a_second_detection_of_it_is_a_false_positive()
    {
        // The 0.9 detection overlaps both labels, the right one more; the 0.8 one then still finds the left one.
        var score = Car([Label(0, 0, 10, 10), Label(2, 0, 12, 10)], [Found(0.8f, 0, 0, 10, 10), Found(0.9f, 2, 0, 12, 10), Found(0.7f, 2, 0, 12, 10)]);
        Assert.Equal((2, 1, 0), (score.TruePositives, score.FalsePositives, score.FalseNegatives));
        Assert.Equal(1.0, score.Ap50);
    }

    [Fact]
    public void Labels_with_nothing_detected_have_zero_AP_and_no_precision()
    {
        var score = Car([Label(0, 0, 10, 10)], []);
        Assert.Equal((1, 0, 1), (score.Labels, score.Detections, score.FalseNegatives));
        Assert.Null(score.Precision);
        Assert.Equal(0, score.Recall);
        Assert.Equal(0, score.Ap50);
    }

    [Fact]
    public void A_detection_below_the_threshold_still_counts_towards_AP()
    {
        var score = Car([Label(0, 0, 10, 10)], [Found(0.1f, 0, 0, 10, 10)]);
        Assert.Equal((0, 0, 1), (score.TruePositives, score.Detections, score.FalseNegatives));
        Assert.Equal(1.0, score.Ap50);
    }

    [Fact]
    public void Dont_care_labels_take_any_number_of_detections_but_a_real_label_goes_first()
    {
        var score = Car(
            [Label(0, 0, 10, 10, dontCare: true), Label(0, 0, 10, 11)],
            [Found(0.9f, 0, 0, 10, 10), Found(0.8f, 0, 0, 10, 10), Found(0.7f, 0, 0, 10, 10)]);
        Assert.Equal((1, 1, 0, 0, 2), (score.Labels, score.TruePositives, score.FalsePositives, score.FalseNegatives, score.Ignored));
    }

    [Fact]
    public void The_any_row_matches_across_classes_and_a_class_row_does_not()
    {
        var report = DetectionScorer.Score(
            [new ScoredImage("a.jpg", [new TruthBox("truck", new Box(0, 0, 10, 10))], [new ScoredBox("car", 0.9f, new Box(0, 0, 10, 10))])], 0.3);
        Assert.Equal(["car", "truck"], report.Classes.Select(c => c.Class));
        Assert.Equal((0, 1), (report.Classes[0].TruePositives, report.Classes[0].FalsePositives));
        Assert.Equal(1, report.Classes[1].FalseNegatives);
        Assert.Equal((1, 0, 0), (report.Any.TruePositives, report.Any.FalsePositives, report.Any.FalseNegatives));
        Assert.Equal(0, report.MeanAp50); // truck's AP; car has no labels, so no AP
    }
}
