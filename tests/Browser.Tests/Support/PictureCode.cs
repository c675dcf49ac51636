using System.Globalization;
using System.Text;

namespace GateWatch.Browser.Tests.Support;

/// <summary>
/// A number drawn into the picture as a row of black or white 16-pixel squares along its top edge, so a test
/// reads back off the wall's video which frame (or which moment) it shows: white, black, the number's bits
/// most significant first (white = 1), then an even-parity square over them. The same layout as
/// tests/rtsp/rtsp_server.py --stamp, which draws the wall-clock milliseconds in 41 bits.
/// </summary>
public static class PictureCode
{
    public const int Cell = 16;

    /// <summary>Bits of a clip's frame number: PETS S2.L1 has 795 frames.</summary>
    public const int FrameBits = 10;

    /// <summary>Bits of the server's time stamp (rtsp_server.py STAMP_BITS).</summary>
    public const int StampBits = 41;

    /// <summary>
    /// ffmpeg's filter drawing each frame's number n (from 0, as the frames enter the filter) with drawbox;
    /// a square is white where its timeline expression is not zero.
    /// </summary>
    public static string FrameNumberFilter(int bits = FrameBits)
    {
        string Bit(int b) => Invariant($"mod(floor(n/{1 << b}),2)");
        var f = new StringBuilder();
        f.Append(Invariant($"drawbox=x=0:y=0:w={(bits + 3) * Cell}:h={Cell}:color=black:t=fill,"));
        f.Append(Invariant($"drawbox=x=0:y=0:w={Cell}:h={Cell}:color=white:t=fill"));
        for (var i = 0; i < bits; i++)
        {
            f.Append(Invariant($",drawbox=x={(2 + i) * Cell}:y=0:w={Cell}:h={Cell}:color=white:t=fill:enable='{Bit(bits - 1 - i)}'"));
        }

        var sum = string.Join("+", Enumerable.Range(0, bits).Select(Bit));
        f.Append(Invariant($",drawbox=x={(bits + 2) * Cell}:y=0:w={Cell}:h={Cell}:color=white:t=fill:enable='mod({sum},2)'"));
        return f.ToString();
    }

    /// <summary>
    /// A JavaScript function (video, bits) giving the number drawn in the frame the video element shows,
    /// or null where the squares are not a valid code (no picture yet, a frame torn by decoding).
    /// </summary>
    public const string ReadJs = """
        (v, bits) => {
          const cells = bits + 3, cell = 16;
          if (!v.videoWidth || v.videoWidth < cells * cell) return null;
          const c = document.createElement('canvas');
          c.width = cells * cell; c.height = cell;
          const g = c.getContext('2d', { willReadFrequently: true });
          g.drawImage(v, 0, 0, c.width, cell, 0, 0, c.width, cell);
          const d = g.getImageData(0, 0, c.width, cell).data;
          const white = (i) => {
            let s = 0;
            for (let y = 5; y < 11; y++) for (let x = i * cell + 5; x < i * cell + 11; x++) { const k = (y * c.width + x) * 4; s += d[k] + d[k + 1] + d[k + 2]; }
            return s / (36 * 3) > 128 ? 1 : 0;
          };
          const b = Array.from({ length: cells }, (_, i) => white(i));
          if (b[0] !== 1 || b[1] !== 0) return null;
          let value = 0, ones = 0;
          for (let i = 0; i < bits; i++) { value = value * 2 + b[2 + i]; ones += b[2 + i]; }
          return (ones & 1) === b[cells - 1] ? value : null;
        }
        """;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
