using Orleans.Tokens.Admin;

await using var context = new AdminContext();
return await AdminCommandLine.RunAsync(args, context);
