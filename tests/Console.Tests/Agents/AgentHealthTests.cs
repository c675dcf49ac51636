using System.Text.Json;
using GateWatch.Central.Agents;

namespace GateWatch.Central.Tests.Agents;

/// <summary>What the console remembers of an agent's camera list, from whatever the agent (or something posing as it) answered.</summary>
public sealed class AgentHealthTests
{
    [Fact]
    public void Cameras_are_remembered_by_id_with_the_name_when_there_is_one()
    {
        var cameras = AgentHealth.Cameras(JsonElement.Parse("""{"cameras":[{"id":"north-1","name":"North door"},{"id":"yard"},{"id":"east","name":7}]}"""));

        Assert.Equal([new RememberedCamera("north-1", "North door"), new RememberedCamera("yard", "yard"), new RememberedCamera("east", "east")], cameras);
    }

    [Theory]
    [InlineData("""{"cameras":[{"id":null}]}""")]
    [InlineData("""{"cameras":[{"name":"no id"}]}""")]
    [InlineData("""{"cameras":[{"id":5}]}""")]
    [InlineData("""{"cameras":{"id":"x"}}""")]
    [InlineData("""{"state":"ok"}""")]
    public void A_list_with_a_camera_that_has_no_string_id_is_not_remembered(string health) =>
        Assert.Null(AgentHealth.Cameras(JsonElement.Parse(health)));
}
