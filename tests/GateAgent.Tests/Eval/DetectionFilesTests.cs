using GateWatch.Agent.Detect;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Eval;

public sealed class DetectionFilesTests
{
    private static readonly string[] Classes = ["car", "bus", "pedestrian"];

    private const string Kathmandu = "../shared/data/vehicles/kathmandu-road-np";

    private static List<LabelledBox> Yolo(string text, (int, int)? size = null) =>
        DetectionFiles.ParseYolo(text, "labels/f.txt", Classes, size ?? (200, 100));

    [Fact]
    public void Yolo_boxes_come_out_in_the_images_pixels()
    {
        var boxes = Yolo("0 0.5 0.5 0.2 0.4\n\n2 0.1 0.9 0.1 0.2\n");
        Assert.Equal([new LabelledBox("car", new Box(80, 30, 120, 70)), new LabelledBox("pedestrian", new Box(10, 80, 30, 100))], boxes);
    }

    [Fact]
    public void Yolo_box_within_a_pixel_of_the_edge_is_clipped_to_it()
    {
        // 0.5 px past the right edge of a 200 px image.
        var box = Assert.Single(Yolo("1 0.9525 0.5 0.1 0.2")).Box;
        Assert.Equal(200, box.X2, 3);
        Assert.Equal(180.5f, box.X1, 3);
    }

    [Theory]
    [InlineData("0 0.5 0.5 0.2", "labels/f.txt:2: expected 'class cx cy w h', got 4 fields")]
    [InlineData("0 0.5 0.5 0.2 0.2 0.9", "labels/f.txt:2: expected 'class cx cy w h', got 6 fields")]
    [InlineData("car 0.5 0.5 0.2 0.2", "labels/f.txt:2: class 'car' is not a class id (a whole number)")]
    [InlineData("-1 0.5 0.5 0.2 0.2", "labels/f.txt:2: class '-1' is not a class id (a whole number)")]
    [InlineData("3 0.5 0.5 0.2 0.2", "labels/f.txt:2: class id 3 is not in the class list (ids 0-2)")]
    [InlineData("0 0.5 x 0.2 0.2", "labels/f.txt:2: 'x' is not a number")]
    [InlineData("0 0.5 0.5 NaN 0.2", "labels/f.txt:2: 'NaN' is not a number")]
    [InlineData("0 0.95 0.5 0.2 0.2", "labels/f.txt:2: box [170, 40, 210, 60] is outside the 200x100 image")]
    [InlineData("0 0.5 0.01 0.2 0.2", "labels/f.txt:2: box [80, -9, 120, 11] is outside the 200x100 image")]
    [InlineData("0 0.5 0.5 0 0.2", "labels/f.txt:2: degenerate box (width 0, height 20)")]
    [InlineData("0 0.5 0.5 0.2 -0.1", "labels/f.txt:2: degenerate box (width 40, height -10)")]
    public void Bad_yolo_line_is_named_with_file_and_line(string bad, string message)
    {
        var e = Assert.Throws<FormatException>(() => Yolo("1 0.5 0.5 0.2 0.2\n" + bad + "\n"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Without_the_image_size_yolo_boxes_stay_normalised_and_are_still_checked()
    {
        var box = Assert.Single(DetectionFiles.ParseYolo("0 0.5 0.5 0.25 0.5", "f.txt", Classes, size: null)).Box;
        Assert.Equal(new Box(0.375f, 0.25f, 0.625f, 0.75f), box);
        var e = Assert.Throws<FormatException>(() => DetectionFiles.ParseYolo("0 0.95 0.5 0.2 0.4", "f.txt", Classes, size: null));
        Assert.StartsWith("f.txt:1: box ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("car\n\nbus\n", "classes.txt:2: empty class name")]
    [InlineData("car\nbus\ncar\n", "classes.txt:3: class 'car' is already on line 1")]
    [InlineData("\n", "classes.txt: no class names")]
    public void Bad_class_list_is_named_with_file_and_line(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => DetectionFiles.ParseClassNames(text, "classes.txt"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Class_list_reads_one_name_a_line_with_windows_line_ends()
    {
        Assert.Equal(["car", "bus"], DetectionFiles.ParseClassNames("car\r\nbus\r\n", "classes.txt"));
    }

    [Fact]
    public void Detections_lines_read_what_detect_writes_including_an_image_with_nothing_found()
    {
        var images = DetectionFiles.ParseDetections(
            [
                """{"image":"sub/a.jpg","width":1280,"height":720,"detections":[{"class":"motorcycle","score":0.81,"box":[1,2,30,40]}]}""",
                "",
                """{"image":"b.jpg","width":1280,"height":720,"detections":[]}""",
            ], "d.jsonl");

        Assert.Equal(2, images.Count);
        Assert.Equal(("sub/a.jpg", 1280, 720, 1), (images[0].Image, images[0].Width, images[0].Height, images[0].Line));
        Assert.Equal(new ScoredBox("motorcycle", 0.81f, new Box(1, 2, 30, 40)), Assert.Single(images[0].Detections));
        Assert.Empty(images[1].Detections);
        Assert.Equal(3, images[1].Line);
    }

    [Theory]
    [InlineData("{not json", "d.jsonl:2: not valid JSON")]
    [InlineData("[1, 2]", "d.jsonl:2: not a JSON object")]
    [InlineData("""{"width":10,"height":10,"detections":[]}""", "d.jsonl:2: \"image\" must be a file name")]
    [InlineData("""{"image":"b.jpg","width":0,"height":10,"detections":[]}""", "d.jsonl:2: \"width\" must be a positive whole number of pixels")]
    [InlineData("""{"image":"b.jpg","width":10,"height":10}""", "d.jsonl:2: \"detections\" must be an array")]
    [InlineData("""{"image":"b.jpg","width":10,"height":10,"detections":[{"class":"dog","score":0.5,"box":[0,0,1,1]}]}""", "d.jsonl:2: detections[0].class 'dog' is not a detector class")]
    [InlineData("""{"image":"b.jpg","width":10,"height":10,"detections":[{"class":"car","box":[0,0,1,1]}]}""", "d.jsonl:2: detections[0].score must be a number")]
    [InlineData("""{"image":"b.jpg","width":10,"height":10,"detections":[{"class":"car","score":0.5,"box":[0,0,1]}]}""", "d.jsonl:2: detections[0].box must be [x1, y1, x2, y2]")]
    [InlineData("""{"image":"a.jpg","width":10,"height":10,"detections":[]}""", "d.jsonl:2: image a.jpg is already on line 1")]
    [InlineData("""{"image":"v.mp4","width":10,"height":10,"detections":[],"frame":3}""", "d.jsonl:2: v.mp4 has a \"frame\"")]
    public void Bad_detections_line_is_named_with_file_and_line(string bad, string message)
    {
        var e = Assert.Throws<FormatException>(() => DetectionFiles.ParseDetections(
            ["""{"image":"a.jpg","width":10,"height":10,"detections":[]}""", bad], "d.jsonl"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    private const string Coco = """
        {"images": [{"id": 7, "file_name": "x/a.jpg", "width": 100, "height": 50}],
         "categories": [{"id": 1, "name": "person"}, {"id": 2, "name": "crowd"}],
         "annotations": [{"image_id": 7, "category_id": 1, "bbox": [10, 5, 20, 40]},
                         {"image_id": 7, "category_id": 1, "bbox": [50, 0, 40, 50], "iscrowd": 1}]}
        """;

    [Fact]
    public void Coco_reads_boxes_in_pixels_by_file_name_with_crowd_regions_marked()
    {
        var coco = DetectionFiles.ParseCoco(Coco, "c.json");
        var image = Assert.Single(coco.Images).Value;
        Assert.Equal(("x/a.jpg", 100, 50), (image.FileName, image.Width, image.Height));
        Assert.Equal([new LabelledBox("person", new Box(10, 5, 30, 45)), new LabelledBox("person", new Box(50, 0, 90, 50), Crowd: true)], image.Boxes);
        Assert.Equal(["person", "crowd"], coco.Categories);
    }

    [Theory]
    [InlineData("\"category_id\": 1, \"bbox\": [10, 5, 20, 40]", "\"category_id\": 9, \"bbox\": [10, 5, 20, 40]", "c.json: $.annotations[0].category_id 9 is not in $.categories")]
    [InlineData("\"image_id\": 7, \"category_id\": 1, \"bbox\": [10", "\"image_id\": 8, \"category_id\": 1, \"bbox\": [10", "c.json: $.annotations[0].image_id 8 is not in $.images")]
    [InlineData("[10, 5, 20, 40]", "[10, 5, 20]", "c.json: $.annotations[0].bbox must be [x, y, width, height]")]
    [InlineData("[10, 5, 20, 40]", "[10, 5, 20, 60]", "c.json: $.annotations[0].bbox: box [10, 5, 30, 65] is outside the 100x50 image")]
    [InlineData("[10, 5, 20, 40]", "[10, 5, 0, 40]", "c.json: $.annotations[0].bbox: degenerate box")]
    [InlineData("\"file_name\": \"x/a.jpg\"", "\"file_name\": 3", "c.json: $.images[0].file_name must be a non-empty string")]
    [InlineData("{\"id\": 1, \"name\": \"person\"}", "{\"name\": \"person\"}", "c.json: $.categories[0].id must be a whole number")]
    public void Bad_coco_is_named_with_file_and_json_path(string from, string to, string message)
    {
        var e = Assert.Throws<FormatException>(() => DetectionFiles.ParseCoco(Coco.Replace(from, to, StringComparison.Ordinal), "c.json"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [RequiresFileFact(Kathmandu + "/classes.txt", Kathmandu + "/SOURCE.txt")]
    public void Kathmandu_labels_all_parse_with_the_counts_of_its_source_notes()
    {
        var dir = TestPaths.Resolve(Kathmandu);
        var classesPath = Path.Combine(dir, "classes.txt");
        var names = DetectionFiles.ParseClassNames(File.ReadAllText(classesPath), classesPath);
        var files = Directory.GetFiles(Path.Combine(dir, "labels"), "*.txt");
        Assert.Equal(78, files.Length);

        // SOURCE.txt: 1280x720 images, 658 boxes, all at least 25 px tall.
        var boxes = files.SelectMany(f => DetectionFiles.ParseYolo(File.ReadAllText(f), f, names, (1280, 720))).ToList();
        Assert.Equal(658, boxes.Count);
        var perClass = boxes.GroupBy(b => b.Class).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(
            new Dictionary<string, int> { ["car"] = 150, ["bus"] = 103, ["motorcycle"] = 266, ["cycle"] = 1, ["pedestrian"] = 56, ["truck"] = 79, ["traffic_signs"] = 3 },
            perClass);
        Assert.All(boxes, b => Assert.True(b.Box.Height >= 25, $"{b.Class} {b.Box}"));
    }
}
