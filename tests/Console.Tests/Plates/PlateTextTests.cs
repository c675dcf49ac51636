using GateWatch.Central.Plates;

namespace GateWatch.Central.Tests.Plates;

public sealed class PlateTextTests
{
    [Theory]
    [InlineData("51G-123.45", "51G12345")]
    [InlineData("59-X1 234.56", "59X123456")]
    [InlineData("30a 999.99", "30A99999")]
    [InlineData("m-äb 123", "MÄB123")]
    [InlineData(" - . ", "")]
    public void Plates_are_compared_on_their_letters_and_digits_upper_cased(string text, string normalized) =>
        Assert.Equal(normalized, PlateText.Normalize(text));

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("51G12345", "51G12345", 0)]
    [InlineData("51G12345", "51G12346", 1)] // one replaced
    [InlineData("51G12345", "51G1234", 1)] // one missed
    [InlineData("51G12345", "551G12345", 1)] // one too many
    [InlineData("51G12345", "15G12345", 2)] // two swapped are two edits
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "30V3993", 7)]
    [InlineData("ABC", "XYZ", 3)]
    public void The_edit_distance_counts_insertions_deletions_and_replacements(string a, string b, int distance)
    {
        Assert.Equal(distance, PlateText.Distance(a, b));
        Assert.Equal(distance, PlateText.Distance(b, a));
    }

    [Theory]
    [InlineData("51G-123.45", null)]
    [InlineData("30V-3993", null)]
    [InlineData("51G_12345", "only letters, digits, spaces, '-' and '.'")]
    [InlineData("' OR 1=1 --", "only letters, digits, spaces, '-' and '.'")]
    [InlineData("123456789012345678901", "at most 20 characters")]
    public void Plate_text_is_at_most_20_letters_digits_spaces_dashes_and_dots(string text, string? problem) =>
        Assert.Equal(problem, PlateText.Problem(text));

    [Fact]
    public void A_list_entry_needs_at_least_two_letters_or_digits() =>
        Assert.Contains("at least 2 letters or digits", PlateText.ListProblem("5-"), StringComparison.Ordinal);

    [Theory]
    [InlineData("123", "51G12345", true)] // no wildcard: anywhere in the plate
    [InlineData("51g-123", "51G12345", true)] // print characters and case do not matter
    [InlineData("124", "51G12345", false)]
    [InlineData("51G*", "51G12345", true)] // a wildcard: the whole plate
    [InlineData("51G*", "151G2345", false)]
    [InlineData("*45", "51G12345", true)]
    [InlineData("51G?2345", "51G12345", true)]
    [InlineData("51G?2345", "51G2345", false)] // ? is exactly one character
    [InlineData("5*G*5", "51G12345", true)]
    [InlineData("5?", "51G12345", false)]
    [InlineData("5?G*", "51G12345", true)]
    public void Patterns_match_anywhere_without_a_wildcard_and_whole_plates_with_one(string pattern, string plate, bool matches) =>
        Assert.Equal(matches, PlatePattern.Parse(pattern, out _)!.Matches(plate, 0));

    [Theory]
    [InlineData("51G12346", "51G12345", true)] // one wrong
    [InlineData("51G1245", "51G12345", true)] // one missed
    [InlineData("51G99945", "51G12345", false)] // three wrong
    [InlineData("51H*", "51G12345", true)]
    [InlineData("52H*", "51G12345", false)]
    [InlineData("1235", "51G12345", true)] // a part with one wrong character
    public void With_tolerance_one_wrong_character_still_matches(string pattern, string plate, bool matches) =>
        Assert.Equal(matches, PlatePattern.Parse(pattern, out _)!.Matches(plate, 1));

    [Fact]
    public void A_pattern_without_wildcards_is_as_far_from_a_plate_as_from_the_closest_part_of_it()
    {
        // Against brute force: the Levenshtein distance to every substring of the plate, the closest one counting.
        var random = new Random(9);
        const string alphabet = "0123456789ABGX";
        string Some(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var n = 0; n < 300; n++)
        {
            var typed = Some(1, 5);
            var plate = Some(0, 9);
            var closest = Enumerable.Range(0, plate.Length + 1)
                .SelectMany(i => Enumerable.Range(0, plate.Length - i + 1).Select(len => plate.Substring(i, len)))
                .Min(part => PlateText.Distance(typed, part));
            Assert.True(closest == PlatePattern.Parse(typed, out _)!.Distance(plate), $"'{typed}' in '{plate}': {closest} by brute force");
        }
    }

    [Fact]
    public void A_whole_plate_pattern_with_one_question_mark_is_the_levenshtein_distance_to_the_best_character_in_its_place()
    {
        var random = new Random(4);
        const string alphabet = "0123456789ABGX";
        string Some(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var n = 0; n < 300; n++)
        {
            var head = Some(1, 6);
            var plate = Some(0, 8);
            var best = alphabet.Min(ch => PlateText.Distance(head + ch, plate));
            Assert.True(best == PlatePattern.Parse(head + "?", out _)!.Distance(plate), $"'{head}?' against '{plate}': {best} by brute force");
        }
    }

    [Theory]
    [InlineData("' OR 1=1 --", "'")]
    [InlineData("51G%", "%")]
    [InlineData("51G[0-9]", "[")]
    [InlineData("../etc", "/")]
    public void Anything_but_letters_digits_and_wildcards_is_refused_with_the_character_named(string pattern, string named)
    {
        Assert.Null(PlatePattern.Parse(pattern, out var problem));
        Assert.Contains($"'{named}'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("??*")]
    [InlineData("- .")]
    public void A_pattern_of_wildcards_alone_is_refused(string pattern)
    {
        Assert.Null(PlatePattern.Parse(pattern, out var problem));
        Assert.Contains("at least one letter or digit", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pattern_is_at_most_40_characters()
    {
        Assert.Null(PlatePattern.Parse(new string('A', 41), out var problem));
        Assert.Contains("at most 40", problem, StringComparison.Ordinal);
    }
}
