using System.Globalization;

namespace GateWatch.Agent.Detect;

/// <summary>The score from which a detection of each class is reported: people and vehicles are not found with equal confidence.</summary>
internal sealed class ScoreThresholds
{
    private readonly float[] _byClass;

    private ScoreThresholds(float[] byClass) => _byClass = byClass;

    /// <summary>
    /// 0.5 for every class: on the Kathmandu street frames (YOLOX-Nano 640x384, tiled) it is where class-agnostic
    /// precision and recall are closest (0.78 and 0.74; at 0.3 recall is 0.84 but precision 0.56, see
    /// bench/RESULTS.md). A park tunes it on its own labelled frames with score-detect.
    /// </summary>
    public static ScoreThresholds Default { get; } = Uniform(0.5f);

    public static ScoreThresholds Uniform(float score) => new(Enumerable.Repeat(score, Enum.GetValues<ObjectClass>().Length).ToArray());

    public float this[ObjectClass c] => _byClass[(int)c];

    public bool Passes(Detection d) => d.Score >= this[d.Class];

    /// <summary>"0.3" for all, or "person=0.4,car=0.35" over the defaults; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ScoreThresholds Parse(string text, ScoreThresholds? over = null)
    {
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var all))
        {
            return Uniform(Check(all, text));
        }

        var values = (float[])(over ?? Default)._byClass.Clone();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !ObjectClasses.TryParse(kv[0], out var c))
            {
                throw new FormatException($"'{part}' is not CLASS=SCORE with a class of {string.Join(", ", Enum.GetValues<ObjectClass>().Select(x => x.Name()))}");
            }

            if (!float.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
            {
                throw new FormatException($"'{part}': {kv[1]} is not a number");
            }

            values[(int)c] = Check(score, part);
        }

        return new ScoreThresholds(values);
    }

    private static float Check(float score, string what) =>
        score is >= 0 and <= 1 ? score : throw new FormatException($"'{what}': a score is between 0 and 1");
}
