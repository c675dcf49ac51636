namespace GateWatch.Central.Users;

/// <summary>
/// Who may do what. Each role gets exactly its own rights: a guard watches and acknowledges, a reviewer
/// reviews recordings and figures, an investigator reviews and exports evidence, an admin runs the system.
/// </summary>
internal static class Roles
{
    public const string Guard = "guard";
    public const string Reviewer = "reviewer";
    public const string Investigator = "investigator";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Guard, Reviewer, Investigator, Admin];
}

/// <summary>Authorization policies, one per kind of right, each naming the roles that hold it.</summary>
internal static class Rights
{
    /// <summary>The live wall, alerts and acknowledging them.</summary>
    public const string Watch = "watch";

    /// <summary>Recorded footage and its timeline.</summary>
    public const string Review = "review";

    /// <summary>Entry and exit figures.</summary>
    public const string Statistics = "statistics";

    /// <summary>Cases and evidence packages.</summary>
    public const string Export = "export";

    /// <summary>Users, agents, cameras and the audit log.</summary>
    public const string Administer = "administer";

    public static readonly IReadOnlyDictionary<string, string[]> Holders = new Dictionary<string, string[]>
    {
        [Watch] = [Roles.Guard],
        [Review] = [Roles.Reviewer, Roles.Investigator],
        [Statistics] = [Roles.Reviewer],
        [Export] = [Roles.Investigator],
        [Administer] = [Roles.Admin],
    };

    /// <summary>The rights a role holds, for the page to show only what the user may use.</summary>
    public static IEnumerable<string> Of(string role) => Holders.Where(h => h.Value.Contains(role)).Select(h => h.Key);
}

/// <summary>Policies that join several rights, for what more than one kind of page needs.</summary>
internal static class SharedRights
{
    /// <summary>The camera list: the wall, the recordings and the cases pages all pick cameras from it.</summary>
    public const string SeeCameras = "see-cameras";

    public static readonly string[] SeeCamerasHolders = Join(Rights.Watch, Rights.Review, Rights.Export);

    /// <summary>Plate crops: the guards see them on the wall's plate alerts, reviewers and investigators in their searches.</summary>
    public const string SeePlateCrops = "see-plate-crops";

    public static readonly string[] SeePlateCropsHolders = Join(Rights.Watch, Rights.Review);

    /// <summary>The plate lists: admins keep them, reviewers and investigators may read them (not change them).</summary>
    public const string ReadPlateLists = "read-plate-lists";

    public static readonly string[] ReadPlateListsHolders = Join(Rights.Review, Rights.Administer);

    /// <summary>Shift handover reports: guards write them (their notes) and hand over with them, reviewers read them later.</summary>
    public const string ReadShiftReports = "read-shift-reports";

    public static readonly string[] ReadShiftReportsHolders = Join(Rights.Watch, Rights.Statistics);

    private static string[] Join(params string[] rights) => [.. rights.SelectMany(r => Rights.Holders[r]).Distinct()];
}
