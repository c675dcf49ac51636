using GateWatch.Central;

return await ConsoleCommands.RunAsync(args);
