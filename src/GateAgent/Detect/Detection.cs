namespace GateWatch.Agent.Detect;

/// <summary>The object kinds a gate counts, out of the detector's 80 COCO classes.</summary>
internal enum ObjectClass
{
    Person,
    Bicycle,
    Car,
    Motorcycle,
    Bus,
    Truck,
}

internal static class ObjectClasses
{
    /// <summary>COCO class index to gate class; the rest of COCO (cones, bags, ...) is ignored.</summary>
    public static ObjectClass? FromCoco(int cocoId) => cocoId switch
    {
        0 => ObjectClass.Person,
        1 => ObjectClass.Bicycle,
        2 => ObjectClass.Car,
        3 => ObjectClass.Motorcycle,
        5 => ObjectClass.Bus,
        7 => ObjectClass.Truck,
        _ => null,
    };

    public static readonly int[] CocoIds = [0, 1, 2, 3, 5, 7];

    public static string Name(this ObjectClass c) => c switch
    {
        ObjectClass.Person => "person",
        ObjectClass.Bicycle => "bicycle",
        ObjectClass.Car => "car",
        ObjectClass.Motorcycle => "motorcycle",
        ObjectClass.Bus => "bus",
        ObjectClass.Truck => "truck",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    public static bool TryParse(string name, out ObjectClass c)
    {
        foreach (var k in Enum.GetValues<ObjectClass>())
        {
            if (string.Equals(k.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                c = k;
                return true;
            }
        }

        c = default;
        return false;
    }

    /// <summary>Anything on wheels: one box per vehicle whatever the model's class scores say.</summary>
    public static bool IsRoadVehicle(this ObjectClass c) => c != ObjectClass.Person;

    /// <summary>A detector often calls one van a car in one frame and a truck in the next: treat them as one kind for NMS and tracking.</summary>
    public static bool IsVehicle(this ObjectClass c) => c is ObjectClass.Car or ObjectClass.Bus or ObjectClass.Truck;

    public static bool SameKind(ObjectClass a, ObjectClass b) => a == b || (a.IsVehicle() && b.IsVehicle());
}

/// <summary>An axis-aligned box in source-frame pixels.</summary>
internal readonly record struct Box(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);
    public float CenterX => (X1 + X2) / 2;
    public float CenterY => (Y1 + Y2) / 2;

    /// <summary>Where a person stands: the gate geometry is about feet, not heads.</summary>
    public Point2 Foot => new(CenterX, Y2);

    public static Box FromCenter(float cx, float cy, float w, float h) => new(cx - (w / 2), cy - (h / 2), cx + (w / 2), cy + (h / 2));

    public float IoU(Box o)
    {
        var iw = Math.Min(X2, o.X2) - Math.Max(X1, o.X1);
        var ih = Math.Min(Y2, o.Y2) - Math.Max(Y1, o.Y1);
        if (iw <= 0 || ih <= 0)
        {
            return 0;
        }

        var inter = iw * ih;
        return inter / (Area + o.Area - inter);
    }
}

internal readonly record struct Detection(Box Box, ObjectClass Class, float Score);
