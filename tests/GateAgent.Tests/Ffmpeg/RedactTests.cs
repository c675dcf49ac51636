using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Tests.Ffmpeg;

public sealed class RedactTests
{
    [Fact]
    public void Hides_the_password_of_a_camera_url()
    {
        var redacted = Redact.Url("rtsp://admin:secret@10.0.0.5/stream");
        Assert.DoesNotContain("secret", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", redacted, StringComparison.Ordinal);
        Assert.Equal("rtsp://***@10.0.0.5/stream", redacted);
    }

    [Fact]
    public void Hides_every_url_inside_a_longer_text()
    {
        var text = "Input #0, from 'rtsp://u1:p%40ss@cam1:554/a':\nerror opening rtsps://viewer:hunter2@cam2/b (timeout)";
        var redacted = Redact.Url(text);
        Assert.DoesNotContain("p%40ss", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.Contains("rtsp://***@cam1:554/a", redacted, StringComparison.Ordinal);
        Assert.Contains("rtsps://***@cam2/b (timeout)", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://admin:qy1@qy2@10.0.0.5/main", "qy1@qy2")]
    [InlineData("rtsp://admin:qz1 qz2@10.0.0.5/main", "qz1 qz2")]
    [InlineData("error: rtsp://admin:qx1@qx2 qx3@cam/x: 401", "qx1@qx2 qx3")]
    public void Hides_passwords_holding_at_signs_or_spaces_whole(string text, string password)
    {
        var redacted = Redact.Url(text);
        foreach (var part in password.Split('@', ' '))
        {
            Assert.DoesNotContain(part, redacted, StringComparison.Ordinal);
        }

        Assert.Contains("://***@", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://admin:pa/ss@10.0.0.5/main", "pa/ss")]
    [InlineData("rtsp://admin:pa:ss@10.0.0.5:554/main", "pa:ss")]
    [InlineData("rtsp://ad%3Amin:p%2Fa%40ss@10.0.0.5/main", "p%2Fa%40ss")]
    [InlineData("open 'rtsp://admin:qq/x7@qq:y8@cam' failed: 401", "qq/x7@qq:y8")]
    [InlineData("rtsp://admin:w1 w/2@cam/x", "w/2")]
    public void Hides_passwords_holding_slashes_colons_or_percent_escapes_whole(string text, string password)
    {
        var redacted = Redact.Url(text);
        foreach (var part in password.Split('@', ' ', '/', ':'))
        {
            Assert.DoesNotContain(part, redacted, StringComparison.Ordinal);
        }

        Assert.Contains("://***@", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sentence_after_a_url_is_not_taken_for_its_password() =>
        Assert.Equal("rtsp://cam/x and then ops@example.com", Redact.Url("rtsp://cam/x and then ops@example.com"));

    [Theory]
    [InlineData("rtsp://10.0.0.5/stream")]
    [InlineData("/srv/video/gate@night.mp4")]
    [InlineData("mail ops@example.com about rtsp://cam/x")]
    public void Leaves_text_without_credentials_alone(string text)
    {
        Assert.Equal(text, Redact.Url(text));
    }
}
