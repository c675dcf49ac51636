using GateWatch.Agent.Plates;

namespace GateWatch.Agent.Tests.Plates;

/// <summary>Vietnam's plate grammar on recogniser output built by hand: layouts, look-alikes by position, edge noise.</summary>
public sealed class VietnamPlateTests
{
    /// <summary>A read line where every character is sure, except those given alternatives as "8:B=0.3".</summary>
    private static List<ReadChar> Line(string text, params string[] doubts)
    {
        var chars = text.Select(c => new ReadChar(c, 0.98f, new Dictionary<char, float> { [c] = 0.98f })).ToList();
        foreach (var d in doubts)
        {
            // "index:char=p" gives character index an alternative with probability p.
            var at = int.Parse(d[..d.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            var alt = d[d.IndexOf(':', StringComparison.Ordinal) + 1];
            var p = float.Parse(d[(d.IndexOf('=', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var c = chars[at];
            chars[at] = c with { Probability = 1 - p, Alternatives = new Dictionary<char, float> { [c.Char] = 1 - p, [alt] = p } };
        }

        return chars;
    }

    [Theory]
    [InlineData("51G12345", "51G-123.45")]
    [InlineData("30V3993", "30V-3993")]
    [InlineData("51LD12345", "51LD-123.45")]
    public void One_line_car_plates_get_their_printed_form(string read, string expected) =>
        Assert.Equal(expected, VietnamPlate.Parse([Line(read)])!.Text);

    [Theory]
    [InlineData("59X1", "23456", "59-X1 234.56")]
    [InlineData("54F4", "4078", "54-F4 4078")]
    [InlineData("29MD1", "20771", "29-MD1 207.71")]
    [InlineData("30A", "99999", "30A 999.99")]
    [InlineData("31F", "0787", "31F 0787")]
    public void Two_line_plates_keep_series_above_and_number_below(string top, string bottom, string expected) =>
        Assert.Equal(expected, VietnamPlate.Parse([Line(top), Line(bottom)])!.Text);

    [Fact]
    public void A_digit_where_the_series_letter_must_be_becomes_the_letter_the_recogniser_also_saw()
    {
        // "5952" over "32386": the third character must be a letter; the recogniser gave S 20 % beside its 5.
        var plate = VietnamPlate.Parse([Line("5952", "2:S=0.2"), Line("32386")]);
        Assert.Equal("59-S2 323.86", plate!.Text);
    }

    [Fact]
    public void Without_an_alternative_the_shape_look_alike_decides_at_a_lower_confidence()
    {
        var sure = VietnamPlate.Parse([Line("51F"), Line("20754")])!;
        var lookAlike = VietnamPlate.Parse([Line("518"), Line("2O754")])!;
        Assert.Equal("51B 207.54", lookAlike.Text);
        Assert.True(lookAlike.Confidence < sure.Confidence / 10, $"{lookAlike.Confidence} vs {sure.Confidence}");
    }

    [Fact]
    public void Letters_where_digits_must_be_are_read_as_digits()
    {
        Assert.Equal("30A-075.12", VietnamPlate.Parse([Line("3OAO75I2")])!.Text);
    }

    [Fact]
    public void A_stray_character_at_a_line_edge_is_dropped_at_a_cost()
    {
        var clean = VietnamPlate.Parse([Line("59X1"), Line("23456")])!;
        var noisy = VietnamPlate.Parse([Line("159X1"), Line("23456")])!;
        Assert.Equal("59-X1 234.56", noisy.Text);
        Assert.True(noisy.Confidence < clean.Confidence);
    }

    [Theory]
    [InlineData("ABCDEFG")]
    [InlineData("5912")]
    [InlineData("0512345")] // province codes start at 11
    [InlineData("51G12345678")]
    public void What_no_layout_fits_is_no_plate(string read) => Assert.Null(VietnamPlate.Parse([Line(read)]));

    [Fact]
    public void Series_letters_that_Vietnam_never_uses_are_not_chosen()
    {
        // O is not a series letter: with D as the only other reading, D it is.
        Assert.Equal("51D-123.45", VietnamPlate.Parse([Line("51O12345", "2:D=0.1")])!.Text);
    }
}
