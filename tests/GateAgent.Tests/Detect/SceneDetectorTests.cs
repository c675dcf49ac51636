using GateWatch.Agent.Detect;
using GateWatch.Agent.Tests.Support;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Detect;

public sealed class SceneDetectorTests(DetectorFixture fixture) : IClassFixture<DetectorFixture>
{
    private const string PersonJpg = "/usr/share/darknet/data/person.jpg";

    [Fact]
    public void On_video_the_tiles_take_turns_one_per_frame_beside_the_whole_view()
    {
        var scene = new SceneDetector(fixture.Detector, new SceneOptions { Tiling = new TilingOptions { MaxTilesPerFrame = 1 } });
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(100, 100, 100));
        IReadOnlyList<Rect> everywhere = [new Rect(0, 0, 1280, 720)];

        var tilesRun = new List<Rect>();
        for (var i = 0; i < 4; i++)
        {
            scene.Detect(frame, focus: () => everywhere);
            Assert.Equal(2, scene.LastViews.Count);
            Assert.Equal(new Rect(0, 0, 1280, 720), scene.LastViews[0]);
            tilesRun.Add(scene.LastViews[1]);
        }

        Assert.Equal(4, tilesRun.Distinct().Count());
    }

    [Fact]
    public void Tiles_where_nothing_moves_or_is_tracked_are_skipped()
    {
        var scene = new SceneDetector(fixture.Detector, new SceneOptions());
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(100, 100, 100));

        scene.Detect(frame, focus: () => []);
        Assert.Single(scene.LastViews);

        scene.Detect(frame, focus: () => [new Rect(100, 100, 40, 80)]);
        Assert.Equal(2, scene.LastViews.Count); // the whole view and the one top-left tile holding that spot

        scene.Detect(frame);
        Assert.Equal(5, scene.LastViews.Count); // a still picture: everywhere
    }

    [RequiresFileFact(PersonJpg)]
    public void A_small_far_person_is_found_in_a_tile_and_mapped_back_to_frame_pixels()
    {
        // person.jpg shrunk to a third and pasted into an empty 1280x720 street: about 95 px tall, far right.
        using var person = Cv2.ImRead(PersonJpg);
        using var small = new Mat();
        Cv2.Resize(person, small, new Size(person.Width / 3, person.Height / 3), 0, 0, InterpolationFlags.Area);
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(110, 110, 110));
        using (var roi = new Mat(frame, new Rect(1000, 500, small.Width, small.Height)))
        {
            small.CopyTo(roi);
        }

        var scene = new SceneDetector(fixture.Detector, new SceneOptions());
        var found = scene.Detect(frame).Where(d => d.Class == ObjectClass.Person && d.Score > 0.3f).ToList();

        var expected = new Box(1000 + (190 / 3f), 500 + (100 / 3f), 1000 + (277 / 3f), 500 + (369 / 3f));
        Assert.Contains(found, d => d.Box.IoU(expected) > 0.5);
        Assert.Equal(5, scene.LastViews.Count);
    }
}
