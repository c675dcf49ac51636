using GateWatch.Agent.Detect;

namespace GateWatch.Agent.Track;

/// <summary>
/// Constant-velocity Kalman filter over a box's centre, width and height. Position and velocity noise
/// scale with the box height (as in SORT/DeepSORT), so near and far people are smoothed alike. The
/// four coordinates are independent, so four 2-state filters are the exact 8-state filter.
/// </summary>
internal sealed class BoxKalman
{
    /// <summary>Noise as a fraction of box height: position 1/20, velocity 1/160 per frame (DeepSORT's published weights).</summary>
    private const double PositionNoise = 1.0 / 20;
    private const double VelocityNoise = 1.0 / 160;

    private readonly double[] _x = new double[4];   // cx, cy, w, h
    private readonly double[] _v = new double[4];   // their velocities per frame
    private readonly double[] _pxx = new double[4];
    private readonly double[] _pxv = new double[4];
    private readonly double[] _pvv = new double[4];

    public BoxKalman(Box box)
    {
        _x[0] = box.CenterX;
        _x[1] = box.CenterY;
        _x[2] = box.Width;
        _x[3] = box.Height;
        var h = box.Height;
        for (var i = 0; i < 4; i++)
        {
            _pxx[i] = Sq(2 * PositionNoise * h);
            _pvv[i] = Sq(10 * VelocityNoise * h);
        }
    }

    public Box Box => Box.FromCenter((float)_x[0], (float)_x[1], (float)Math.Max(1, _x[2]), (float)Math.Max(1, _x[3]));

    /// <summary>Speed of the box centre in pixels per frame.</summary>
    public double Speed => Math.Sqrt((_v[0] * _v[0]) + (_v[1] * _v[1]));

    public void Predict()
    {
        var h = Math.Max(1, _x[3]);
        var q = Sq(PositionNoise * h);
        var qv = Sq(VelocityNoise * h);
        for (var i = 0; i < 4; i++)
        {
            _x[i] += _v[i];
            // P = F P F' + Q with F = [[1,1],[0,1]]
            var pxx = _pxx[i] + (2 * _pxv[i]) + _pvv[i] + q;
            var pxv = _pxv[i] + _pvv[i];
            _pxx[i] = pxx;
            _pxv[i] = pxv;
            _pvv[i] += qv;
        }
    }

    /// <summary>
    /// Prediction for a track with no detection: its size is frozen (a box shrinking under occlusion would
    /// otherwise extrapolate to nothing) and its speed decays, so a guess drifts less the longer it lasts.
    /// </summary>
    public void Coast(double velocityDecay)
    {
        _v[2] = 0;
        _v[3] = 0;
        _v[0] *= velocityDecay;
        _v[1] *= velocityDecay;
        Predict();
    }

    /// <summary>Stops drift on frames where nothing moved: the object is where it was.</summary>
    public void Hold()
    {
        Array.Clear(_v);
    }

    public void Update(Box box)
    {
        double[] z = [box.CenterX, box.CenterY, box.Width, box.Height];
        var r = Sq(PositionNoise * Math.Max(1, _x[3]));
        for (var i = 0; i < 4; i++)
        {
            var s = _pxx[i] + r;
            var kx = _pxx[i] / s;
            var kv = _pxv[i] / s;
            var y = z[i] - _x[i];
            _x[i] += kx * y;
            _v[i] += kv * y;
            var pxx = (1 - kx) * _pxx[i];
            var pxv = (1 - kx) * _pxv[i];
            var pvv = _pvv[i] - (kv * _pxv[i]);
            _pxx[i] = pxx;
            _pxv[i] = pxv;
            _pvv[i] = pvv;
        }
    }

    private static double Sq(double v) => v * v;
}
