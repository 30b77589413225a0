import VigilCLI

await VigilCommand.main()
