using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace GateWatch.Agent.Plates;

/// <summary>
/// One character of a read line, with what the recogniser thought of the other plate characters at that step:
/// the grammar uses them to pick the likeliest digit where a digit must be (a "B" where a plate has a digit is
/// probably the "8" the recogniser gave 30 % to), rather than a fixed look-alike table alone.
/// </summary>
internal readonly record struct ReadChar(char Char, float Probability, IReadOnlyDictionary<char, float> Alternatives)
{
    /// <summary>The likeliest character of those allowed here, and its probability (0 when the recogniser gave none of them any).</summary>
    public (char Char, float Probability) Best(Func<char, bool> allowed)
    {
        if (allowed(Char))
        {
            return (Char, Probability);
        }

        var best = ('\0', 0f);
        foreach (var (c, p) in Alternatives)
        {
            if (allowed(c) && p > best.Item2)
            {
                best = (c, p);
            }
        }

        return best;
    }
}

/// <summary>A recognised text line: its characters (plate alphabet only) and the mean probability of those kept.</summary>
internal sealed record TextLine(IReadOnlyList<ReadChar> Chars, float Confidence)
{
    public string Text => new([.. Chars.Select(c => c.Char)]);
}

/// <summary>
/// PP-OCRv4's text-line recogniser (CTC over 6,623 dictionary entries): a line picture 48 px high in, per time
/// step a probability per entry out; decoded greedily, keeping only what can be on a plate.
/// </summary>
internal sealed class TextRecognizer : IDisposable
{
    private const int Height = 48;

    /// <summary>PaddleOCR pads every line to at least this width (rec_image_shape 3,48,320): narrower inputs read worse.</summary>
    private const int MinWidth = 320;

    /// <summary>A plate line is at most about 12:1; wider crops are squeezed rather than grown without bound.</summary>
    private const int MaxWidth = 960;

    /// <summary>Alternatives below this probability are noise and not worth carrying.</summary>
    private const float AlternativeFloor = 0.001f;

    private readonly InferenceSession _session;
    private readonly string _input;

    /// <summary>Per output class: the plate character it stands for (upper case), or '\0' for blank and all else.</summary>
    private readonly char[] _plateChar;

    public TextRecognizer(InferenceSession session, IReadOnlyList<string> dictionary)
    {
        _session = session;
        _input = session.InputMetadata.Keys.Single();
        // Class 0 is CTC's blank; 1..n the dictionary's entries; n + 1 a space.
        var classes = dictionary.Count + 2;
        _plateChar = new char[classes];
        for (var i = 0; i < dictionary.Count; i++)
        {
            var e = dictionary[i];
            if (e.Length == 1 && char.IsAsciiLetterOrDigit(e[0]))
            {
                _plateChar[i + 1] = char.ToUpperInvariant(e[0]);
            }
        }
    }

    public TextLine Read(Mat line)
    {
        var width = Math.Clamp((int)Math.Ceiling(Height * (double)line.Width / Math.Max(1, line.Height)), 8, MaxWidth);
        using var resized = new Mat();
        Cv2.Resize(line, resized, new Size(width, Height), 0, 0, InterpolationFlags.Linear);
        var padded = Math.Max(MinWidth, width);
        var tensor = new DenseTensor<float>([1, 3, Height, padded]);
        Fill(resized, tensor.Buffer.Span, padded);

        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        var probs = outputs[0].AsTensor<float>();
        var steps = probs.Dimensions[1];
        var classes = probs.Dimensions[2];
        if (classes != _plateChar.Length)
        {
            throw new InvalidOperationException($"the recogniser has {classes} classes, its dictionary {_plateChar.Length}");
        }

        return Decode(((DenseTensor<float>)probs).Buffer.Span, steps, classes);
    }

    /// <summary>
    /// Greedy CTC: per step the arg-max; a step whose winner is blank, a separator or a character no plate has
    /// (a Chinese glyph for a screw head) emits nothing and ends a run, so "11" across a blank stays two ones.
    /// </summary>
    private TextLine Decode(ReadOnlySpan<float> p, int steps, int classes)
    {
        var chars = new List<ReadChar>();
        var previous = -1;
        for (var t = 0; t < steps; t++)
        {
            var row = p.Slice(t * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            if (best != previous && _plateChar[best] != '\0')
            {
                chars.Add(new ReadChar(_plateChar[best], Combined(row, _plateChar[best]), Alternatives(row)));
            }

            previous = best;
        }

        var confidence = chars.Count == 0 ? 0 : chars.Average(c => c.Probability);
        return new TextLine(chars, confidence);
    }

    /// <summary>Upper and lower case of a letter are one plate character: their probabilities add up.</summary>
    private float Combined(ReadOnlySpan<float> row, char c)
    {
        var sum = 0f;
        for (var i = 1; i < row.Length; i++)
        {
            if (_plateChar[i] == c)
            {
                sum += row[i];
            }
        }

        return Math.Min(1, sum);
    }

    private Dictionary<char, float> Alternatives(ReadOnlySpan<float> row)
    {
        var alt = new Dictionary<char, float>();
        for (var i = 1; i < row.Length; i++)
        {
            if (_plateChar[i] != '\0' && row[i] >= AlternativeFloor)
            {
                alt[_plateChar[i]] = alt.GetValueOrDefault(_plateChar[i]) + row[i];
            }
        }

        return alt;
    }

    private static void Fill(Mat bgr, Span<float> dst, int padded)
    {
        // (x / 255 - 0.5) / 0.5 per plane in B, G, R order; the padding on the right stays 0, as PaddleOCR's does.
        var w = bgr.Width;
        var plane = Height * padded;
        unsafe
        {
            var src = (byte*)bgr.Data;
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < Height; y++)
                {
                    var d = dst.Slice((c * plane) + (y * padded), w);
                    for (var x = 0; x < w; x++)
                    {
                        d[x] = (src[(((y * w) + x) * 3) + c] / 127.5f) - 1f;
                    }
                }
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
