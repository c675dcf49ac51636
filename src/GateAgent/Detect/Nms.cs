namespace GateWatch.Agent.Detect;

internal static class Nms
{
    /// <summary>Greedy NMS within a kind (vehicles are one kind: a van is car and truck at once).</summary>
    public static List<Detection> Suppress(List<Detection> candidates, float iouThreshold)
    {
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<Detection>();
        foreach (var c in candidates)
        {
            var suppressed = false;
            foreach (var k in kept)
            {
                if (ObjectClasses.SameKind(k.Class, c.Class) && k.Box.IoU(c.Box) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }

            if (!suppressed)
            {
                kept.Add(c);
            }
        }

        return kept;
    }
}
